import { Buffer } from "node:buffer";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Credentials } from "../registry/credentials.ts";

/** The environment the keychain reads: variables by name. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** One entry of `auths`, in any of the spellings docker, podman and crane write. */
export interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
  registrytoken?: unknown;
}

/** The parts of Docker's config.json (or containers' auth.json) that hold credentials. */
export interface AuthFile {
  path: string;
  auths: Record<string, unknown>;
  credHelpers: Record<string, unknown>;
  credsStore: string | undefined;
}

/** Where Docker keeps config.json: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: Environment): string {
  return join(env.DOCKER_CONFIG || join(env.HOME || homedir(), ".docker"), "config.json");
}

/**
 * The files credentials are looked up in, in order: `$REGISTRY_AUTH_FILE`,
 * `${XDG_RUNTIME_DIR}/containers/auth.json` (podman, skopeo, buildah), then
 * Docker's config.json.
 */
export function authFilePaths(env: Environment): string[] {
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
  } catch (error) {
    // Not there (or a path through a file): nothing stored. Anything else (unreadable) is said.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
  const parsed = parseAuthJson(text, path);
  return {
    path,
    auths: isObject(parsed.auths) ? parsed.auths : {},
    credHelpers: isObject(parsed.credHelpers) ? parsed.credHelpers : {},
    credsStore: typeof parsed.credsStore === "string" && parsed.credsStore !== "" ? parsed.credsStore : undefined,
  };
}

/** The whole JSON object of an auth file. */
export function parseAuthJson(text: string, path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text around the fault, which here is a credential: not even kept as the cause.
    throw new SyntaxError(`Cannot parse ${path}: not valid JSON`);
  }
  if (!isObject(parsed)) throw new SyntaxError(`Cannot parse ${path}: not a JSON object`);
  return parsed;
}

/** The credentials of an `auths` entry, or undefined when it holds none (an entry kept for a credsStore). */
export function entryCredentials(entry: unknown): Credentials | undefined {
  if (!isObject(entry)) return undefined;
  const { auth, identitytoken, registrytoken } = entry as AuthEntry;
  if (typeof registrytoken === "string" && registrytoken !== "") return { token: registrytoken };
  if (typeof identitytoken === "string" && identitytoken !== "") return { identityToken: identitytoken };
  let { username, password } = entry as AuthEntry;
  if (typeof auth === "string" && auth !== "") {
    const decoded = Buffer.from(auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (typeof username !== "string" || typeof password !== "string" || username === "") return undefined;
  return username === "<token>" ? { identityToken: password } : { username, password };
}

/** Whether `value` is a JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
