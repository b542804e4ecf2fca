// What a network failure's error adds where the runtime knows more than its
// message: Deno's missing --allow-net (not retried), and in a browser the
// CORS settings a cross-origin failure or a hidden header points at.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { blobLayer, RegistryError, StreamLayer, UploadNotResumableError, writeLayer } from "../../src/index.ts";
import { crossOriginFailureDetail, missingHeaderDetail } from "../../src/registry/_cors_hints.ts";

const globals = globalThis as { document?: unknown; location?: unknown };
afterEach(() => {
  delete globals.document;
  delete globals.location;
});

test("Deno's NotCapable is asked once, not retried, and names the --allow-net flag", async () => {
  let calls = 0;
  const denied: typeof fetch = async () => {
    calls++;
    throw Object.assign(new Error('Requires net access to "127.0.0.1:5000", run again with the --allow-net flag'), { name: "NotCapable" });
  };
  const error = await writeLayer("127.0.0.1:5000/a", blobLayer(new Uint8Array([1])), { fetch: denied }).catch((e: unknown) => e);
  assert.ok(error instanceof RegistryError);
  assert.equal(calls, 1, "one attempt");
  assert.equal(error.temporary, false);
  assert.match(error.message, /Deno was not given network access to 127\.0\.0\.1:5000: run with --allow-net=127\.0\.0\.1:5000/);
});

test("a plain network failure outside a browser says nothing of CORS and is still asked again", async () => {
  let calls = 0;
  const refused: typeof fetch = async () => {
    calls++;
    throw new TypeError("fetch failed");
  };
  const error = await writeLayer("127.0.0.1:5000/a", blobLayer(new Uint8Array([1])), { fetch: refused }).catch((e: unknown) => e);
  assert.ok(error instanceof RegistryError);
  assert.ok(calls > 1, `${calls} attempts`);
  assert.doesNotMatch(error.message, /CORS/);
});

test("in a page, a failure toward another origin names CORS and the headers; toward its own origin it does not", () => {
  globals.document = {};
  globals.location = { origin: "http://127.0.0.1:8081" };
  const detail = crossOriginFailureDetail(new URL("http://127.0.0.1:5000/v2/"));
  assert.match(detail ?? "", /most likely CORS: the registry must answer http:\/\/127\.0\.0\.1:8081 with Access-Control-Allow-Origin/);
  assert.match(detail ?? "", /expose Location, Range, Docker-Upload-UUID, Docker-Content-Digest/);
  assert.equal(crossOriginFailureDetail(new URL("http://127.0.0.1:8081/v2/")), undefined);
});

test("a missing Location names Access-Control-Expose-Headers only for a cross-origin answer", () => {
  const url = new URL("http://127.0.0.1:5000/v2/a/blobs/uploads/");
  assert.equal(missingHeaderDetail(new Response(null, { status: 202 }), "Location", url), "no Location header");
  assert.match(missingHeaderDetail({ type: "cors" } as Response, "Location", url), /CORS.*Access-Control-Expose-Headers \(Location, Range/);
});

test("in a page, an upload status without a visible Range names Access-Control-Expose-Headers", async () => {
  globals.document = {};
  globals.location = { origin: "http://127.0.0.1:8081" };
  const registry: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? "GET";
    if (url.pathname === "/v2/") return new Response(null, { status: 200 });
    if (method === "POST") return new Response(null, { status: 202, headers: { location: "/v2/a/blobs/uploads/1" } });
    if (method === "PATCH") throw new TypeError("Failed to fetch");
    if (method === "GET") return new Response(null, { status: 204 }); // no Range the page can see
    return new Response(null, { status: 204 });
  };
  const layer = new StreamLayer(new Blob([new Uint8Array(1024)]).stream());
  const error = await writeLayer("127.0.0.1:5000/a", layer, { fetch: registry }).catch((e: unknown) => e);
  assert.ok(error instanceof UploadNotResumableError, String(error));
  assert.match(error.message, /does not say how much of the upload it holds: no Range header visible: .*Access-Control-Expose-Headers/);
});
