import { Buffer } from "node:buffer";
import { dockerConfigPath, type Environment, readAuthFile } from "./_auth_file.ts";
import { rewriteConfig } from "./_config_file.ts";
import { helperErase, type HelperRun, helperStore } from "./_credential_helper.ts";
import { type JsonObject, jsonNode, memberValue } from "./_json_text.ts";
import { isHostKey, matchingKeys, serverUrl } from "./_registry_keys.ts";

/** Where `login` put the credentials, or `logout` took them from. */
export interface LoginPlace {
  /** Docker's config.json. */
  path: string;
  /** The credential helper that holds the secret (`docker-credential-<name>`), when one is configured for the host. */
  helper: string | undefined;
}

/**
 * Stores credentials for a registry host as `docker login` does: through the
 * credential helper Docker's config.json names for the host (`credHelpers`,
 * else `credsStore`), with only an empty `auths` entry in the file; else in
 * the file's `auths`, base64 `user:password` under the host's server URL.
 * Other spellings of the host's key are replaced; keys of a namespace
 * (`host/team`) and everything else in the file are kept as written.
 *
 * @throws {CredentialHelperError} when the helper is missing, fails or hangs.
 */
export async function storeLogin(host: string, username: string, password: string, run: HelperRun): Promise<LoginPlace> {
  const path = dockerConfigPath(run.env);
  const helper = await configuredHelper(path, host);
  if (helper !== undefined) await helperStore(helper, serverUrl(host), username, password, run);
  const entry: Record<string, string> = helper === undefined ? { auth: Buffer.from(`${username}:${password}`, "utf8").toString("base64") } : {};
  await rewriteConfig(path, (config) => {
    const auths = authsOf(config);
    auths.members = auths.members.filter((member) => !isHostKey(member.key, host));
    auths.members.push({ key: serverUrl(host), keyText: JSON.stringify(serverUrl(host)), value: jsonNode(entry) });
    return true;
  });
  return { path, helper: helper && `docker-credential-${helper}` };
}

/**
 * Removes a registry host's credentials as `docker logout` does: erased from
 * its credential helper when one is configured, and every host-level key of
 * it dropped from `auths` (keys of a namespace, `host/team`, are kept).
 *
 * @returns Where they were looked for, and whether any were there.
 * @throws {CredentialHelperError} when the helper is missing, fails or hangs.
 */
export async function eraseLogin(host: string, run: HelperRun): Promise<LoginPlace & { removed: boolean }> {
  const path = dockerConfigPath(run.env);
  const helper = await configuredHelper(path, host);
  let removed = helper !== undefined && (await helperErase(helper, serverUrl(host), run));
  await rewriteConfig(path, (config) => {
    const auths = memberValue(config, "auths");
    if (auths?.kind !== "object") return false;
    const kept = auths.members.filter((member) => !isHostKey(member.key, host));
    if (kept.length === auths.members.length) return false;
    auths.members = kept;
    removed = true;
    return true;
  });
  return { path, helper: helper && `docker-credential-${helper}`, removed };
}

// The helper docker would store through: credHelpers for the host, else credsStore.
async function configuredHelper(path: string, host: string): Promise<string | undefined> {
  const file = await readAuthFile(path);
  if (!file) return undefined;
  const named = matchingKeys(file.credHelpers, host, undefined).find(({ value }) => typeof value === "string" && value !== "");
  return (named?.value as string | undefined) ?? file.credsStore;
}

// The `auths` object, made when the file has none (or has something else under that key).
function authsOf(config: JsonObject): JsonObject {
  const found = memberValue(config, "auths");
  if (found?.kind === "object") return found;
  const auths: JsonObject = { kind: "object", members: [] };
  config.members = config.members.filter((member) => member.key !== "auths");
  config.members.push({ key: "auths", keyText: '"auths"', value: auths });
  return auths;
}

