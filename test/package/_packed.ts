// The package as `npm publish` would ship it, built from the sources into a
// directory of its own (not the checkout's dist/, which other test runs build
// too), and a user's project with that tarball installed.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { temporaryDirectory } from "../support/tools.ts";

export const root = join(import.meta.dirname, "../..");
export const bin = (name: string): string => join(root, "node_modules/.bin", name);

export interface Packed {
  /** Where the package was built and packed; the tarball is in it. */
  readonly directory: string;
  readonly tarball: string;
  remove(): Promise<void>;
}

/** Builds the package the way `npm run build` does, into a fresh directory, and packs it. */
export async function packPackage(): Promise<Packed> {
  const staging = await temporaryDirectory("streamlayer-pack-");
  try {
    for (const file of ["package.json", "README.md", "LICENSE"]) copyFileSync(join(root, file), join(staging.path, file));
    const dist = join(staging.path, "dist");
    execFileSync(bin("tsc"), ["-p", join(root, "tsconfig.build.json"), "--outDir", dist], { cwd: root, stdio: "pipe" });
    execFileSync(process.execPath, ["--import", "tsx", join(root, "scripts/declaration_imports.ts"), dist], { cwd: root, stdio: "pipe" });
    const [packed] = JSON.parse(execFileSync("npm", ["pack", "--json", "--ignore-scripts"], { cwd: staging.path, encoding: "utf8" })) as { filename: string }[];
    return { directory: staging.path, tarball: join(staging.path, packed!.filename), remove: staging.remove };
  } catch (error) {
    await staging.remove();
    throw error;
  }
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
