// The package as `npm publish` would ship it, built from the sources into a
// directory of its own (not the checkout's dist/, which other test runs build
// too), and a user's project with that tarball installed. The build is shared:
// every check of one run (each test file is a process of its own) takes the
// same tarball, built once for what the sources are now.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { temporaryDirectory } from "../support/tools.ts";

export const root = join(import.meta.dirname, "../..");
export const bin = (name: string): string => join(root, "node_modules/.bin", name);

export interface Packed {
  /** Where the package was built and packed; the tarball is in it. */
  readonly directory: string;
  readonly tarball: string;
  /** Nothing to do: the build is kept for the other checks (see {@link packPackage}). */
  remove(): Promise<void>;
}

// Under .tmp/ (ignored by git), one directory per state of the sources.
const CACHE = join(root, ".tmp/packed");

/**
 * Builds the package the way `npm run build` does, into a fresh directory,
 * and packs it; or takes the tarball already built from the same sources
 * (what goes into the build, hashed), so that the checks of one run build once.
 */
export async function packPackage(): Promise<Packed> {
  const key = sourcesHash();
  const directory = join(CACHE, key);
  const marker = join(directory, "packed");
  const packed = (): Packed => ({ directory, tarball: join(directory, readFileSync(marker, "utf8")), remove: () => Promise.resolve() });
  if (existsSync(marker)) return packed();
  mkdirSync(CACHE, { recursive: true });
  const staging = mkdtempSync(join(CACHE, "building-"));
  try {
    for (const file of ["package.json", "README.md", "LICENSE"]) copyFileSync(join(root, file), join(staging, file));
    const dist = join(staging, "dist");
    execFileSync(bin("tsc"), ["-p", join(root, "tsconfig.build.json"), "--outDir", dist], { cwd: root, stdio: "pipe" });
    execFileSync(process.execPath, ["--import", "tsx", join(root, "scripts/declaration_imports.ts"), dist], { cwd: root, stdio: "pipe" });
    // What `npm run build` copies beside the JavaScript: zstd.wasm (built by build:zstd).
    for (const file of filesUnder(join(root, "src")).filter((path) => path.endsWith(".wasm"))) copyFileSync(join(root, file), join(dist, relative("src", file)));
    // And the command as one file (package.json's "bin"), bundled from that JavaScript.
    execFileSync(process.execPath, ["--import", "tsx", join(root, "scripts/bundle_cli.ts"), dist], { cwd: root, stdio: "pipe" });
    const [built] = JSON.parse(execFileSync("npm", ["pack", "--json", "--ignore-scripts"], { cwd: staging, encoding: "utf8" })) as { filename: string }[];
    writeFileSync(join(staging, "packed"), built!.filename);
    for (const old of readdirSync(CACHE)) if (/^[0-9a-f]{16}$/.test(old) && old !== key) rmSync(join(CACHE, old), { recursive: true, force: true });
    // Another check may have built the same sources meanwhile: either build will do.
    try {
      renameSync(staging, directory);
    } catch (error) {
      if (!existsSync(marker)) throw error;
    }
    return packed();
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** A hash of everything the build reads: the sources and the files around them. */
function sourcesHash(): string {
  const hash = createHash("sha256");
  const files = ["package.json", "README.md", "LICENSE", "tsconfig.json", "tsconfig.build.json", "scripts/declaration_imports.ts", "scripts/bundle_cli.ts", ...filesUnder(join(root, "src"))];
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(root, file))).update("\0");
  return hash.digest("hex").slice(0, 16);
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [relative(root, path)];
  }).sort();
}

/** A project with the tarball unpacked as node_modules/streamlayer and its dependencies beside it. */
export async function consumerProject(tarball: string, extraModules: readonly string[] = []): Promise<{ path: string; remove(): Promise<void> }> {
  const project = await temporaryDirectory("streamlayer-consumer-");
  const modules = join(project.path, "node_modules");
  mkdirSync(join(modules, "streamlayer"), { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", join(modules, "streamlayer"), "--strip-components=1"]);
  const manifest = JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" })) as { dependencies: Record<string, string> };
  for (const name of [...Object.keys(manifest.dependencies), ...extraModules]) {
    mkdirSync(join(modules, name, ".."), { recursive: true });
    symlinkSync(join(root, "node_modules", name), join(modules, name), "dir");
  }
  return project;
}
