import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { appendLayers, createTarStream, emptyImage, isStreamLayerError, StreamLayer } from "../../src/index.ts";
import { InvalidLayoutError, writeLayout } from "../../src/layout/index.ts";

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

for (const [what, text] of [["not JSON", "{ nope"], ["JSON without a manifests array", '{"schemaVersion":2}']] as const) {
  test(`writeLayout refuses an index.json that is ${what} with InvalidLayoutError, and leaves it as it was`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "streamlayer-bad-layout-"));
    dirs.push(dir);
    writeFileSync(join(dir, "index.json"), text);
    const layer = new StreamLayer(createTarStream([{ path: "a.txt", data: "a\n" }]));
    await assert.rejects(writeLayout(dir, appendLayers(emptyImage(), layer), { tag: "v1" }), (error: unknown) => {
      assert.ok(error instanceof InvalidLayoutError);
      assert.ok(isStreamLayerError(error));
      assert.equal(error.name, "InvalidLayoutError");
      assert.equal(error.code, "INVALID_LAYOUT");
      assert.equal(error.path, join(dir, "index.json"));
      return true;
    });
    assert.equal(readFileSync(join(dir, "index.json"), "utf8"), text);
  });
}
