// What a browser hides when a page talks to a registry on another origin, put
// back into the error: which CORS setting the registry is missing.

/** The answer headers a page on another origin must be allowed to read. */
export const CORS_EXPOSED_HEADERS = ["Location", "Range", "Docker-Upload-UUID", "Docker-Content-Digest", "OCI-Chunk-Min-Length", "OCI-Chunk-Max-Length", "WWW-Authenticate", "Content-Length"] as const;

/** The request headers the registry must allow in a preflight. */
export const CORS_ALLOWED_HEADERS = ["Authorization", "Accept", "Content-Type", "Content-Range", "Content-Length"] as const;

/**
 * The detail for an answer that lacks a header the protocol needs. A browser
 * shows a cross-origin answer without the headers the registry did not list
 * in `Access-Control-Expose-Headers`, so there the detail names that setting.
 *
 * @param response The answer.
 * @param header The header it lacks.
 * @param url The URL the request went to.
 */
export function missingHeaderDetail(response: Response, header: string, url: URL): string {
  const missing = `no ${header} header`;
  // `type` is lost where a response is wrapped again; the page's origin is not.
  if (response.type !== "cors" && pageOriginIfCrossOrigin(url) === undefined) return missing;
  return `${missing} visible: the answer crossed origins (CORS) and the registry does not expose ${header} to this page; add it to Access-Control-Expose-Headers (${CORS_EXPOSED_HEADERS.join(", ")})`;
}

/**
 * The detail for a request that got no answer at all, when it was sent by a
 * page or a Web Worker to another origin: the browser reports a CORS refusal
 * as a bare network error ("Failed to fetch"), so the likeliest cause is named.
 * Undefined elsewhere.
 */
export function crossOriginFailureDetail(url: URL): string | undefined {
  const origin = pageOriginIfCrossOrigin(url);
  if (origin === undefined) return undefined;
  return [
    `a browser hides why a request to another origin failed; if ${url.origin} is up, it is most likely CORS:`,
    `the registry must answer ${origin} with Access-Control-Allow-Origin,`,
    "answer the OPTIONS preflight with a 2xx without asking for credentials,",
    `allow the methods HEAD GET POST PUT PATCH DELETE and the headers ${CORS_ALLOWED_HEADERS.join(", ")},`,
    `and expose ${CORS_EXPOSED_HEADERS.join(", ")} (Access-Control-Expose-Headers); or reach it through a same-origin proxy`,
  ].join(" ");
}

// The origin of the page or Web Worker this runs in, when `url` is on another;
// undefined outside a browser (Deno has `location` with --location, and no CORS).
function pageOriginIfCrossOrigin(url: URL): string | undefined {
  const scope = globalThis as { document?: unknown; importScripts?: unknown; location?: { origin?: unknown }; Deno?: unknown };
  const inBrowser = scope.Deno === undefined && (scope.document !== undefined || typeof scope.importScripts === "function");
  const origin = scope.location?.origin;
  return inBrowser && typeof origin === "string" && origin !== url.origin ? origin : undefined;
}
