// What the two registries are given, derived from their own manifests rather
// than listed here: the files jsr.json's `publish` takes, the files npm's build
// compiles, and the bare specifiers those files import (read by TypeScript's
// own pre-processor, so imports inside doc comments do not count).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { root } from "./_packed.ts";

export interface JsrManifest {
  readonly exports: Record<string, string>;
  readonly imports: Record<string, string>;
  readonly publish: { readonly include: readonly string[]; readonly exclude?: readonly string[] };
}

export interface NpmManifest {
  readonly files: readonly string[];
  readonly exports: Record<string, { readonly types: string; readonly default: string }>;
  readonly dependencies: Record<string, string>;
}

export const jsrManifest = (): JsrManifest => JSON.parse(readFileSync(join(root, "jsr.json"), "utf8")) as JsrManifest;
export const npmManifest = (): NpmManifest => JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as NpmManifest;

/** A glob of jsr.json's `publish` (`*`, `**`) as a regular expression over paths relative to the root. */
export function globPattern(glob: string): RegExp {
  const source = glob
    .split(/(\*\*\/|\*\*|\*)/)
    .map((part) => (part === "**/" ? "(?:.*/)?" : part === "**" ? ".*" : part === "*" ? "[^/]*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`);
}

/** Every file under a folder of the root (but node_modules and dot folders), relative to the root. */
export function filesUnder(directory = "."): string[] {
  return readdirSync(join(root, directory), { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) return [];
    const path = join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [relative(root, join(root, path))];
  });
}

/** The files `deno publish` takes, by jsr.json's include and exclude. */
export function jsrPublishedFiles(manifest: JsrManifest = jsrManifest()): string[] {
  const include = manifest.publish.include.map(globPattern);
  const exclude = (manifest.publish.exclude ?? []).map(globPattern);
  return filesUnder(".")
    .filter((path) => include.some((pattern) => pattern.test(path)) && !exclude.some((pattern) => pattern.test(path)))
    .sort();
}

/** The TypeScript sources `npm run build` compiles into dist/ (tsconfig.build.json's own list). */
export function npmBuiltSources(): string[] {
  const configPath = join(root, "tsconfig.build.json");
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath);
  return parsed.fileNames.map((path) => relative(root, path)).sort();
}

/** Whether a specifier names a package (not a relative path, a URL, a Node built-in or an `npm:`/`jsr:` one). */
function isBare(specifier: string): boolean {
  return !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
}

/** The bare specifiers the given source files import, statically or dynamically, in code (not in comments). */
export function bareImports(files: readonly string[]): string[] {
  const found = new Set<string>();
  for (const file of files.filter((path) => path.endsWith(".ts"))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), "utf8"), true, true);
    for (const { fileName } of importedFiles) if (isBare(fileName)) found.add(fileName);
  }
  return [...found].sort();
}

/** An npm package's name from a bare specifier (`pako`, `@scope/name/sub` → `@scope/name`). */
export function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** jsr.json's npm: imports as package name → version range (`"pako": "npm:pako@^3.0.3"` → `pako: ^3.0.3`). */
export function jsrNpmDependencies(manifest: JsrManifest = jsrManifest()): Record<string, string> {
  const dependencies: Record<string, string> = {};
  for (const target of Object.values(manifest.imports)) {
    const match = /^npm:(@?[^@]+)@([^/]+)/.exec(target);
    if (match) dependencies[match[1]!] = match[2]!;
  }
  return dependencies;
}
