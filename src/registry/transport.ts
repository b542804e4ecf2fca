import { followLocation } from "./_address.ts";
import { type AuthOption, basicAuthorization, type Credentials, isToken, resolveCredentials } from "./credentials.ts";
import { discardBody } from "./_bounded_body.ts";
import { RegistryError, redactUrl, TimeoutError } from "./errors.ts";
import { networkFailureHint } from "./_network_failure_hints.ts";
import { responseError } from "./_response_errors.ts";
import { retryDelay, sleep } from "./_retry.ts";
import { resolveTimeout, timeoutFetch } from "./_timeout_fetch.ts";
import { TokenCache } from "./_token_cache.ts";
import { fetchToken } from "./_token_fetcher.ts";
import { type Challenge, parseWwwAuthenticate } from "./www_authenticate.ts";

const MAX_REDIRECTS = 5;
const PING_ATTEMPTS = 3;

/** What a {@link Transport} is built with. */
export interface TransportInit {
  /** `scheme://host[:port]` of the registry. */
  readonly base: URL;
  readonly auth?: AuthOption;
  readonly fetch?: typeof fetch;
  readonly tokens?: TokenCache;
  /** Milliseconds without progress before a request ends with {@link TimeoutError}; `false` for none. @default 60_000 */
  readonly timeout?: number | false;
}

/** One request through a {@link Transport}. */
export interface TransportRequest {
  readonly method: string;
  readonly url: URL | string;
  /** The scopes a token must carry, such as `repository:team/app:push,pull`. */
  readonly scopes: readonly string[];
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array | ReadableStream<Uint8Array>;
  readonly signal?: AbortSignal;
}

