import { followLocation } from "./_address.ts";
import { discardBody } from "./_bounded_body.ts";
import type { RoundTrip } from "./_round_trip.ts";

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** The most redirects followed for one request; the last answer is returned as it is. */
export const MAX_REDIRECTS = 5;

/**
 * Follows redirects by hand, for the registry's requests and the token
 * server's alike: each hop is checked by {@link followLocation} (no HTTPS to
 * plain HTTP, no other host's private address unless `registry` is on one);
 * `Authorization` goes no further than the origin the request was sent to;
 * a 303, or a 301 or 302 answering a POST, goes on as a GET without a body.
 * A streamed body cannot be sent twice: its redirect is the answer.
 *
 * @param registry The registry's base URL, which the private-address rule is judged from.
 */
export function redirectRoundTrip(inner: RoundTrip, registry: URL): RoundTrip {
  return async (request) => {
    const origin = request.url.origin;
    let { url, method, body } = request;
    let headers = request.headers;
    for (let hop = 0; ; hop++) {
      const response = await inner({ ...request, url, method, body, headers });
      // Where the answer came from, for the errors made of it (a fetch of one's own may leave it empty).
      if (response.url === "") Object.defineProperty(response, "url", { value: url.href, configurable: true });
      const location = response.headers.get("location");
      if (request.followRedirects === false || !REDIRECTS.has(response.status) || location === null || hop === MAX_REDIRECTS) return response;
      const next = followLocation(location, { registry, from: url, method, status: response.status });
      if (body instanceof ReadableStream) return response;
      await discardBody(response);
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        method = method === "HEAD" ? "HEAD" : "GET";
        body = undefined;
        headers = withoutHeaders(headers, ["content-type", "content-length"]);
      }
      if (next.origin !== origin) headers = withoutHeaders(headers, ["authorization"]);
      url = next;
    }
  };
}

function withoutHeaders(headers: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())));
}
