// zstd.wasm is built, not stored: scripts/build_zstd_wasm.sh compiles zstd
// 1.5.7's C sources (from node_modules/zstd-napi) and our entry with Debian's
// clang. Built again into another directory it must be the same bytes, and
// it must import nothing (no WASI, nothing a runtime would have to provide).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import { sha256, temporaryDirectory } from "../support/tools.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const script = join(root, "scripts/build_zstd_wasm.sh");

let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
before(async () => (directory = await temporaryDirectory()));
after(() => directory.remove());

test("zstd.wasm builds again to the same SHA-256, and imports nothing", { timeout: 9 * 60_000 }, async () => {
  await run(script, [], { cwd: root }); // the one the tests load, if it is not built yet
  const again = join(directory.path, "zstd.wasm");
  await run(script, [again], { cwd: directory.path });
  const [built, rebuilt] = await Promise.all([readFile(join(root, "src/compress/zstd/zstd.wasm")), readFile(again)]);
  assert.equal(sha256(rebuilt), sha256(built));
  const module = await WebAssembly.compile(rebuilt);
  assert.deepEqual(WebAssembly.Module.imports(module), []);
  assert.ok(WebAssembly.Module.exports(module).some((entry) => entry.name === "sl_compress"));
});
