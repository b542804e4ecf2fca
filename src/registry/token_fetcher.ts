import { assertSafeTarget, followLocation } from "./address.ts";
import { basicAuthorization, type Credentials, isToken } from "./credentials.ts";
import { discardBody, MAX_TOKEN_BODY, readJsonObject } from "./bounded_body.ts";
import { AuthError, RegistryError, TimeoutError } from "./errors.ts";
import { readRegistryErrors } from "./response_errors.ts";
import type { Challenge } from "./www_authenticate.ts";

// The lifetime the token specification gives a token that announces none.
const DEFAULT_EXPIRES_IN = 60;
const REDIRECTS = [301, 302, 303, 307, 308];
const MAX_REDIRECTS = 5;

/** A token and its announced lifetime in seconds. */
export interface FetchedToken {
  readonly token: string;
  readonly expiresIn: number;
}

/** What {@link fetchToken} needs. */
export interface FetchTokenInit {
  readonly challenge: Challenge;
  readonly scopes: readonly string[];
  readonly credentials: Credentials | undefined;
  /** The registry's base URL, to refuse a realm that points elsewhere at a private address. */
  readonly registry: URL;
  readonly fetch: typeof fetch;
  readonly signal?: AbortSignal;
}

/**
 * Asks a Bearer challenge's realm for a token (the registry token flow),
 * anonymously or with basic credentials, accepting `token` or `access_token`.
 *
 * @throws {AuthError} when the token server refuses the credentials or returns no token, or when an
 * HTTPS registry's realm is plain HTTP and there are credentials to send.
 * @throws {RegistryError} when the token server fails otherwise.
 * @throws {UnsafeRedirectError} when the realm, or a redirect from it, points another host at a private address.
 */
export async function fetchToken(init: FetchTokenInit): Promise<FetchedToken> {
  const { realm, service } = init.challenge.params;
  if (!realm) throw new AuthError({ method: "GET", url: init.registry.href, status: 401, detail: "the Bearer challenge has no realm" });
  let url: URL;
  try {
    url = new URL(realm);
  } catch (cause) {
    throw new AuthError({ method: "GET", url: init.registry.href, status: 401, cause, detail: `the Bearer realm is not a URL` });
  }
  assertSafeTarget(init.registry, url);
  if (service) url.searchParams.set("service", service);
  for (const scope of init.scopes) url.searchParams.append("scope", scope);
  const headers: Record<string, string> = { accept: "application/json" };
  if (init.credentials && !isToken(init.credentials)) {
    // An HTTPS registry whose realm is plain HTTP would have the password cross the network in the clear.
    if (url.protocol === "http:" && init.registry.protocol === "https:") {
      throw new AuthError({ method: "GET", url: url.href, status: 401, detail: "refused to send credentials to a plain-HTTP token realm of an HTTPS registry" });
    }
    headers.authorization = basicAuthorization(init.credentials);
  }

  const { response, url: answered } = await getFollowing(url, headers, init);
  if (!response.ok) {
    const errors = await readRegistryErrors(response);
    const failure = { method: "GET", url: answered.href, status: response.status, errors, detail: "the token server refused" };
    throw response.status === 401 || response.status === 403 ? new AuthError(failure) : new RegistryError(failure);
  }
  const body = (await readJsonObject(response, MAX_TOKEN_BODY)) as { token?: unknown; access_token?: unknown; expires_in?: unknown } | undefined;
  if (body === undefined) {
    throw new AuthError({ method: "GET", url: answered.href, status: response.status, detail: `the token server's answer is larger than ${MAX_TOKEN_BODY / 1024 / 1024} MiB` });
  }
  const token = typeof body.token === "string" && body.token !== "" ? body.token : body.access_token;
  if (typeof token !== "string" || token === "") {
    throw new AuthError({ method: "GET", url: answered.href, status: response.status, detail: "the token server returned no token" });
  }
  const expiresIn = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : DEFAULT_EXPIRES_IN;
  return { token, expiresIn };
}

// Redirects by hand: the private-address rule holds for each hop, and the credentials stay with the realm's origin.
async function getFollowing(url: URL, headers: Record<string, string>, init: FetchTokenInit): Promise<{ response: Response; url: URL }> {
  let response = await get(url, headers, init);
  for (let hop = 0; REDIRECTS.includes(response.status) && response.headers.has("location") && hop < MAX_REDIRECTS; hop++) {
    const next = followLocation(response.headers.get("location")!, { registry: init.registry, from: url, method: "GET", status: response.status });
    if (next.origin !== url.origin) delete headers.authorization;
    await discardBody(response);
    url = next;
    response = await get(url, headers, init);
  }
  return { response, url };
}

async function get(url: URL, headers: Record<string, string>, init: FetchTokenInit): Promise<Response> {
  const request: RequestInit = { method: "GET", headers, signal: init.signal, redirect: "manual" };
  try {
    const response = await init.fetch(url, request);
    // A browser hides a manual redirect; let it follow instead (it drops Authorization across origins).
    return response.type === "opaqueredirect" ? await init.fetch(url, { ...request, redirect: "follow" }) : response;
  } catch (cause) {
    if (init.signal?.aborted) throw init.signal.reason;
    if (cause instanceof TimeoutError) throw cause;
    throw new RegistryError({ method: "GET", url: url.href, cause, detail: "the token server could not be reached" });
  }
}
