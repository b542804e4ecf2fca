// The README's install before the first release, followed as written: its
// shell blocks (the ones after <!-- install-from-clone --> and
// <!-- install-from-clone-deno -->) run by bash in a scratch folder holding a
// copy of this clone as ./streamlayer and an empty project as ./my-app. One
// deviation: `npm ci` in the copy links this checkout's node_modules (the
// same lockfile) instead of installing it again. Then the installed package
// is used by name, in Node and in Deno, the way an application would.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { readFileSync } from "node:fs";
import { temporaryDirectory } from "../support/tools.ts";

const root = join(import.meta.dirname, "../..");
const BIN = join(root, "node_modules/.bin");
// 1024 zero bytes: the DiffID is the SHA-256 of the tar as given.
const DIFF_ID = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

let scratch: Awaited<ReturnType<typeof temporaryDirectory>>;
let app: string;

/** The shell block after `<!-- name -->` in the README. */
function readmeBlock(name: string): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const match = new RegExp(`<!-- ${name} -->\\n\`\`\`sh\\n([\\s\\S]*?)\\n\`\`\`\\n`).exec(readme);
  assert.ok(match, `README.md has a sh block after <!-- ${name} -->`);
  return match[1]!;
}

/** Runs a README block in bash, from `cwd`, as a user's shell would; returns stdout. */
function bash(block: string, cwd: string): string {
  const prelude = `set -euo pipefail\nnpm() { if [ "$1" = ci ]; then ln -s "${join(root, "node_modules")}" node_modules; else command npm "$@"; fi; }\n`;
  const result = spawnSync("bash", ["-c", prelude + block], {
    cwd,
    encoding: "utf8",
    timeout: 540_000,
    env: {
      ...process.env,
      PATH: `${process.env.PATH}:${BIN}`, // deno, as the `deno` npm package installs it
      NO_COLOR: "1",
      DENO_DIR: join(scratch.path, ".deno"),
      npm_config_prefer_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
    },
  });
  assert.equal(result.status, 0, `${block}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

before(async () => {
  scratch = await temporaryDirectory("streamlayer-install-");
  // What a clone holds: the files git tracks, and new ones it does not ignore.
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
  for (const file of files) {
    if (statSync(join(root, file), { throwIfNoEntry: false })?.isDirectory()) continue; // a link git does not ignore (node_modules as a symlink)
    mkdirSync(dirname(join(scratch.path, "streamlayer", file)), { recursive: true });
    try {
      copyFileSync(join(root, file), join(scratch.path, "streamlayer", file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error; // deleted, not yet committed
    }
  }
  app = join(scratch.path, "my-app");
  mkdirSync(app);
  execFileSync("npm", ["init", "-y"], { cwd: app, stdio: "ignore" });
});
after(() => scratch?.remove());

test("the README's install from a clone: npm pack, npm install of the tarball, then Node imports it by name", () => {
  const output = bash(readmeBlock("install-from-clone"), scratch.path);
  assert.match(output, /\nfunction\n$/);
  const manifest = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  assert.match(manifest.dependencies.streamlayer!, /streamlayer-\d+\.\d+\.\d+\.tgz$/);
});

test("the README's install for Deno: the same node_modules, nodeModulesDir manual, import by name", () => {
  const output = bash(readmeBlock("install-from-clone-deno"), app);
  assert.equal(output, "function\n");
});

test("the installed package makes a layer in Node and in Deno, and its command runs", () => {
  const program = [
    'import { StreamLayer } from "streamlayer";',
    "const layer = new StreamLayer(new Blob([new Uint8Array(1024)]).stream());",
    "await new Response(layer.compressed()).arrayBuffer();",
    "console.log(await layer.diffID());",
  ].join("\n");
  writeFileSync(join(app, "layer.mjs"), program);
  assert.equal(bash("node layer.mjs", app), `${DIFF_ID}\n`);
  assert.equal(bash("deno run layer.mjs", app), `${DIFF_ID}\n`);
  assert.match(bash("npx --no-install streamlayer --help", app), /^Usage: streamlayer <command>/);
});
