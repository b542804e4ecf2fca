// Runs the conformance suite in Deno (the `deno` npm package's binary):
// installs the packed package into ./node_modules as a user's project would
// have it, starts the real registry, runs `deno test`, stops the registry.
// Needs `npm run build` first. Exits with deno's status.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startRegistry } from "../../support/registry.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");

installPackedPackage();
const registry = await startRegistry();
let status = 1;
try {
  status = await runDeno(registry.host);
  if (status === 0) status = await runDenoKeychain(registry.host);
} finally {
  await registry.stop();
}
process.exit(status);

/** `npm pack`, then unpack into ./node_modules/streamlayer, with its dependencies linked from the root. */
function installPackedPackage(): void {
  const packDir = mkdtempSync(join(tmpdir(), "streamlayer-pack-"));
  try {
    const [packed] = JSON.parse(execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", packDir], { cwd: root, encoding: "utf8" })) as { filename: string }[];
    const modules = join(here, "node_modules");
    rmSync(modules, { recursive: true, force: true });
    mkdirSync(join(modules, "streamlayer"), { recursive: true });
    execFileSync("tar", ["-xzf", join(packDir, packed!.filename), "-C", join(modules, "streamlayer"), "--strip-components=1"]);
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    // Node's types too: the suite imports the sources, whose Deno adapter imports node:zlib, and
    // `deno test` type-checks it; with a manual node_modules, Deno finds those types only there.
    for (const name of [...Object.keys(manifest.dependencies), "@types/node", "undici-types"]) {
      mkdirSync(join(modules, name, ".."), { recursive: true });
      symlinkSync(join(root, "node_modules", name), join(modules, name), "dir");
    }
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
}

// streamlayer/keychain runs credential helpers and reads files wherever DOCKER_CONFIG says: its
// suite gets what it needs to run programs, apart from the core's, which must not need them.
function runDenoKeychain(registryHost: string): Promise<number> {
  const deno = createRequire(import.meta.url).resolve("deno/bin.cjs");
  const args = [
    deno, "test", "--config", join(here, "deno.json"),
    "--allow-net=127.0.0.1", "--allow-env", "--allow-read", "--allow-write", "--allow-run",
    join(here, "keychain_test.ts"),
  ];
  const child = spawn(process.execPath, args, { cwd: here, stdio: "inherit", env: { ...process.env, STREAMLAYER_REGISTRY: registryHost } });
  return new Promise((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
}

function runDeno(registryHost: string): Promise<number> {
  const deno = createRequire(import.meta.url).resolve("deno/bin.cjs");
  const args = [
    deno, "test", "--config", join(here, "deno.json"),
    "--allow-net=127.0.0.1", "--allow-env=STREAMLAYER_REGISTRY", `--allow-read=${root}`,
    join(here, "conformance_test.ts"), join(here, "worker_push_test.ts"),
  ];
  const child = spawn(process.execPath, args, { cwd: here, stdio: "inherit", env: { ...process.env, STREAMLAYER_REGISTRY: registryHost } });
  return new Promise((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
}
