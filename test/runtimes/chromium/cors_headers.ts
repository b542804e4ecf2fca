// The CORS headers a registry gives a page on another origin (docker-registry's
// `http.headers`), for the tests that push cross-origin with streamlayer/worker.

/** What a preflight must allow. */
export const CORS_ALLOW: Record<string, string[]> = {
  "Access-Control-Allow-Origin": ["*"],
  "Access-Control-Allow-Methods": ["HEAD", "GET", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"],
  "Access-Control-Allow-Headers": ["Authorization", "Accept", "Content-Type", "Content-Range", "Content-Length"],
};

/** Every header an answer needs, the exposed ones included. */
export const CORS: Record<string, string[]> = {
  ...CORS_ALLOW,
  "Access-Control-Expose-Headers": ["Location", "Range", "Docker-Upload-UUID", "Docker-Content-Digest", "OCI-Chunk-Min-Length", "OCI-Chunk-Max-Length", "WWW-Authenticate", "Content-Length"],
};
