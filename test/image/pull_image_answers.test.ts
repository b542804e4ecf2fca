// pullImage against a registry whose answers the test writes (a public host
// through an injected fetch): digest pins in sha256 and sha512 are verified,
// other algorithms refused, and malformed manifests end in typed errors.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { DigestMismatchError, InvalidReferenceError, UnsupportedImageError, emptyImage, pullImage, writeImage } from "../../src/index.ts";
import { RegistryClient } from "../../src/registry/index.ts";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const encode = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const sha = (algorithm: "sha256" | "sha512", bytes: Uint8Array) => `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;

/** Documents by path under /v2/app/, served with their media type; every request is recorded. */
function registry(documents: Record<string, { bytes: Uint8Array<ArrayBuffer>; type?: string }>): { fetch: typeof fetch; asked: string[] } {
  const asked: string[] = [];
  const fake = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(new Request(input, init).url);
    asked.push(url.pathname);
    if (url.pathname === "/v2/") return new Response(null, { status: 200 });
    const document = documents[url.pathname.replace("/v2/app/", "")];
    if (!document) return new Response('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}', { status: 404 });
    return new Response(document.bytes, { headers: { "content-type": document.type ?? "application/octet-stream" } });
  };
  return { fetch: fake as typeof fetch, asked };
}

const config = encode({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } });
const manifestFor = (configDigest: string) => encode({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length }, layers: [] });
const manifest = manifestFor(sha("sha256", config));
const other = encode({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha("sha256", config), size: config.length }, layers: [], annotations: { a: "b" } });
const configBlob = { [`blobs/${sha("sha256", config)}`]: { bytes: config }, [`blobs/${sha("sha512", config)}`]: { bytes: config } };
const ref = (pin: string) => `registry.example.com/app@${pin}`;

test("a manifest pinned by sha512 is verified: the right bytes are taken, other bytes are a DigestMismatchError", async () => {
  const pin = sha("sha512", manifest);
  const good = registry({ [`manifests/${pin}`]: { bytes: manifest, type: OCI_MANIFEST }, ...configBlob });
  const image = await pullImage(ref(pin), { fetch: good.fetch });
  assert.equal((await image.values()).descriptor.digest, sha("sha256", manifest), "the image keeps the registry's sha256 digest");
  const bad = registry({ [`manifests/${pin}`]: { bytes: other, type: OCI_MANIFEST }, ...configBlob });
  await assert.rejects(pullImage(ref(pin), { fetch: bad.fetch }), (error) => error instanceof DigestMismatchError && error.expected === pin && error.actual === sha("sha512", other));
});

test("an index pinned by sha256 whose entry is named by sha512: the entry is verified", async () => {
  const entryPin = sha("sha512", manifest);
  const index = encode({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: entryPin, size: manifest.length, platform: { os: "linux", architecture: "amd64" } }] });
  const indexPin = sha("sha256", index);
  const good = registry({ [`manifests/${indexPin}`]: { bytes: index, type: OCI_INDEX }, [`manifests/${entryPin}`]: { bytes: manifest, type: OCI_MANIFEST }, ...configBlob });
  await pullImage(ref(indexPin), { fetch: good.fetch });
  assert.ok(good.asked.includes(`/v2/app/manifests/${entryPin}`));
  const bad = registry({ [`manifests/${indexPin}`]: { bytes: index, type: OCI_INDEX }, [`manifests/${entryPin}`]: { bytes: other, type: OCI_MANIFEST }, ...configBlob });
  await assert.rejects(pullImage(ref(indexPin), { fetch: bad.fetch }), (error) => error instanceof DigestMismatchError && error.expected === entryPin);
});

test("a config named by sha512 is verified", async () => {
  const byDigest = manifestFor(sha("sha512", config));
  const good = registry({ "manifests/1": { bytes: byDigest, type: OCI_MANIFEST }, ...configBlob });
  await pullImage("registry.example.com/app:1", { fetch: good.fetch });
  const bad = registry({ "manifests/1": { bytes: byDigest, type: OCI_MANIFEST }, [`blobs/${sha("sha512", config)}`]: { bytes: encode("{}") } });
  await assert.rejects(pullImage("registry.example.com/app:1", { fetch: bad.fetch }), DigestMismatchError);
});

test("other algorithms and misspellings: refused before any request, or as an unsupported image when the registry names them", async () => {
  const { fetch, asked } = registry({});
  for (const pin of [`md5:${"ab".repeat(16)}`, `sh256:${"ab".repeat(32)}`, `sha384:${"ab".repeat(48)}`]) {
    await assert.rejects(pullImage(ref(pin), { fetch }), InvalidReferenceError, pin);
    await assert.rejects(new RegistryClient("registry.example.com/app", { fetch }).getManifest(pin), TypeError, pin);
  }
  assert.deepEqual(asked, [], "nothing was asked");
  const index = encode({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: `md5:${"ab".repeat(16)}`, size: 1, platform: { os: "linux", architecture: "amd64" } }] });
  const served = registry({ "manifests/1": { bytes: index, type: OCI_INDEX } });
  await assert.rejects(pullImage("registry.example.com/app:1", { fetch: served.fetch }), (error) => error instanceof UnsupportedImageError && /sha256 or sha512/.test(error.message));
});

test("malformed answers end in UnsupportedImageError, never a TypeError", async () => {
  const descriptor = { mediaType: OCI_MANIFEST, digest: sha("sha256", manifest), size: manifest.length, platform: { os: "linux", architecture: "amd64" } };
  const indexes = [{ manifests: [null] }, { manifests: null }, { manifests: [{ ...descriptor, platform: null }] }, { manifests: [{ ...descriptor, digest: 7 }] }, { manifests: [{ ...descriptor, size: "1" }] }];
  const manifests = [
    { config: null, layers: [] },
    { layers: [] },
    { config: { digest: sha("sha256", config), size: config.length }, layers: [null] },
    { config: { digest: sha("sha256", config), size: config.length }, layers: null },
    { config: { digest: sha("sha256", config), size: config.length } },
    { config: [], layers: [] },
  ];
  const cases: Array<[string, Record<string, { bytes: Uint8Array<ArrayBuffer>; type?: string }>]> = [
    ...indexes.map((body): [string, Record<string, { bytes: Uint8Array<ArrayBuffer>; type?: string }>] => [JSON.stringify(body), { "manifests/1": { bytes: encode({ schemaVersion: 2, mediaType: OCI_INDEX, ...body }), type: OCI_INDEX } }]),
    ...manifests.map((body): [string, Record<string, { bytes: Uint8Array<ArrayBuffer>; type?: string }>] => [JSON.stringify(body), { "manifests/1": { bytes: encode({ schemaVersion: 2, mediaType: OCI_MANIFEST, ...body }), type: OCI_MANIFEST } }]),
    ["manifest null", { "manifests/1": { bytes: encode("null"), type: OCI_MANIFEST } }],
    ["index null", { "manifests/1": { bytes: encode("null"), type: OCI_INDEX } }],
    ["manifest [] with no media type", { "manifests/1": { bytes: encode("[]"), type: "application/json" } }],
  ];
  for (const body of ["null", '{"rootfs":null}', '{"rootfs":{"diff_ids":[null]}}', '{"rootfs":{"diff_ids":"x"}}']) {
    const bytes = encode(body);
    cases.push([`config ${body}`, { "manifests/1": { bytes: manifestFor(sha("sha256", bytes)), type: OCI_MANIFEST }, [`blobs/${sha("sha256", bytes)}`]: { bytes } }]);
  }
  for (const [what, documents] of cases) {
    const { fetch } = registry(documents);
    const error = await pullImage("registry.example.com/app:1", { fetch }).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof UnsupportedImageError, `${what}: ${String(error)}`);
  }
});

test("writeImage to a reference pinned by sha512 checks the manifest against that sha512", async () => {
  const stored: string[] = [];
  const fake = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    if (request.method === "HEAD" && path.includes("/blobs/")) return new Response(null, { status: 200, headers: { "content-length": "1" } });
    if (request.method === "PUT" && path.includes("/manifests/")) {
      stored.push(path);
      return new Response(null, { status: 201 });
    }
    return new Response(null, { status: path === "/v2/" ? 200 : 404 });
  }) as typeof fetch;
  const image = emptyImage();
  const { rawManifest } = await image.values();
  const pin = sha("sha512", rawManifest);
  const written = await writeImage(ref(pin), image, { fetch: fake });
  assert.equal(written.digest, sha("sha256", rawManifest));
  assert.deepEqual(stored, [`/v2/app/manifests/${sha("sha256", rawManifest)}`]);
  await assert.rejects(writeImage(ref(sha("sha512", other)), image, { fetch: fake }), (error) => error instanceof DigestMismatchError && error.actual === pin);
});
