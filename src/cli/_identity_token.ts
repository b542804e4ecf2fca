import { assertSafeTarget } from "../registry/address.ts";
import type { Credentials } from "../registry/credentials.ts";
import { discardBody, MAX_TOKEN_BODY, readJsonObject } from "../registry/bounded_body.ts";
import { AuthError, RegistryError, TimeoutError } from "../registry/errors.ts";
import { readRegistryErrors } from "../registry/response_errors.ts";
import { DEFAULT_TIMEOUT_MS, timeoutFetch } from "../registry/timeout_fetch.ts";
import { parseWwwAuthenticate } from "../registry/www_authenticate.ts";

/** What {@link exchangeIdentityToken} needs. */
export interface IdentityTokenExchange {
  /** `scheme://host[:port]` of the registry. */
  base: URL;
  identityToken: string;
  /** Every scope the command will need at this registry, such as `repository:app:push,pull`. */
  scopes: readonly string[];
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/**
 * Trades an identity token (what a helper or `auths` files with `<token>` as
 * the user name) for an access token, as docker does: the OAuth2 refresh-token
 * grant, a `POST` to the realm of the registry's Bearer challenge. The library
 * takes a ready bearer token but has no refresh-token grant of its own, so the
 * CLI asks once for every scope it will use; the access token lives as long
 * as the token server says (a push that outlasts it fails with a 401).
 *
 * @returns A ready bearer token, or undefined when the registry asks for no token.
 * @throws {AuthError} when the token server refuses the identity token.
 * @throws {RegistryError} when the registry or the token server cannot be reached or fails.
 */
export async function exchangeIdentityToken(init: IdentityTokenExchange): Promise<Credentials | undefined> {
  // Bounded in time and size like the library's own token fetch (issue 8: no hang, no unbounded body).
  const doFetch = timeoutFetch(init.fetch ?? globalThis.fetch, DEFAULT_TIMEOUT_MS);
  const ping = new URL("/v2/", init.base);
  const pinged = await send(doFetch, ping, { method: "GET", signal: init.signal });
  await discardBody(pinged);
  if (pinged.status !== 401) return undefined;
  const challenge = parseWwwAuthenticate(pinged.headers.get("www-authenticate")).find((c) => c.scheme === "bearer");
  const realmText = challenge?.params.realm;
  if (!challenge || !realmText) {
    throw new AuthError({ method: "GET", url: ping.href, status: 401, detail: "an identity token needs a registry with a Bearer token realm" });
  }
  const realm = new URL(realmText);
  if (realm.protocol !== "https:" && realm.protocol !== "http:") {
    throw new AuthError({ method: "POST", url: init.base.href, status: 401, detail: "the token realm is not HTTP(S)" });
  }
  if (realm.protocol === "http:" && init.base.protocol === "https:") {
    throw new AuthError({ method: "POST", url: realm.href, status: 401, detail: "refused to send an identity token to a plain-HTTP token realm of an HTTPS registry" });
  }
  assertSafeTarget(init.base, realm);
  const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: init.identityToken, client_id: "streamlayer" });
  if (challenge.params.service) form.set("service", challenge.params.service);
  if (init.scopes.length > 0) form.set("scope", init.scopes.join(" "));
  const response = await send(doFetch, realm, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: form.toString(),
    redirect: "error",
    signal: init.signal,
  });
  if (!response.ok) {
    const failure = { method: "POST", url: realm.href, status: response.status, errors: await readRegistryErrors(response), detail: "the token server refused the identity token" };
    throw response.status === 401 || response.status === 403 || response.status === 400 ? new AuthError(failure) : new RegistryError(failure);
  }
  const body = (await readJsonObject(response, MAX_TOKEN_BODY)) as { access_token?: unknown; token?: unknown } | undefined;
  if (body === undefined) {
    throw new AuthError({ method: "POST", url: realm.href, status: response.status, detail: `the token server's answer is larger than ${MAX_TOKEN_BODY / 1024 / 1024} MiB` });
  }
  const token = typeof body.access_token === "string" && body.access_token !== "" ? body.access_token : body.token;
  if (typeof token !== "string" || token === "") {
    throw new AuthError({ method: "POST", url: realm.href, status: response.status, detail: "the token server returned no access token" });
  }
  return { token };
}

async function send(doFetch: typeof fetch, url: URL, init: RequestInit): Promise<Response> {
  try {
    return await doFetch(url, init);
  } catch (cause) {
    if (init.signal?.aborted) throw init.signal.reason;
    if (cause instanceof TimeoutError) throw cause;
    throw new RegistryError({ method: init.method ?? "GET", url: url.href, cause, detail: "no answer while trading the identity token" });
  }
}
