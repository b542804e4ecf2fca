// The examples type-check as a user's project would have them: the package as
// `npm publish` ships it (packPackage) installed into a scratch folder beside a
// copy of the example's files, and a tsconfig (or deno.json) that maps nothing
// to the sources: the example's own, with its in-repository "paths" dropped,
// and skipLibCheck off, so that streamlayer's .d.ts files are checked too.
// examples/node, examples/browser and examples/worker with tsc (the worker on
// @cloudflare/workers-types, as a Worker project has it); examples/deno with
// `deno check` (the npm package's binary).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import ts from "typescript";
import { bin, consumerProject, packPackage, root } from "../package/_packed.ts";

const run = promisify(execFile);
const DENO = createRequire(import.meta.url).resolve("deno/bin.cjs");

let tarball: string;
const projects: { remove(): Promise<void> }[] = [];
before(async () => (tarball = (await packPackage()).tarball));
after(async () => {
  for (const project of projects) await project.remove();
});

/** What the example's project is given besides streamlayer and its dependencies. */
interface Setup {
  /** Packages a user of the example installs for its types (linked from this repository's node_modules). */
  readonly modules: readonly string[];
  /** The compiler options a project of this kind starts from when the example ships no tsconfig.json. */
  readonly defaults?: ts.CompilerOptions | Record<string, unknown>;
}

/** A copy of examples/<name> with the packed package installed; the example's own node_modules and tsconfig left behind. */
async function scratchCopy(name: string, modules: readonly string[]): Promise<string> {
  const project = await consumerProject(tarball, modules);
  projects.push(project);
  const example = join(root, "examples", name);
  cpSync(example, project.path, { recursive: true, filter: (source) => !/[/\\]node_modules([/\\]|$)/.test(source.slice(example.length)) });
  return project.path;
}

/** `tsc -p` on the copy, with the example's tsconfig.json less "paths" (or `defaults`), skipLibCheck off. */
async function tsc(name: string, setup: Setup): Promise<{ code: number; output: string }> {
  const directory = await scratchCopy(name, setup.modules);
  const own = join(directory, "tsconfig.json");
  const config = existsSync(own) ? (ts.readConfigFile(own, ts.sys.readFile).config as { compilerOptions?: Record<string, unknown> } & Record<string, unknown>) : { compilerOptions: { ...setup.defaults } };
  const { paths: _paths, ...compilerOptions } = config.compilerOptions ?? {};
  writeFileSync(own, JSON.stringify({ ...config, compilerOptions: { ...compilerOptions, skipLibCheck: false, noEmit: true } }, null, 2));
  return outcome(run(bin("tsc"), ["-p", own], { cwd: directory }));
}

async function outcome(running: Promise<{ stdout: string; stderr: string }>): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await running;
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : 1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

test("examples/node: tsc against the packed package's types", async () => {
  const { code, output } = await tsc("node", { modules: ["@types/node", "undici-types"] });
  assert.equal(code, 0, output);
});

test("examples/worker: tsc against the packed package's types and @cloudflare/workers-types", async () => {
  const { code, output } = await tsc("worker", { modules: ["@cloudflare/workers-types"] });
  assert.equal(code, 0, output);
});

test("examples/browser: tsc against the packed package's types, as Vite's TypeScript template configures it", async () => {
  const { code, output } = await tsc("browser", {
    modules: ["vite", "@types/node", "undici-types"],
    defaults: {
      target: "ES2022", lib: ["ES2023", "DOM", "DOM.Iterable"], module: "ESNext", moduleResolution: "Bundler",
      strict: true, allowImportingTsExtensions: true, types: ["vite/client"], isolatedModules: true,
    },
  });
  assert.equal(code, 0, output);
});

test("examples/deno: deno check against the packed package's types (deno.json's imports of the sources dropped)", async () => {
  const directory = await scratchCopy("deno", ["@types/node", "undici-types"]);
  const configPath = join(directory, "deno.json");
  const { imports: _imports, ...config } = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>;
  writeFileSync(configPath, JSON.stringify({ ...config, nodeModulesDir: "manual" }, null, 2));
  // A manual node_modules is found through package.json, as `npm install streamlayer` leaves it.
  writeFileSync(join(directory, "package.json"), JSON.stringify({ type: "module", dependencies: { streamlayer: "*" } }));
  const { code, output } = await outcome(run(process.execPath, [DENO, "check", "push.ts"], { cwd: directory, env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } }));
  assert.equal(code, 0, output);
});
