// The README's Node recipe type-checks in a user's project
// with Node's types: a layer from `Readable.toWeb(process.stdin)` (Node's
// `ReadableStream<any>`) and from any `AsyncIterable<Uint8Array>`, no cast.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { consumerProject, packPackage, root, type Packed } from "./_packed.ts";

const APP = `
import { Readable } from "node:stream";
import { StreamLayer } from "streamlayer";

export const fromStdin = new StreamLayer(Readable.toWeb(process.stdin));
async function* chunks(): AsyncGenerator<Uint8Array> {
  yield new Uint8Array(512);
}
export const fromIterable = new StreamLayer(chunks());
`;

let packed: Packed;
let project: Awaited<ReturnType<typeof consumerProject>>;
before(async () => {
  packed = await packPackage();
  project = await consumerProject(packed.tarball, ["@types/node", "undici-types"]);
  writeFileSync(join(project.path, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  writeFileSync(join(project.path, "app.ts"), APP);
  writeFileSync(join(project.path, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      target: "ES2022", lib: ["ES2022", "DOM", "DOM.Iterable"], types: ["node"],
      module: "nodenext", moduleResolution: "nodenext", strict: true, skipLibCheck: false, noEmit: true,
    },
    files: ["app.ts"],
  }));
});
after(async () => {
  await project?.remove();
  await packed?.remove();
});

test("StreamLayer takes Node's ReadableStream and an AsyncIterable<Uint8Array> without a cast", () => {
  const result = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: project.path, encoding: "utf8" });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
});
