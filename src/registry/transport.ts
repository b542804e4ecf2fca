import { runtime } from "#runtime";
import { type AuthOption, basicAuthorization, type Credentials, isToken, resolveCredentials } from "./credentials.ts";
import { discardBody } from "./_bounded_body.ts";
import { redirectRoundTrip } from "./_redirects.ts";
import { responseError } from "./_response_errors.ts";
import { retryRoundTrip } from "./_retrying.ts";
import { fetchRoundTrip, type HttpRequest, type RoundTrip } from "./_round_trip.ts";
import { resolveMinSpeed, resolveTimeout, timeoutFetch } from "./_timeout_fetch.ts";
import { TokenCache } from "./_token_cache.ts";
import { fetchToken } from "./_token_fetcher.ts";
import { type Challenge, parseWwwAuthenticate } from "./www_authenticate.ts";

/** What a {@link Transport} is built with. */
export interface TransportInit {
  /** `scheme://host[:port]` of the registry. */
  readonly base: URL;
  /** Credentials, or a function of the registry host (and repository) that gives them. @default anonymous */
  readonly auth?: AuthOption;
  /** The repository the transport serves (`team/app`), handed to an `auth` function. @default undefined */
  readonly repository?: string;
  /** The `fetch` to send requests with. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * A token cache to share between transports. @default a cache of its own
   *
   * Internal: RegistryClient shares one between the transports it makes (TokenCache is not exported).
   * @ignore
   */
  readonly tokens?: TokenCache;
  /** Milliseconds without progress before a request ends with {@link TimeoutError}; `false` for none. @default 60_000 */
  readonly timeout?: number | false;
  /** The slowest a body may move, in bytes per second over each `timeout` of waiting; 0 for no floor. @default 1024 */
  readonly minSpeed?: number;
}

/** One request through a {@link Transport}. */
export interface TransportRequest {
  /** The HTTP method. */
  readonly method: string;
  /** The URL, or a path on the registry's base. */
  readonly url: URL | string;
  /** The scopes a token must carry, such as `repository:team/app:push,pull`. */
  readonly scopes: readonly string[];
  /** Headers to send; `Authorization` is added by the transport. */
  readonly headers?: Record<string, string>;
  /** The request body: bytes, or a stream (sent with `duplex: "half"`). */
  readonly body?: Uint8Array | ReadableStream<Uint8Array>;
  /** Aborts the request. */
  readonly signal?: AbortSignal;
  /**
   * Whether the request may be sent again after a 408, 429, 5xx or no
   * answer. A streamed body never is.
   *
   * @default true for GET and HEAD, else false
   */
  readonly idempotent?: boolean;
}

/**
 * The HTTP stack in front of one registry, like go-containerregistry's
 * `transport` package, one chain of layers that every request goes through,
 * the token server's included (see docs/transport.md): ping `/v2/` once to
 * learn the challenge, then basic or bearer auth, tokens cached by scope and
 * fetched again after a 401; idempotent requests retried on 408, 429, 5xx and
 * dropped connections, with jittered backoff and `Retry-After`, within the
 * timeout; redirects followed by hand so that credentials never leave the
 * registry's own host and a redirect to another host's private address is
 * refused; and a request that makes no progress for `timeout`, or whose body
 * moves slower than `minSpeed`, ends with {@link TimeoutError}.
 *
 * @example A request the client has no method for: listing tags
 * ```ts
 * import assert from "node:assert/strict";
 * import { RegistryClient } from "streamlayer/registry";
 *
 * const client = new RegistryClient("127.0.0.1:5000/demo");
 * const response = await client.transport.send({ method: "GET", url: "/v2/demo/tags/list", scopes: [client.scope(false)] });
 * assert.equal(response.status, 200);
 * assert.ok((await response.json()).tags.includes("latest"));
 * ```
 */
export class Transport {
  /** `scheme://host[:port]` of the registry. */
  readonly base: URL;
  readonly #auth: AuthOption | undefined;
  readonly #repository: string | undefined;
  readonly #roundTrip: RoundTrip;
  readonly #tokens: TokenCache;
  #challenge: Promise<Challenge | undefined> | undefined;
  #credentials: Promise<Credentials | undefined> | undefined;

