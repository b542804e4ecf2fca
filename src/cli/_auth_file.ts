import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { registryHost } from "./_registry_host.ts";

/** One entry of `auths`, in any of the spellings docker, podman and crane write. */
export interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** The parts of Docker's config.json (or containers' auth.json) that hold credentials. */
export interface AuthFile {
  path: string;
  auths: Record<string, AuthEntry>;
  credHelpers: Record<string, string>;
  credsStore: string | undefined;
}

/** What a file or helper holds for a registry: a password, a ready bearer token, or an identity (refresh) token. */
export type StoredCredentials =
  | { username: string; password: string }
  | { token: string }
  | { identityToken: string };

/** Where Docker keeps config.json: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), ".docker"), "config.json");
}

/**
 * The files credentials are looked up in, in order: `$REGISTRY_AUTH_FILE`,
 * `${XDG_RUNTIME_DIR}/containers/auth.json` (podman, skopeo, buildah), then
 * Docker's config.json.
 */
export function authFilePaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const paths: string[] = [];
  if (env.REGISTRY_AUTH_FILE) paths.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) paths.push(join(env.XDG_RUNTIME_DIR, "containers", "auth.json"));
  paths.push(dockerConfigPath(env));
  return paths;
}

/**
 * Reads an auth file; undefined when it does not exist.
 *
 * @throws {SyntaxError} when it exists but is not a JSON object; the message never quotes the file.
 */
export async function readAuthFile(path: string): Promise<AuthFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  const parsed = parseAuthJson(text, path);
  return {
    path,
    auths: isObject(parsed.auths) ? (parsed.auths as Record<string, AuthEntry>) : {},
    credHelpers: isObject(parsed.credHelpers) ? (parsed.credHelpers as Record<string, string>) : {},
    credsStore: typeof parsed.credsStore === "string" && parsed.credsStore !== "" ? parsed.credsStore : undefined,
  };
}

/** The whole JSON object of an auth file, for rewriting it. */
export function parseAuthJson(text: string, path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes the text around the fault, which here is a credential.
    throw new SyntaxError(`Cannot parse ${path}: not valid JSON`, { cause: error });
  }
  if (!isObject(parsed)) throw new SyntaxError(`Cannot parse ${path}: not a JSON object`);
  return parsed;
}

/** The value filed under `host` in `record`, whatever spelling of the host its key uses. */
export function lookupByHost<T>(record: Record<string, T>, host: string): T | undefined {
  if (Object.hasOwn(record, host)) return record[host];
  for (const [key, value] of Object.entries(record)) if (registryHost(key) === host) return value;
  return undefined;
}

/** The credentials of an `auths` entry, or undefined when it holds none (an entry kept for a credsStore). */
export function entryCredentials(entry: AuthEntry): StoredCredentials | undefined {
  if (typeof entry.registrytoken === "string" && entry.registrytoken !== "") return { token: entry.registrytoken };
  if (typeof entry.identitytoken === "string" && entry.identitytoken !== "") return { identityToken: entry.identitytoken };
  let username = entry.username;
  let password = entry.password;
  if (typeof entry.auth === "string" && entry.auth !== "") {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (typeof username !== "string" || typeof password !== "string" || username === "") return undefined;
  return username === "<token>" ? { identityToken: password } : { username, password };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
