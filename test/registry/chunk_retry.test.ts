// The chunk retry rules, request by request, with an injected fetch playing a
// registry: what goes again after a definite refusal, after no response, and
// when the upload-status endpoint does not exist.
import assert from "node:assert/strict";
import { test } from "node:test";
import { blobLayer, UploadNotResumableError, writeLayer } from "../../src/index.ts";

const CHUNK = 1000;
const bytes = new Uint8Array(2500).map((_, i) => i % 251);

/** A registry that takes chunks in order; `fault` may answer (or throw) in its place. */
function registry(fault: (method: string, nth: number, range: string | null) => Response | "throw" | undefined) {
  const log: string[] = [];
  const counts = new Map<string, number>();
  let held = 0;
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const nth = (counts.get(request.method) ?? 0) + 1;
    counts.set(request.method, nth);
    const range = request.headers.get("content-range");
    const path = new URL(request.url).pathname;
    log.push(path === "/v2/" ? "PING" : `${request.method}${range ? ` ${range}` : ""}`);
    const faulted = fault(request.method, nth, range);
    if (faulted === "throw") throw new TypeError("fetch failed");
    if (faulted) return faulted;
    if (path === "/v2/") return new Response(null, { status: 200 });
    if (request.method === "HEAD") return new Response(null, { status: 404 });
    if (request.method === "POST") return new Response(null, { status: 202, headers: { location: "/v2/a/blobs/uploads/1" } });
    if (request.method === "PATCH") {
      const start = Number(range!.split("-")[0]);
      if (start !== held) return new Response(null, { status: 416 });
      held += (await request.arrayBuffer()).byteLength;
      return new Response(null, { status: 202, headers: { location: "/v2/a/blobs/uploads/1", range: `0-${held - 1}` } });
    }
    if (request.method === "PUT") return new Response(null, { status: 201 });
    return new Response(null, { status: 400 }); // no status GET, no DELETE, like go-containerregistry's registry
  }) as typeof globalThis.fetch;
  return { fetch, log, held: () => held };
}

const patches = (log: readonly string[]) => log.filter((line) => line.startsWith("PATCH") || line === "GET");

test("a 500 on a PATCH: the same chunk at the same offset, and no status question", async () => {
  const fake = registry((method, nth) => (method === "PATCH" && nth === 2 ? new Response('{"errors":[{"code":"UNKNOWN"}]}', { status: 500 }) : undefined));
  await writeLayer("registry.example.com/a", blobLayer(bytes), { fetch: fake.fetch, chunkSize: CHUNK });
  assert.deepEqual(patches(fake.log), ["PATCH 0-999", "PATCH 1000-1999", "PATCH 1000-1999", "PATCH 2000-2499"]);
  assert.equal(fake.held(), bytes.length);
});

for (const status of [400, 404, 405]) {
  test(`no response to a PATCH, and a status endpoint that answers ${status}: the state is unknown, the chunk goes again at the same offset`, async () => {
    const fake = registry((method, nth) => {
      if (method === "PATCH" && nth === 2) return "throw";
      if (method === "GET" && nth === 2) return new Response(null, { status }); // the first GET is the ping
      return undefined;
    });
    await writeLayer("registry.example.com/a", blobLayer(bytes), { fetch: fake.fetch, chunkSize: CHUNK });
    assert.deepEqual(patches(fake.log), ["PATCH 0-999", "PATCH 1000-1999", "GET", "PATCH 1000-1999", "PATCH 2000-2499"]);
    assert.equal(fake.held(), bytes.length);
  });
}

test("no response, no status endpoint, and the registry took the chunk after all: its 416 ends the push with a typed error", async () => {
  const fake = registry(() => undefined);
  const original = fake.fetch;
  // The second chunk is taken, but its answer is lost.
  let patchesSeen = 0;
  const losing = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await original(input, init);
    if (init?.method === "PATCH" && ++patchesSeen === 2) throw new TypeError("fetch failed: the answer was lost");
    return response;
  }) as typeof globalThis.fetch;
  const error = await writeLayer("registry.example.com/a", blobLayer(bytes), { fetch: losing, chunkSize: CHUNK }).catch((e: unknown) => e);
  assert.ok(error instanceof UploadNotResumableError, String(error));
  assert.match(error.message, /no upload-status endpoint/);
  assert.deepEqual(patches(fake.log), ["PATCH 0-999", "PATCH 1000-1999", "GET", "PATCH 1000-1999", "GET"]);
});
