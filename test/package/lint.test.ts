// The packed tarball as publint and Are the Types Wrong? judge it: no
// error, warning or suggestion from publint in strict mode, and types that
// resolve for every ESM consumer (node16/nodenext from ESM, bundler).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, test } from "node:test";
import { bin, packPackage, root, type Packed } from "./_packed.ts";

let packed: Packed;
before(async () => {
  packed = await packPackage();
});
after(() => packed?.remove());

function run(command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test("publint --strict finds nothing to say about the tarball", () => {
  const { status, output } = run(bin("publint"), ["run", packed.tarball, "--strict"]);
  assert.equal(status, 0, output);
  assert.match(output, /All good!/, output);
});

test("Are the Types Wrong? (esm-only) finds no problem in the tarball", () => {
  const { status, output } = run(bin("attw"), [packed.tarball, "--profile", "esm-only", "--format", "json"]);
  assert.equal(status, 0, output);
  const report = JSON.parse(output.slice(output.indexOf("{"))) as { analysis: { problems: { kind: string; resolutionKind: string; entrypoint: string }[] } };
  const counted = report.analysis.problems.filter((problem) => !["node10", "node16-cjs"].includes(problem.resolutionKind));
  assert.deepEqual(counted, []);
});
