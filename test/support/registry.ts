// Starts a real registry on 127.0.0.1 with an ephemeral port and a temporary
// directory, for integration tests: Debian's docker-registry (distribution
// 2.8), or go-containerregistry's registry (what `crane registry serve` runs),
// built once from ../shared/ggcr-registry and cached by its sources.
//
//   const registry = await startRegistry({ auth: "basic" });
//   // registry.host === "127.0.0.1:PORT", registry.credentials === { username, password }
//   await registry.stop();
//   const ggcr = await startRegistry({ kind: "ggcr" }); // anonymous only
import { execFile, execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startTokenServer, type TokenServer } from "./token_server.ts";

export const REGISTRY_BINARY = "/usr/bin/docker-registry";

/** The two registry implementations the tests run against. */
export type RegistryKind = "docker-registry" | "ggcr";
export const REGISTRY_KINDS: readonly RegistryKind[] = ["docker-registry", "ggcr"];

export type RegistryAuth = "none" | "basic" | "token";

export interface StartRegistryOptions {
  /** Which implementation. ggcr has no auth: only `auth: "none"`. @default "docker-registry" */
  kind?: RegistryKind;
  /** How the registry authenticates clients. @default "none" */
  auth?: RegistryAuth;
  /** Token lifetime announced by the token server (token auth only). @default 300 */
  tokenTtlSeconds?: number;
  /** docker-registry only: headers added to every answer (its `http.headers`) and the token server's, such as CORS headers. @default {} */
  httpHeaders?: Record<string, string[]>;
}

export interface RunningRegistry {
  kind: RegistryKind;
  /** `127.0.0.1:PORT`, the registry part of a reference. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The account to use with basic or token auth; undefined when anonymous. */
  credentials?: { username: string; password: string };
  /** The token server, with token auth. */
  tokenServer?: TokenServer;
  /** The registry's storage directory. */
  dir: string;
  /** What the registry printed so far (for debugging a failed test). */
  logs(): string;
  stop(): Promise<void>;
}

const USER = { username: "streamlayer", password: "s3cret-p4ss" };

