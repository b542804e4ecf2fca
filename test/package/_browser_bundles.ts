// A browser app that installs the packed tarball, bundled for production by
// webpack 5 and by Vite the way their users do, with every warning kept; and
// the minified bundle run in Node to read what its errors call themselves.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Logger } from "vite";
import { root } from "./_packed.ts";

// Each exported error class, made as an application would meet it. The test
// checks that this covers every error class the package exports.
export const ERROR_FACTORIES: Record<string, string> = {
  StreamLayerError: `new m.StreamLayerError("X", "x")`,
  NotComputedError: `new m.NotComputedError()`,
  ConsumedError: `new m.ConsumedError()`,
  UncompressedUnavailableError: `new m.UncompressedUnavailableError()`,
  InvalidLayerSourceError: `new m.InvalidLayerSourceError("gzip", "x")`,
  CompressorUnavailableError: `new m.CompressorUnavailableError("x")`,
  InvalidReferenceError: `new m.InvalidReferenceError("Team/App", "x")`,
  RegistryError: `new m.RegistryError({ method: "GET", url: "http://127.0.0.1/v2/", status: 500 })`,
  TimeoutError: `new m.TimeoutError({ method: "GET", url: "http://127.0.0.1/v2/" }, 1000)`,
  AuthError: `new m.AuthError({ method: "GET", url: "http://127.0.0.1/v2/", status: 401 })`,
  DigestMismatchError: `new m.DigestMismatchError("sha256:a", "sha256:b", "x")`,
  UploadNotResumableError: `new m.UploadNotResumableError("x")`,
  UnsafeRedirectError: `new m.UnsafeRedirectError("http://a/", "http://b/")`,
  NoMatchingPlatformError: `new m.NoMatchingPlatformError("r", "linux/amd64", [])`,
  UnsupportedImageError: `new m.UnsupportedImageError("r", "x")`,
  SizeMismatchError: `new m.SizeMismatchError("sha256:a", 1, 2, "x")`,
  UnsafeTarPathError: `new m.UnsafeTarPathError("../x")`,
  InvalidTarError: `new m.InvalidTarError("x")`,
};

// The whole root, so that every module a user may reach is in the bundle.
const APP = `
import * as m from "streamlayer";
const errors = { ${Object.entries(ERROR_FACTORIES).map(([name, make]) => `${name}: () => ${make}`).join(", ")} };
globalThis.errorNames = Object.fromEntries(Object.entries(errors).map(([name, make]) => [name, make().name]));
globalThis.pushes = typeof m.writeImage === "function" && typeof m.StreamLayer === "function";
`;

export function writeApp(project: string): string {
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "browser-app", private: true, type: "module" }));
  const entry = join(project, "app.js");
  writeFileSync(entry, APP);
  return entry;
}

export interface Bundle {
  readonly warnings: string[];
  /** The minified entry chunk, an ES module. */
  readonly entry: string;
}

/** Options of a bundle: which entry, and where to put it. */
export interface BundleOptions {
  /** The application's entry, a file of `project`. @default "app.js" */
  readonly entry?: string;
  /** The folder of the output, in `project`. @default "webpack-dist" or "vite-dist" */
  readonly output?: string;
  /** Vite's `worker.format`. @default Vite's own ("iife") */
  readonly workerFormat?: "es" | "iife";
  /** webpack: classic scripts (webpack's default output, workers loading chunks with importScripts) instead of ES modules. @default false */
  readonly scripts?: boolean;
}

export async function webpackBundle(project: string, options: BundleOptions = {}): Promise<Bundle> {
  const { default: webpack } = await import("webpack");
  const output = join(project, options.output ?? "webpack-dist");
  const stats = await new Promise<import("webpack").Stats>((resolve, reject) => {
    webpack({
      mode: "production",
      context: project,
      entry: `./${options.entry ?? "app.js"}`,
      target: "web",
      ...(options.scripts ? { output: { path: output, filename: "app.js" } } : {
        experiments: { outputModule: true },
        output: { path: output, filename: "app.js", module: true, chunkFormat: "module", chunkLoading: "import" },
      }),
      resolve: { modules: [join(project, "node_modules")] },
    }, (error, result) => (error || !result ? reject(error ?? new Error("webpack gave no stats")) : resolve(result)));
  });
  const info = stats.toJson({ all: false, warnings: true, errors: true });
  if (stats.hasErrors()) throw new Error(info.errors!.map((error) => error.message).join("\n"));
  return { warnings: (info.warnings ?? []).map((warning) => `${warning.moduleName ?? ""} ${warning.message}`), entry: join(output, "app.js") };
}

/**
 * The warnings a user of the package would have to act on. webpack's one size
 * hint ("asset size limit") about zstd's WebAssembly (about 500 KiB, fetched
 * only when a zstd layer is made, never with the page) is not one of them:
 * docs/runtimes.md says so and how to quiet it. A hint that names any other
 * asset is kept, and so is every other warning.
 */
export function warningsToActOn(warnings: readonly string[]): string[] {
  return warnings.filter((warning) => !isZstdWasmSizeHint(warning));
}

function isZstdWasmSizeHint(warning: string): boolean {
  if (!warning.includes("asset size limit")) return false;
  const assets = [...warning.matchAll(/^\s+(\S+) \([\d.]+ KiB\)$/gm)].map((match) => match[1]!);
  return assets.length > 0 && assets.every((asset) => asset.endsWith(".wasm"));
}

export async function viteBundle(project: string, options: BundleOptions = {}): Promise<Bundle> {
  const { build, createLogger } = await import("vite");
  const warnings: string[] = [];
  const logger: Logger = { ...createLogger("silent"), warn: (message) => warnings.push(message), warnOnce: (message) => warnings.push(message) };
  const output = join(project, options.output ?? "vite-dist");
  await build({
    root: project,
    configFile: false,
    logLevel: "silent",
    customLogger: logger,
    ...(options.workerFormat === undefined ? {} : { worker: { format: options.workerFormat } }),
    build: {
      outDir: output,
      target: "es2022",
      rollupOptions: {
        input: join(project, options.entry ?? "app.js"),
        output: { entryFileNames: "app.js" },
        onwarn: (warning) => warnings.push(`${warning.code ?? ""} ${warning.message}`),
      },
    },
  });
  return { warnings, entry: join(output, "app.js") };
}

/** Runs the bundle's entry as an ES module in a fresh Node and returns what its errors call themselves. */
export function errorNamesOf(bundle: Bundle): Record<string, string> {
  const script = `await import(${JSON.stringify(pathToFileURL(bundle.entry).href)}); console.log(JSON.stringify({ names: globalThis.errorNames, pushes: globalThis.pushes }));`;
  const result = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" })) as { names: Record<string, string>; pushes: boolean };
  if (!result.pushes) throw new Error("the bundle lost writeImage or StreamLayer");
  return result.names;
}

/** Whether the bundle was minified: its entry is a few long lines, not formatted code. */
export function isMinified(bundle: Bundle): boolean {
  const folder = join(bundle.entry, "..");
  const text = readdirSync(folder).filter((file) => file.endsWith(".js")).map((file) => readFileSync(join(folder, file), "utf8")).join("\n");
  const lines = text.split("\n").filter(Boolean);
  return text.length / lines.length > 500;
}
