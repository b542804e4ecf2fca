// Starts Debian's real docker-registry (distribution 2.8) on 127.0.0.1 with an
// ephemeral port and a temporary directory, for integration tests.
//
//   const registry = await startRegistry({ auth: "basic" });
//   // registry.host === "127.0.0.1:PORT", registry.credentials === { username, password }
//   await registry.stop();
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTokenServer, type TokenServer } from "./token_server.ts";

export const REGISTRY_BINARY = "/usr/bin/docker-registry";

export type RegistryAuth = "none" | "basic" | "token";

export interface StartRegistryOptions {
  /** How the registry authenticates clients. @default "none" */
  auth?: RegistryAuth;
  /** Token lifetime announced by the token server (token auth only). @default 300 */
  tokenTtlSeconds?: number;
}

export interface RunningRegistry {
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
  const dir = mkdtempSync(join(tmpdir(), "streamlayer-registry-"));
  let tokenServer: TokenServer | undefined;
  let authConfig = "";
  if (auth === "basic") {
    const line = execFileSync("htpasswd", ["-nbB", USER.username, USER.password], { encoding: "utf8" }).trim();
    writeFileSync(join(dir, "htpasswd"), `${line}\n`);
    authConfig = `auth:\n  htpasswd:\n    realm: streamlayer-test\n    path: ${join(dir, "htpasswd")}\n`;
  } else if (auth === "token") {
    tokenServer = await startTokenServer({ dir, user: USER, ttlSeconds: options.tokenTtlSeconds });
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
      host: `127.0.0.1:${port}`,
      url,
      credentials: auth === "none" ? undefined : { ...USER },
      tokenServer,
      dir,
      logs: () => output,
      stop: async () => {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
        await tokenServer?.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
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
