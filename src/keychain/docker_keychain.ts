import process from "node:process";
import type { Credentials } from "../registry/credentials.ts";
import { authFilePaths, type AuthFile, entryCredentials, readAuthFile } from "./_auth_file.ts";
import { helperGet, type HelperRun } from "./_credential_helper.ts";
import { matchingKeys, registryHost, serverUrl } from "./_registry_keys.ts";

/** The default deadline of a credential helper, in milliseconds. */
const HELPER_TIMEOUT = 60_000;

/** Options for {@link dockerKeychain}. */
export interface DockerKeychainOptions {
  /**
   * The environment to read `REGISTRY_AUTH_FILE`, `XDG_RUNTIME_DIR`,
   * `DOCKER_CONFIG` and `HOME` from, and to run credential helpers with
   * (their `PATH` finds them).
   *
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Milliseconds a credential helper has to answer; then it is killed with
   * every process it started (its process group), its pipes are closed, and
   * the lookup fails with {@link CredentialHelperError}.
   *
   * @default 60_000
   */
  helperTimeout?: number;
}

/**
 * A keychain: the credentials for a registry host and repository, or
 * undefined for anonymous. It fits the `auth` option of every entry point
 * (an {@link AuthOption} function).
 */
export type DockerKeychain = (registry: string, repository?: string) => Promise<Credentials | undefined>;

/**
 * The credentials docker, podman and crane would use, looked up where they
 * keep them, for the `auth` option of `writeImage`, `pullImage`,
 * `writeLayer`, `RegistryClient` and the rest (go-containerregistry's
 * `authn.DefaultKeychain`). Node and Deno only: it reads files and runs
 * credential helpers.
 *
 * The files, in order (the first that has something for the repository wins):
 * 1. `$REGISTRY_AUTH_FILE`;
 * 2. `${XDG_RUNTIME_DIR}/containers/auth.json` (podman, skopeo, buildah);
 * 3. `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
 *
 * In each file, the most specific key first: an `auths` or `credHelpers` key
 * `host/namespace[/…]` that the repository is in, the longest first, as
 * podman matches auth.json (credentials filed for `ghcr.io/team-a` never go
 * to `ghcr.io/team-b`); then, for the whole host, `credHelpers[host]`, then
 * `credsStore`, then `auths[host]`. A helper is `docker-credential-<name>` on
 * the `PATH`, asked with the credential-helper protocol (`get`, the server
 * URL on stdin); a helper that holds nothing for the host passes the turn to
 * the next place. Keys are matched as docker does: `https://ghcr.io`,
 * `ghcr.io` and `ghcr.io/v1/`-style URLs are one host, Docker Hub is
 * `index.docker.io` under any of its names, and is asked for as
 * `https://index.docker.io/v1/`. Nothing is cached: each call reads the
 * files again (a client asks once per repository).
 *
 * @param options The environment to read, and the helpers' deadline.
 * @returns A function of the registry host and repository, for `auth`.
 * @throws {RangeError} when `helperTimeout` is not a positive number of milliseconds.
 * @throws {CredentialHelperError} (from the function) when a helper configured for the host is missing, fails, hangs past its deadline or floods its output.
 * @throws {SyntaxError} (from the function) when a file exists but is not JSON; the message never quotes it.
 *
 * @example Pushing with what `docker login` stored
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { StreamLayer, appendLayers, createTarStream, emptyImage, writeImage } from "streamlayer";
 * import { dockerKeychain } from "streamlayer/keychain";
 *
 * // A config.json as docker login writes it, with one account per namespace, as podman allows.
 * const dir = await mkdtemp(join(tmpdir(), "docker-"));
 * const auth = (user: string) => Buffer.from(`${user}:secret`).toString("base64");
 * await writeFile(join(dir, "config.json"), JSON.stringify({
 *   auths: { "127.0.0.1:5000": { auth: auth("everyone") }, "127.0.0.1:5000/team-a": { auth: auth("alice") } },
 * }));
 * const keychain = dockerKeychain({ env: { DOCKER_CONFIG: dir } });
 * assert.deepEqual(await keychain("127.0.0.1:5000", "team-a/app"), { username: "alice", password: "secret" });
 * assert.deepEqual(await keychain("127.0.0.1:5000", "team-b/app"), { username: "everyone", password: "secret" });
 * assert.equal(await keychain("ghcr.io", "team-a/app"), undefined);
 *
 * const layer = new StreamLayer(createTarStream([{ path: "hello.txt", data: "hello\n" }]));
 * const descriptor = await writeImage("127.0.0.1:5000/team-a/app:1", appendLayers(emptyImage(), layer), { auth: keychain });
 * assert.match(descriptor.digest, /^sha256:[0-9a-f]{64}$/);
 * ```
 */
export function dockerKeychain(options: DockerKeychainOptions = {}): DockerKeychain {
  const helperTimeout = options.helperTimeout ?? HELPER_TIMEOUT;
  if (!Number.isFinite(helperTimeout) || helperTimeout <= 0) throw new RangeError(`Invalid helperTimeout: ${helperTimeout}: expected a positive number of milliseconds`);
  return (registry, repository) => {
    const run: HelperRun = { env: options.env ?? process.env, timeout: helperTimeout };
    return findCredentials(registryHost(registry), repository, run);
  };
}

async function findCredentials(host: string, repository: string | undefined, run: HelperRun): Promise<Credentials | undefined> {
  for (const path of authFilePaths(run.env)) {
    const file = await readAuthFile(path);
    const found = file && (await fromFile(file, host, repository, run));
    if (found) return found;
  }
  return undefined;
}

async function fromFile(file: AuthFile, host: string, repository: string | undefined, run: HelperRun): Promise<Credentials | undefined> {
  const helpers = matchingKeys(file.credHelpers, host, repository).filter(({ value }) => typeof value === "string" && value !== "");
  const entries = matchingKeys(file.auths, host, repository);
  // Namespaced keys, the longest first; at equal depth a helper before an entry.
  const deepest = Math.max(0, ...helpers.map((m) => m.depth), ...entries.map((m) => m.depth));
  for (let depth = deepest; depth > 0; depth--) {
    for (const { value } of helpers.filter((m) => m.depth === depth)) {
      const found = await helperGet(value as string, serverUrl(host), run);
      if (found) return found;
    }
    for (const { value } of entries.filter((m) => m.depth === depth)) {
      const found = entryCredentials(value);
      if (found) return found;
    }
  }
  const hostHelper = helpers.find((m) => m.depth === 0);
  if (hostHelper) {
    const found = await helperGet(hostHelper.value as string, serverUrl(host), run);
    if (found) return found;
  }
  if (file.credsStore) {
    const found = await helperGet(file.credsStore, serverUrl(host), run);
    if (found) return found;
  }
  const hostEntry = entries.find((m) => m.depth === 0 && entryCredentials(m.value));
  return hostEntry && entryCredentials(hostEntry.value);
}
