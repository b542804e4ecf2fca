import { dockerKeychain, type DockerKeychain } from "../keychain/index.ts";
import type { AuthOption, BasicCredentials, Credentials } from "../registry/credentials.ts";
import type { Reference } from "../registry/reference.ts";

/** What {@link CommandAuth} is built with. */
export interface CommandAuthInit {
  /** The registry written to; the only one that gets the command-line credentials. */
  destination: Reference | undefined;
  /** `--username` with `--password-stdin`. */
  commandLine: BasicCredentials | undefined;
  env?: NodeJS.ProcessEnv;
}

/** The `host[:port]` a transport for `reference` asks credentials for. */
export function urlHost(reference: Reference): string {
  return new URL(`${reference.scheme}://${reference.registry}`).host;
}

/**
 * How long a credential helper has: 60 s, or `STREAMLAYER_HELPER_TIMEOUT_MS`
 * milliseconds (so that the tests of a hanging helper need not wait a minute).
 */
export function helperTimeout(env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env.STREAMLAYER_HELPER_TIMEOUT_MS);
  return Number.isFinite(given) && given > 0 ? given : 60_000;
}

/**
 * The credentials of one command, host by host: `--username` and
 * `--password-stdin` for the destination's registry only (never a `--base` on
 * another host, nor that host's token realm), the Docker keychain
 * (`streamlayer/keychain`) for every other host and repository (an identity
 * token among them, which the library trades at the token realm, and again
 * whenever its access token expires), and anonymous when there are none.
 * Remembers which hosts were given credentials, so that a 401 can say
 * "refused" or "wanted".
 */
export class CommandAuth {
  readonly #init: CommandAuthInit;
  readonly #destinationHost: string | undefined;
  readonly #keychain: DockerKeychain;
  readonly #resolved = new Map<string, Promise<Credentials | undefined>>();
  /** Hosts whose transport asked for credentials. */
  readonly asked = new Set<string>();
  /** Hosts that were given some. */
  readonly given = new Set<string>();

  constructor(init: CommandAuthInit) {
    this.#init = init;
    this.#destinationHost = init.destination && urlHost(init.destination);
    const env = init.env ?? process.env;
    this.#keychain = dockerKeychain({ env, helperTimeout: helperTimeout(env) });
  }

  /** The library's `auth` option: asked once per host and repository. */
  readonly option: AuthOption = (host: string, repository?: string) => {
    const key = `${host}/${repository ?? ""}`;
    let resolved = this.#resolved.get(key);
    if (!resolved) {
      resolved = this.#resolve(host, repository);
      this.#resolved.set(key, resolved);
    }
    return resolved;
  };

  async #resolve(host: string, repository: string | undefined): Promise<Credentials | undefined> {
    this.asked.add(host);
    const credentials = this.#init.commandLine && host === this.#destinationHost ? this.#init.commandLine : await this.#keychain(host, repository);
    if (credentials) this.given.add(host);
    return credentials;
  }
}
