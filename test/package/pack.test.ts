// What `npm pack` ships: dist with its types, README and LICENSE, nothing
// else; and that the packed package resolves through its `exports` in Node
// and in a bundler for browsers, installed as a user's project would have it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { build } from "esbuild";
import { temporaryDirectory } from "../support/tools.ts";

const root = join(import.meta.dirname, "../..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  exports: Record<string, { types: string; default: string }>;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};
let files: string[];
let project: Awaited<ReturnType<typeof temporaryDirectory>>;

before(async () => {
  execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "ignore" });
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" })) as {
    files: { path: string }[];
  }[];
  files = packed!.files.map((file) => file.path).sort();

  // A user's project with the real tarball unpacked into node_modules.
  project = await temporaryDirectory("streamlayer-consumer-");
  const [tarball] = JSON.parse(execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", project.path], { cwd: root, encoding: "utf8" })) as { filename: string }[];
  const modules = join(project.path, "node_modules");
  mkdirSync(join(modules, "streamlayer"), { recursive: true });
  execFileSync("tar", ["-xzf", join(project.path, tarball!.filename), "-C", join(modules, "streamlayer"), "--strip-components=1"]);
  for (const name of Object.keys(manifest.dependencies)) symlinkSync(join(root, "node_modules", name), join(modules, name), "dir");
});
after(() => project?.remove());

test("the package holds dist's JavaScript and types, README and LICENSE, and nothing else", () => {
  const outside = files.filter((path) => !/^dist\/.+\.(js|d\.ts)$/.test(path) && !["README.md", "LICENSE", "package.json"].includes(path));
  assert.deepEqual(outside, []);
  for (const required of ["README.md", "LICENSE", "package.json"]) assert.ok(files.includes(required), `${required} is packed`);
  assert.ok(!files.some((path) => path.endsWith(".map")), "no source maps pointing at sources that are not shipped");
});

test("every entry of exports and bin is in the package, with its types", () => {
  for (const [entry, target] of Object.entries(manifest.exports)) {
    assert.ok(files.includes(target.default.replace(/^\.\//, "")), `${entry}: ${target.default}`);
    assert.ok(files.includes(target.types.replace(/^\.\//, "")), `${entry}: ${target.types}`);
  }
  for (const target of Object.values(manifest.bin)) assert.ok(files.includes(target.replace(/^\.\//, "")), target);
});

test("Node imports the packed package by name, core and layout", () => {
  const script = [
    "const core = await import('streamlayer');",
    "const layout = await import('streamlayer/layout');",
    "const layer = new core.StreamLayer(new Blob([new Uint8Array(1024)]).stream());",
    "await new Response(layer.compressed()).arrayBuffer();",
    "console.log(JSON.stringify({ diffID: await layer.diffID(), writeLayer: typeof core.writeLayer, writeLayout: typeof layout.writeLayout }));",
  ].join("\n");
  const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: project.path, encoding: "utf8" });
  assert.deepEqual(JSON.parse(output), {
    diffID: "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
    writeLayer: "function",
    writeLayout: "function",
  });
});

test("a bundler for browsers resolves the packed package, with no Node built-in in the core", async () => {
  const result = await build({
    stdin: { contents: "export { StreamLayer, writeLayer } from 'streamlayer';", resolveDir: project.path, loader: "js" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    splitting: true,
    outdir: join(project.path, "out"),
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((path) => path.includes("node_modules/streamlayer/dist/index.js")), "resolved through exports");
  assert.deepEqual(inputs.filter((path) => path.startsWith("node:") || path.includes("/layout/") || path.includes("/cli/")), []);
});
