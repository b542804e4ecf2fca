// What `npm pack` ships: exactly what users need (the JavaScript and types
// tsc makes from the sources the build compiles, the command bundled from
// them, README, LICENSE), derived from
// tsconfig.build.json and package.json rather than listed here; and that the
// packed package resolves through its `exports` in Node and in a bundler for
// browsers, installed as a user's project would have it. The package is built
// into a fresh directory (packPackage), so files a checkout's dist/ kept from
// an older build cannot hide a missing one or add a stale one.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { build } from "esbuild";
import { BUNDLE } from "../../scripts/bundle_cli.ts";
import { consumerProject, packPackage, type Packed } from "./_packed.ts";
import { filesUnder, globPattern, npmBuiltSources, npmManifest } from "./_published_sources.ts";

interface PackedManifest {
  exports: Record<string, { types: string; default: string }>;
  bin: Record<string, string>;
}

let packed: Packed;
let manifest: PackedManifest;
let files: string[];
let project: Awaited<ReturnType<typeof consumerProject>>;
let sources: string[];
// Files other than TypeScript that the build copies from src/ into dist/ (a
// WebAssembly module, say): those package.json's `files` asks for by pattern.
let copiedAssets: string[];

before(async () => {
  sources = npmBuiltSources();
  const { files: patterns } = npmManifest();
  const assetPatterns = patterns.filter((pattern) => pattern.startsWith("dist/") && !/\.(js|d\.ts)$/.test(pattern)).map(globPattern);
  copiedAssets = filesUnder("src")
    .filter((path) => !path.endsWith(".ts"))
    .map((path) => path.replace(/^src\//, "dist/"))
    .filter((path) => assetPatterns.some((pattern) => pattern.test(path)));
  packed = await packPackage();
  manifest = JSON.parse(execFileSync("tar", ["-xzOf", packed.tarball, "package/package.json"], { encoding: "utf8" })) as PackedManifest;
  const [listing] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: packed.directory, encoding: "utf8" })) as {
    files: { path: string }[];
  }[];
  files = listing!.files.map((file) => file.path).sort();
  project = await consumerProject(packed.tarball);
});
after(() => project?.remove());

test("the package holds exactly the built JavaScript and types of the sources, README, LICENSE and package.json", () => {
  // tsc emits nothing for a declaration file among the sources.
  const built = sources.filter((source) => !source.endsWith(".d.ts")).flatMap((source) => {
    const base = source.replace(/^src\//, "dist/").replace(/\.ts$/, "");
    return [`${base}.js`, `${base}.d.ts`];
  });
  // And the command bundled into one file (scripts/bundle_cli.ts), which "bin" names.
  const bundled = Object.values(manifest.bin).map((target) => target.replace(/^\.\//, ""));
  assert.deepEqual(bundled, [`dist/${BUNDLE}`]);
  assert.deepEqual(files, [...built, ...bundled, ...copiedAssets, "LICENSE", "README.md", "package.json"].sort());
  assert.ok(!files.some((path) => path.endsWith(".map")), "no source maps pointing at sources that are not shipped");
});

test("every entry of exports and bin is in the package, with its types", () => {
  for (const [entry, target] of Object.entries(manifest.exports)) {
    assert.ok(files.includes(target.default.replace(/^\.\//, "")), `${entry}: ${target.default}`);
    assert.ok(files.includes(target.types.replace(/^\.\//, "")), `${entry}: ${target.types}`);
  }
  for (const target of Object.values(manifest.bin)) assert.ok(files.includes(target.replace(/^\.\//, "")), target);
});

test("Node imports every entry point of the packed package by name, and the core makes a layer", () => {
  const names = Object.keys(manifest.exports).map((entry) => `streamlayer${entry.slice(1)}`);
  const script = [
    `const names = ${JSON.stringify(names)};`,
    "const exported = {};",
    "for (const name of names) exported[name] = Object.keys(await import(name)).length;",
    "const core = await import('streamlayer');",
    "const layer = new core.StreamLayer(new Blob([new Uint8Array(1024)]).stream());",
    "await new Response(layer.compressed()).arrayBuffer();",
    "console.log(JSON.stringify({ diffID: await layer.diffID(), exported }));",
  ].join("\n");
  const output = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: project.path, encoding: "utf8" })) as {
    diffID: string;
    exported: Record<string, number>;
  };
  assert.equal(output.diffID, "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
  assert.deepEqual(Object.keys(output.exported), names);
  for (const [name, count] of Object.entries(output.exported)) assert.ok(count > 0, `${name} exports something`);
});

test("the packed command runs: streamlayer --help", () => {
  const [command] = Object.values(manifest.bin);
  const help = execFileSync(process.execPath, [join(project.path, "node_modules/streamlayer", command!), "--help"], { encoding: "utf8" });
  assert.match(help, /^Usage: streamlayer <command>/);
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
