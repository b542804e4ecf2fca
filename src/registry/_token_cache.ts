/** A bearer token and when it stops being good, in milliseconds since the epoch. */
export interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * Bearer tokens by realm, service and scope, until they expire.
 *
 * A token is dropped a little before its announced expiry (a tenth of its
 * lifetime, at most 30 s) so that a long request does not start with a token
 * about to die. A 401 still evicts it early, through {@link TokenCache.delete}.
 */
export class TokenCache {
  readonly #tokens = new Map<string, CachedToken>();
  readonly #now: () => number;

  /** @param now The clock, in milliseconds since the epoch. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The token for a key, if one is cached and still good. */
  get(key: string): string | undefined {
    const cached = this.#tokens.get(key);
    if (cached === undefined) return undefined;
    if (cached.expiresAt <= this.#now()) {
      this.#tokens.delete(key);
      return undefined;
    }
    return cached.token;
  }

  /** Caches a token announced to live `expiresInSeconds`. */
  set(key: string, token: string, expiresInSeconds: number): void {
    const lifetime = expiresInSeconds * 1000;
    const margin = Math.min(lifetime / 10, 30_000);
    this.#tokens.set(key, { token, expiresAt: this.#now() + lifetime - margin });
  }

  /** Forgets a token, after the registry refused it. */
  delete(key: string): void {
    this.#tokens.delete(key);
  }

  /** The key of a token: the realm, the service and the scope. */
  static key(realm: string, service: string | undefined, scope: string): string {
    return `${realm} ${service ?? ""} ${scope}`;
  }
}