/** Starts the registry and waits until `/v2/` answers. */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<RunningRegistry> {
  const auth = options.auth ?? "none";
  if (options.kind === "ggcr") {
    if (auth !== "none") throw new Error("go-containerregistry's registry has no auth: use auth \"none\"");
    return startGgcrRegistry();
  }
  const dir = mkdtempSync(join(tmpdir(), "streamlayer-registry-"));
  let tokenServer: TokenServer | undefined;
  let authConfig = "";
  if (auth === "basic") {
    const line = execFileSync("htpasswd", ["-nbB", USER.username, USER.password], { encoding: "utf8" }).trim();
    writeFileSync(join(dir, "htpasswd"), `${line}\n`);
    authConfig = `auth:\n  htpasswd:\n    realm: streamlayer-test\n    path: ${join(dir, "htpasswd")}\n`;
  } else if (auth === "token") {
    tokenServer = await startTokenServer({ dir, user: USER, ttlSeconds: options.tokenTtlSeconds, headers: options.httpHeaders });
    authConfig = [
      "auth:", "  token:", `    realm: ${tokenServer.realm}`, `    service: ${tokenServer.service}`,
      `    issuer: ${tokenServer.issuer}`, `    rootcertbundle: ${tokenServer.certPath}`, "",
    ].join("\n");
  }

  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config = [
      "version: 0.1",
      "log:", "  level: warn", "  accesslog:", "    disabled: true",
      "storage:", "  filesystem:", `    rootdirectory: ${join(dir, "data")}`, "  delete:", "    enabled: true",
      "  maintenance:", "    uploadpurging:", "      enabled: false",
      "http:", `  addr: 127.0.0.1:${port}`, `  secret: ${randomBytes(16).toString("hex")}`,
      ...httpHeadersConfig(options.httpHeaders),
      authConfig,
    ].join("\n");
    const configPath = join(dir, "config.yml");
    writeFileSync(configPath, config);
    const child = spawn(REGISTRY_BINARY, ["serve", configPath], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const url = `http://127.0.0.1:${port}`;
    const ready = await waitReady(url, exited);
    if (!ready) {
      child.kill("SIGKILL");
      if (attempt < 3 && output.includes("address already in use")) continue;
      await tokenServer?.stop();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`The registry did not start: ${output}`);
    }
    return {
      kind: "docker-registry",
      host: `127.0.0.1:${port}`,
      url,
      credentials: auth === "none" ? undefined : { ...USER },
      tokenServer,
      dir,
      logs: () => output,
      stop: async () => {
        await terminate(child, exited);
        await tokenServer?.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

// SIGTERM, and SIGKILL if the registry has not exited 3 s later.
async function terminate(child: { kill(signal: NodeJS.Signals): boolean }, exited: Promise<void>): Promise<void> {
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

function httpHeadersConfig(headers: Record<string, string[]> = {}): string[] {
  const entries = Object.entries(headers);
  if (entries.length === 0) return [];
  return ["  headers:", ...entries.map(([name, values]) => `    ${name}: ${JSON.stringify(values)}`)];
}

async function waitReady(url: string, exited: Promise<void>): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 15_000;
  while (!gone && Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/v2/`);
      await response.arrayBuffer();
      if (response.status === 200 || response.status === 401) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Where go-containerregistry's registry sources are: beside the clone in CI (read-only). */
export const GGCR_SOURCES = process.env.STREAMLAYER_GGCR_SOURCES ?? resolve(ROOT, "../shared/ggcr-registry");
const run = promisify(execFile);
let ggcrBuild: Promise<string> | undefined;

/** Starts go-containerregistry's registry (blobs in memory) and waits for its "serving on" line. */
async function startGgcrRegistry(): Promise<RunningRegistry> {
  const binary = await (ggcrBuild ??= buildGgcrRegistry());
  const dir = mkdtempSync(join(tmpdir(), "streamlayer-ggcr-"));
  const child = spawn(binary, ["-address", "127.0.0.1:0", "-quiet"], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const serving = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving on (127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then(() => reject(new Error(`go-containerregistry's registry exited: ${output}`)));
    setTimeout(() => reject(new Error(`go-containerregistry's registry did not start: ${output}`)), 15_000).unref();
  });
  let host: string;
  try {
    host = await serving;
  } catch (error) {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const url = `http://${host}`;
  if (!(await waitReady(url, exited))) throw new Error(`go-containerregistry's registry does not answer: ${output}`);
  return {
    kind: "ggcr",
    host,
    url,
    dir,
    logs: () => output,
    stop: async () => {
      await terminate(child, exited);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Builds the registry once into .tmp/, named by a hash of its sources, so that
 * test files share one build and a change of sources builds again. A lock
 * directory keeps parallel test files from building it twice.
 */
async function buildGgcrRegistry(): Promise<string> {
  if (!existsSync(join(GGCR_SOURCES, "build.sh"))) {
    throw new Error(`go-containerregistry's registry sources are missing: no ${GGCR_SOURCES}/build.sh (set STREAMLAYER_GGCR_SOURCES)`);
  }
  const cache = join(ROOT, ".tmp");
  mkdirSync(cache, { recursive: true });
  const binary = join(cache, `ggcr-registry-${hashTree(GGCR_SOURCES)}`);
  const lock = `${binary}.lock`;
  const deadline = Date.now() + 10 * 60_000;
  while (!existsSync(binary)) {
    try {
      mkdirSync(lock);
    } catch {
      // Another process is building it; a lock older than the longest build is stale.
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for another build of ${binary}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      const partial = `${binary}.${process.pid}.partial`;
      await run(join(GGCR_SOURCES, "build.sh"), [partial], { maxBuffer: 16 * 1024 * 1024 });
      renameSync(partial, binary);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return binary;
}

function hashTree(root: string): string {
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hash.update(relative(root, path)).update("\0").update(readFileSync(path)).update("\0");
    }
  };
  walk(root);
  return hash.digest("hex").slice(0, 16);
}
