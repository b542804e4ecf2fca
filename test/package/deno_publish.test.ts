// `deno publish --dry-run` (what JSR will take: jsr.json's exports, slow
// types, dynamic imports) passes with no warning, run as JSR will see the
// package: in a scratch folder holding only the files jsr.json publishes, with
// jsr.json as the only import map. The checkout's package.json and
// node_modules would resolve an import jsr.json forgets (pako was), so they are
// not there. Deno cannot download npm packages here, so the scratch folder gets
// a node_modules with only the packages jsr.json names (linked from the
// checkout's), and any download is pointed at a closed port to fail loudly.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { temporaryDirectory } from "../support/tools.ts";
import { bin, root } from "./_packed.ts";
import { jsrManifest, jsrNpmDependencies, jsrPublishedFiles } from "./_published_sources.ts";

// Deno type-checks the sources' node: imports with @types/node, as JSR's own
// build does; it is types only and not something users install.
const TYPES_FOR_NODE_IMPORTS = ["@types/node", "undici-types"];

let scratch: Awaited<ReturnType<typeof temporaryDirectory>>;

before(async () => {
  scratch = await temporaryDirectory("streamlayer-jsr-");
  for (const file of jsrPublishedFiles()) {
    mkdirSync(dirname(join(scratch.path, file)), { recursive: true });
    copyFileSync(join(root, file), join(scratch.path, file));
  }
  copyFileSync(join(root, "jsr.json"), join(scratch.path, "jsr.json"));
  const dependencies = jsrNpmDependencies();
  // A manual node_modules is read through a package.json naming what is in it.
  writeFileSync(join(scratch.path, "package.json"), JSON.stringify({ private: true, dependencies }, null, 2));
  for (const name of [...Object.keys(dependencies), ...TYPES_FOR_NODE_IMPORTS]) {
    mkdirSync(dirname(join(scratch.path, "node_modules", name)), { recursive: true });
    symlinkSync(join(root, "node_modules", name), join(scratch.path, "node_modules", name), "dir");
  }
});
after(() => scratch?.remove());

function denoPublishDryRun(): { status: number | null; output: string } {
  const result = spawnSync(bin("deno"), ["publish", "--dry-run", "--allow-dirty", "--config", "jsr.json", "--node-modules-dir=manual"], {
    cwd: scratch.path,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", DENO_DIR: join(scratch.path, ".deno"), NPM_CONFIG_REGISTRY: "http://127.0.0.1:9/" },
    timeout: 180_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test("deno publish --dry-run succeeds with no warning, from the published files and jsr.json alone", () => {
  const { status, output } = denoPublishDryRun();
  assert.equal(status, 0, output);
  assert.match(output, /Dry run complete/);
  assert.deepEqual(output.split("\n").filter((line) => /warning/i.test(line)), []);
  assert.doesNotMatch(output, /Download /, "nothing was downloaded: jsr.json's npm packages came from the scratch node_modules");

  // What it would upload: the published files, each entry point among them, and nothing of the scratch set-up.
  const listed = [...output.matchAll(/^\s+file:\/\/\S+?\/(src\/\S+|README\.md|LICENSE|jsr\.json)\s/gm)].map(([, path]) => path!).sort();
  for (const target of Object.values(jsrManifest().exports)) assert.ok(listed.includes(target.replace(/^\.\//, "")), `${target} is published`);
  assert.deepEqual(listed.filter((path) => path.startsWith("src/cli/") || /(^|\/)test\//.test(path)), []);
});
