import type { AuthOption, BasicCredentials, Credentials } from "../registry/credentials.ts";
import type { Reference } from "../registry/reference.ts";
import { findCredentials } from "./_keychain.ts";
import { registryHost } from "./_registry_host.ts";

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
 * The credentials of one command, host by host: `--username` and
 * `--password-stdin` for the destination's registry only (never a `--base` on
 * another host, nor that host's token realm), stored credentials for every
 * other host (an identity token among them, which the library trades at the
 * token realm, and again whenever its access token expires), and anonymous
 * when there are none. Remembers which hosts were given credentials, so that
 * a 401 can say "refused" or "wanted".
 */
export class CommandAuth {
  readonly #init: CommandAuthInit;
  readonly #destinationHost: string | undefined;
  readonly #resolved = new Map<string, Promise<Credentials | undefined>>();
  /** Hosts whose transport asked for credentials. */
  readonly asked = new Set<string>();
  /** Hosts that were given some. */
  readonly given = new Set<string>();

  constructor(init: CommandAuthInit) {
    this.#init = init;
    this.#destinationHost = init.destination && urlHost(init.destination);
  }

  /** The library's `auth` option. */
  readonly option: AuthOption = (host: string) => {
    let resolved = this.#resolved.get(host);
    if (!resolved) {
      resolved = this.#resolve(host);
      this.#resolved.set(host, resolved);
    }
    return resolved;
  };

  async #resolve(host: string): Promise<Credentials | undefined> {
    this.asked.add(host);
    const credentials = await this.#find(host);
    if (credentials) this.given.add(host);
    return credentials;
  }

  async #find(host: string): Promise<Credentials | undefined> {
    if (this.#init.commandLine && host === this.#destinationHost) return this.#init.commandLine;
    return findCredentials(registryHost(host), this.#init.env);
  }
}