/**
 * The HTTP stack in front of one registry, like go-containerregistry's
 * `transport` package: ping `/v2/` once to learn the challenge, then basic or
 * bearer auth, tokens cached by scope and fetched again after a 401, and
 * redirects followed by hand so that credentials never leave the registry's own
 * host and a redirect to another host's private address is refused. A request
 * that makes no progress for `timeout` ends with {@link TimeoutError}.
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
  readonly base: URL;
  readonly #auth: AuthOption | undefined;
  readonly #fetch: typeof fetch;
  readonly #tokens: TokenCache;
  #challenge: Promise<Challenge | undefined> | undefined;
  #credentials: Promise<Credentials | undefined> | undefined;

  constructor(init: TransportInit) {
    this.base = init.base;
    this.#auth = init.auth;
    const inner: typeof fetch = init.fetch ?? ((input, requestInit) => globalThis.fetch(input, requestInit));
    // Every request, the token server's included, ends when it stops making progress.
    this.#fetch = timeoutFetch(inner, resolveTimeout(init.timeout));
    this.#tokens = init.tokens ?? new TokenCache();
  }

  /**
   * Sends a request with the registry's auth. Answers of any status come
   * back, except that a 401 is answered once by fetching a new token and
   * sending again (when the body can be sent again: not a stream).
   *
   * @throws {RegistryError} with no status when no response came.
   * @throws {AuthError} when the token server refuses.
   * @throws the signal's reason when aborted.
   */
  async send(request: TransportRequest): Promise<Response> {
    const challenge = await this.#ping(request.signal);
    const first = await this.#authorization(challenge, request, false);
    const { response, url } = await this.#sendWithRedirects(request, first);
    if (response.status !== 401 || request.body instanceof ReadableStream) return response;
    // Another host's challenge would send our credentials to a realm of its choosing: its 401 is final.
    if (new URL(response.url || url).origin !== this.base.origin) return response;
    // An expired token, or a registry whose anonymous ping hid the challenge that a push meets.
    const fresh = pickChallenge(parseWwwAuthenticate(response.headers.get("www-authenticate"))) ?? challenge;
    if (fresh === undefined) return response;
    const second = await this.#authorization(fresh, request, true);
    if (second === undefined || second === first) return response;
    await discardBody(response);
    this.#challenge = Promise.resolve(fresh);
    return (await this.#sendWithRedirects(request, second)).response;
  }

  #ping(signal: AbortSignal | undefined): Promise<Challenge | undefined> {
    this.#challenge ??= this.#doPing(signal).catch((error: unknown) => {
      this.#challenge = undefined;
      throw error;
    });
    return this.#challenge;
  }

  // A registry that is restarting or overloaded answers the ping with a 5xx
  // or not at all; that is worth a short wait, a refusal is not.
  async #doPing(signal: AbortSignal | undefined): Promise<Challenge | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#pingOnce(signal);
      } catch (error) {
        if (!(error instanceof RegistryError) || !error.temporary || error instanceof TimeoutError || attempt + 1 >= PING_ATTEMPTS || signal?.aborted) throw error;
        await sleep(retryDelay(attempt, null), signal);
      }
    }
  }

  async #pingOnce(signal: AbortSignal | undefined): Promise<Challenge | undefined> {
    const url = new URL("/v2/", this.base);
    const response = await this.#fetchOnce("GET", url, { accept: "application/json" }, undefined, signal);
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
    this.#credentials ??= resolveCredentials(this.#auth, this.base.host);
    const credentials = await this.#credentials;
    if (credentials && isToken(credentials)) return `Bearer ${credentials.token}`;
    if (challenge === undefined) return undefined;
    if (challenge.scheme === "basic") return credentials ? basicAuthorization(credentials) : undefined;
    if (challenge.scheme !== "bearer") return undefined;
    const key = TokenCache.key(challenge.params.realm ?? "", challenge.params.service, request.scopes.join(" "));
    if (refresh) this.#tokens.delete(key);
    let token = this.#tokens.get(key);
    if (token === undefined) {
      const fetched = await fetchToken({ challenge, scopes: request.scopes, credentials, registry: this.base, fetch: this.#fetch, signal: request.signal });
      this.#tokens.set(key, fetched.token, fetched.expiresIn);
      token = fetched.token;
    }
    return `Bearer ${token}`;
  }

  /** Sends, following redirects; returns the last response and the URL that gave it. */
  async #sendWithRedirects(request: TransportRequest, authorization: string | undefined): Promise<{ response: Response; url: URL }> {
    let url = new URL(request.url, this.base);
    let method = request.method;
    let body = request.body;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { ...request.headers };
      // Credentials and tokens go to the registry's own origin only: not another host, nor plain HTTP to its host.
      if (authorization !== undefined && url.origin === this.base.origin) headers.authorization = authorization;
      const response = await this.#fetchOnce(method, url, headers, body, request.signal);
      const location = response.headers.get("location");
      if (![301, 302, 303, 307, 308].includes(response.status) || location === null || hop === MAX_REDIRECTS) return { response, url };
      const next = followLocation(location, { registry: this.base, from: url, method, status: response.status });
      if (body instanceof ReadableStream) return { response, url };
      await discardBody(response);
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        method = method === "HEAD" ? "HEAD" : "GET";
        body = undefined;
      }
      url = next;
    }
  }

  async #fetchOnce(method: string, url: URL, headers: Record<string, string>, body: TransportRequest["body"], signal: AbortSignal | undefined): Promise<Response> {
    const init: RequestInit & { duplex?: "half" } = { method, headers, signal, redirect: "manual" };
    if (body !== undefined) {
      init.body = body as BodyInit;
      if (body instanceof ReadableStream) init.duplex = "half";
    }
    try {
      const response = await this.#fetch(url, init);
      // A browser hides a manual redirect; let it follow instead (it drops Authorization across origins).
      if (response.type === "opaqueredirect") return await this.#fetch(url, { ...init, redirect: "follow" });
      return response;
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      if (cause instanceof TimeoutError) throw cause;
      const hint = await networkFailureHint(cause, url);
      throw new RegistryError({ method, url: url.href, cause, detail: [describe(cause, url), hint.detail].filter(Boolean).join(": "), temporary: hint.temporary });
    }
  }
}

// Bearer where offered, else Basic: the schemes a registry uses.
function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic");
}

// Some runtimes (Deno) repeat the whole URL in the message, query and all.
function describe(cause: unknown, url: URL): string {
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof inner?.code === "string" ? inner.code : undefined;
  const message = (cause instanceof Error ? cause.message : String(cause)).replaceAll(url.href, redactUrl(url.href));
  return code ? `${message} (${code})` : message;
}
