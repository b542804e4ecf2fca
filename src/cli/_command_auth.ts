import type { AuthOption, BasicCredentials, Credentials } from "../registry/credentials.ts";
import type { Reference } from "../registry/reference.ts";
import { exchangeIdentityToken } from "./_identity_token.ts";
import { findCredentials } from "./_keychain.ts";
import { registryHost } from "./_registry_host.ts";

/** What {@link CommandAuth} is built with. */
export interface CommandAuthInit {
  /** The registry written to; the only one that gets the command-line credentials. */
  destination: Reference | undefined;
  /** `--username` with `--password-stdin`. */
  commandLine: BasicCredentials | undefined;
  /** The references the command reads or writes, for the scopes an identity token is traded for. */
  references: ReadonlyArray<{ reference: Reference; push: boolean }>;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** The `host[:port]` a transport for `reference` asks credentials for. */
export function urlHost(reference: Reference): string {
  return new URL(`${reference.scheme}://${reference.registry}`).host;
}

/**
 * The credentials of one command, host by host: `--username` and
 * `--password-stdin` for the destination's registry only (never a `--base` on
 * another host, nor that host's token realm), stored credentials for every
 * other host, and anonymous when there are none. Remembers which hosts were
 * given credentials, so that a 401 can say "refused" or "wanted".
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
    const stored = await findCredentials(registryHost(host), this.#init.env);
    if (!stored || !("identityToken" in stored)) return stored;
    // Refused at the realm, the identity token is still credentials that were sent.
    this.given.add(host);
    const references = this.#init.references.filter((r) => urlHost(r.reference) === host);
    const first = references[0]?.reference;
    if (!first) return undefined;
    const scopes = [...new Set(references.map((r) => `repository:${r.reference.repository}:${r.push ? "push,pull" : "pull"}`))];
    return exchangeIdentityToken({
      base: new URL(`${first.scheme}://${first.registry}`),
      identityToken: stored.identityToken,
      scopes,
      signal: this.#init.signal,
    });
  }
}
