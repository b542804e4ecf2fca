import { StreamLayerError } from "../errors.ts";

/**
 * A Docker credential helper (`docker-credential-<name>`) is missing, failed,
 * did not answer within its deadline, answered more than 1 MiB, or gave an
 * answer that is not its protocol's. The message names the helper and what
 * went wrong, and never repeats the helper's output, which may hold a secret.
 *
 * @example Telling a helper's failure apart
 * ```ts
 * import assert from "node:assert/strict";
 * import { CredentialHelperError, dockerKeychain } from "streamlayer/keychain";
 * import { mkdtemp, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * // A config.json that sends every registry to a helper that is not installed.
 * const dir = await mkdtemp(join(tmpdir(), "docker-"));
 * await writeFile(join(dir, "config.json"), JSON.stringify({ credsStore: "not-installed" }));
 * const keychain = dockerKeychain({ env: { DOCKER_CONFIG: dir, PATH: "/nonexistent" } });
 * await assert.rejects(keychain("ghcr.io", "team/app"), (error) => {
 *   assert.ok(error instanceof CredentialHelperError);
 *   assert.equal(error.code, "CREDENTIAL_HELPER");
 *   assert.equal(error.helper, "docker-credential-not-installed");
 *   assert.equal(error.message, "Credential helper docker-credential-not-installed was not found on the PATH");
 *   return true;
 * });
 * ```
 */
export class CredentialHelperError extends StreamLayerError {
  /** Always `"CredentialHelperError"`. */
  override readonly name = "CredentialHelperError";
  /** The helper's executable, `docker-credential-<name>`. */
  readonly helper: string;

  /** Makes the error from the helper's executable name and what went wrong, worded to follow it. */
  constructor(helper: string, reason: string, options?: ErrorOptions) {
    super("CREDENTIAL_HELPER", `Credential helper ${helper} ${reason}`, options);
    this.helper = helper;
  }
}
