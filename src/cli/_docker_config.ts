import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Credentials } from "../registry/credentials.ts";

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  registrytoken?: string;
}

const DOCKER_HUB_KEYS = ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"];

/** Where Docker keeps config.json: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), ".docker"), "config.json");
}

/**
 * Credentials for `registry` from the `auths` of Docker's config.json, or
 * undefined for anonymous access (also when the file does not exist).
 * Credential helpers (`credsStore`, `credHelpers`) are not run.
 *
 * @throws {SyntaxError} when the file exists but is not JSON.
 */
export async function dockerConfigCredentials(registry: string, path = dockerConfigPath()): Promise<Credentials | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  let auths: Record<string, AuthEntry>;
  try {
    auths = (JSON.parse(text) as { auths?: Record<string, AuthEntry> }).auths ?? {};
  } catch (error) {
    // JSON.parse quotes the text around the fault, which here is a credential.
    throw new SyntaxError(`Cannot parse Docker config: ${path}: not valid JSON`, { cause: error });
  }
  const keys = registry === "index.docker.io" ? DOCKER_HUB_KEYS : [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`];
  for (const key of keys) {
    const entry = auths[key];
    if (entry) return fromEntry(entry);
  }
  return undefined;
}

function fromEntry(entry: AuthEntry): Credentials | undefined {
  if (entry.registrytoken) return { token: entry.registrytoken };
  if (entry.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
