import { authFilePaths, entryCredentials, lookupByHost, readAuthFile, type StoredCredentials } from "./_auth_file.ts";
import { credentialHelperGet, type HelperCredentials } from "./_credential_helper.ts";
import { serverUrl } from "./_registry_host.ts";

/**
 * The stored credentials for a registry host, looked up as docker, crane and
 * podman do: in `$REGISTRY_AUTH_FILE`, `${XDG_RUNTIME_DIR}/containers/auth.json`,
 * then Docker's config.json, and in each file `credHelpers[host]`, then
 * `auths[host]`, then `credsStore`. Undefined means anonymous.
 *
 * @param host The registry host as a reference names it: `ghcr.io`, `127.0.0.1:5000`, `index.docker.io`.
 * @throws {CredentialHelperError} when a helper that is configured for the host is missing or fails.
 * @throws {SyntaxError} when a file exists but is not JSON.
 */
export async function findCredentials(host: string, env: NodeJS.ProcessEnv = process.env): Promise<StoredCredentials | undefined> {
  for (const path of authFilePaths(env)) {
    const file = await readAuthFile(path);
    if (!file) continue;
    const helper = lookupByHost(file.credHelpers, host);
    if (typeof helper === "string" && helper !== "") {
      const found = await credentialHelperGet(helper, serverUrl(host), env);
      if (found) return fromHelper(found);
    }
    const entry = lookupByHost(file.auths, host);
    const stored = entry && typeof entry === "object" ? entryCredentials(entry) : undefined;
    if (stored) return stored;
    if (file.credsStore) {
      const found = await credentialHelperGet(file.credsStore, serverUrl(host), env);
      if (found) return fromHelper(found);
    }
  }
  return undefined;
}

function fromHelper(found: HelperCredentials): StoredCredentials {
  return found.username === "<token>" ? { identityToken: found.secret } : { username: found.username, password: found.secret };
}