  /**
   * Makes a transport for one registry; nothing is sent until the first request.
   *
   * @throws {RangeError} when `timeout` or `minSpeed` is out of range.
   */
  constructor(init: TransportInit) {
    this.base = init.base;
    this.#auth = init.auth;
    this.#repository = init.repository;
    const timeout = resolveTimeout(init.timeout);
    const limits = {
      timeout,
      minSpeed: resolveMinSpeed(init.minSpeed),
      // Node's fetch streams a request body and keeps its Content-Length: a chunk sent that way is watched as it goes.
      streamWholeBodies: init.fetch === undefined && runtime.isNode,
    };
    const given: typeof fetch = init.fetch ?? ((input, requestInit) => globalThis.fetch(input, requestInit));
    this.#roundTrip = retryRoundTrip(redirectRoundTrip(fetchRoundTrip(timeoutFetch(given, limits)), this.base), { timeout });
    this.#tokens = init.tokens ?? new TokenCache();
  }

  /**
   * Sends a request with the registry's auth. Answers of any status come
   * back (after the retries an idempotent request gets), except that a 401
   * is answered once by fetching a new token and sending again (when the body
   * can be sent again: not a stream).
   *
   * @throws {RegistryError} with no status when no response came.
   * @throws {AuthError} when the token server refuses.
   * @throws the signal's reason when aborted.
   */
  async send(request: TransportRequest): Promise<Response> {
    const challenge = await this.#ping(request.signal);
    const first = await this.#authorization(challenge, request, false);
    const response = await this.#roundTrip(this.#outgoing(request, first));
    if (response.status !== 401 || request.body instanceof ReadableStream) return response;
    // Another host's challenge would send our credentials to a realm of its choosing: its 401 is final.
    if (new URL(response.url || new URL(request.url, this.base).href).origin !== this.base.origin) return response;
    // An expired token, or a registry whose anonymous ping hid the challenge that a push meets.
    const fresh = pickChallenge(parseWwwAuthenticate(response.headers.get("www-authenticate"))) ?? challenge;
    if (fresh === undefined) return response;
    const second = await this.#authorization(fresh, request, true);
    if (second === undefined || second === first) return response;
    await discardBody(response);
    this.#challenge = Promise.resolve(fresh);
    return this.#roundTrip(this.#outgoing(request, second));
  }

  // Credentials and tokens go to the registry's own origin only: not another host, nor plain HTTP to its host.
  #outgoing(request: TransportRequest, authorization: string | undefined): HttpRequest {
    const url = new URL(request.url, this.base);
    const headers: Record<string, string> = { ...request.headers };
    if (authorization !== undefined && url.origin === this.base.origin) headers.authorization = authorization;
    return { method: request.method, url, headers, body: request.body, signal: request.signal, idempotent: request.idempotent };
  }

  #ping(signal: AbortSignal | undefined): Promise<Challenge | undefined> {
    this.#challenge ??= this.#doPing(signal).catch((error: unknown) => {
      this.#challenge = undefined;
      throw error;
    });
    return this.#challenge;
  }

  // A registry that is restarting or overloaded answers the ping with a 5xx
  // or not at all: the retry layer waits for it; a refusal is final.
  async #doPing(signal: AbortSignal | undefined): Promise<Challenge | undefined> {
    const url = new URL("/v2/", this.base);
    const response = await this.#roundTrip({ method: "GET", url, headers: { accept: "application/json" }, signal });
    if (response.status === 401) {
      await discardBody(response);
      return pickChallenge(parseWwwAuthenticate(response.headers.get("www-authenticate")));
    }
    if (response.ok) {
      await discardBody(response);
      return undefined;
    }
    throw await responseError("GET", url.href, response, "the registry's /v2/ endpoint failed");
  }

  async #authorization(challenge: Challenge | undefined, request: TransportRequest, refresh: boolean): Promise<string | undefined> {
    this.#credentials ??= resolveCredentials(this.#auth, this.base.host, this.#repository);
    const credentials = await this.#credentials;
    if (credentials && isToken(credentials)) return `Bearer ${credentials.token}`;
    if (challenge === undefined) return undefined;
    if (challenge.scheme === "basic") return credentials ? basicAuthorization(credentials) : undefined;
    if (challenge.scheme !== "bearer") return undefined;
    const key = TokenCache.key(challenge.params.realm ?? "", challenge.params.service, request.scopes.join(" "));
    if (refresh) this.#tokens.delete(key);
    let token = this.#tokens.get(key);
    if (token === undefined) {
      const fetched = await fetchToken({ challenge, scopes: request.scopes, credentials, registry: this.base, roundTrip: this.#roundTrip, signal: request.signal });
      this.#tokens.set(key, fetched.token, fetched.expiresIn);
      token = fetched.token;
    }
    return `Bearer ${token}`;
  }
}

// Bearer where offered, else Basic: the schemes a registry uses.
function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic");
}
