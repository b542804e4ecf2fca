// A hostile registry of our own serving blobs that are not what their
// descriptor names: other bytes of the same size, a longer body, another valid
// gzip, the right blob under a wrong DiffID. Every read fails with a typed
// mismatch where the stream would have ended; the right bytes come through.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { after, describe, test } from "node:test";
import { DigestMismatchError, SizeMismatchError } from "../../src/index.ts";
import { OCI_LAYER_GZIP, RegistryClient, RemoteLayer } from "../../src/registry/index.ts";
import { collect } from "../support/bytes.ts";
import { answer, hostile, type Hostile } from "./_hostile.ts";
import { randomData } from "./_helpers.ts";

const MiB = 1024 * 1024;
const digestOf = (bytes: Uint8Array, algorithm = "sha256") => `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
const tar = randomData(64 * 1024, 3);
const blob = gzipSync(tar);
const descriptor = { mediaType: OCI_LAYER_GZIP, digest: digestOf(blob), size: blob.byteLength };
const diffID = digestOf(tar);

const servers: Hostile[] = [];
after(() => Promise.all(servers.map((server) => server.stop())));

/** A registry that answers every blob GET with `body` (written in 64 KiB pieces until the client goes). */
async function serving(body: Uint8Array | "endless"): Promise<{ server: Hostile; written: () => number }> {
  let written = 0;
  const server = await hostile((_request, response, url) => {
    if (url.pathname === "/v2/") return answer(response, 200);
    if (body !== "endless") {
      written += body.byteLength;
      return answer(response, 200, { "content-type": "application/octet-stream" }, body);
    }
    response.writeHead(200, { "content-type": "application/octet-stream" });
    const piece = Buffer.alloc(64 * 1024, 1);
    const write = (): void => {
      while (!response.destroyed && written < 200 * MiB) {
        written += piece.length;
        if (!response.write(piece)) return void response.once("drain", write);
      }
      response.end();
    };
    write();
  });
  servers.push(server);
  return { server, written: () => written };
}

const layerOn = (host: string, diff = diffID) => new RemoteLayer(new RegistryClient(`${host}/app`), descriptor, diff);
const isMismatch = (error: unknown) => {
  assert.ok(error instanceof DigestMismatchError || error instanceof SizeMismatchError, `a typed mismatch, got ${String(error)}`);
  return true;
};

describe("a hostile registry's blobs fail typed, before a clean end", () => {
  test("the right blob: compressed() is the blob, uncompressed() the tar", async () => {
    const { server } = await serving(blob);
    assert.ok(Buffer.from(await collect(layerOn(server.host).compressed())).equals(blob));
    assert.ok(Buffer.from(await collect(layerOn(server.host).uncompressed())).equals(Buffer.from(tar)));
  });

  test("other bytes of the same size: DigestMismatchError from compressed(), uncompressed() and getBlob", async () => {
    const other = randomData(blob.byteLength, 77);
    const { server } = await serving(other);
    const expected = (error: unknown) => error instanceof DigestMismatchError && error.expected === descriptor.digest && error.actual === digestOf(other);
    await assert.rejects(collect(layerOn(server.host).compressed()), expected);
    await assert.rejects(collect(layerOn(server.host).uncompressed()), expected, "the blob's own check speaks, not the gunzip's");
    await assert.rejects(collect(await new RegistryClient(`${server.host}/app`).getBlob(descriptor.digest, descriptor.size)), expected);
  });

  test("an endless body for a descriptor of a few KiB: cut at the first extra byte, SizeMismatchError", async () => {
    const { server, written } = await serving("endless");
    await assert.rejects(collect(layerOn(server.host).compressed()), (error) => error instanceof SizeMismatchError && error.expected === descriptor.size && error.actual === descriptor.size + 1);
    await assert.rejects(collect(layerOn(server.host).uncompressed()), isMismatch);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(written() < 32 * MiB, `the registry got to write ${written()} bytes, not 200 MiB`);
  });

  test("a body one byte longer than the descriptor: SizeMismatchError", async () => {
    const { server } = await serving(Buffer.concat([blob, Buffer.from([0])]));
    await assert.rejects(collect(layerOn(server.host).compressed()), SizeMismatchError);
  });

  test("another valid gzip: compressed() and uncompressed() fail typed, no other tar comes through whole", async () => {
    const { server } = await serving(gzipSync(randomData(64 * 1024, 4)));
    await assert.rejects(collect(layerOn(server.host).compressed()), isMismatch);
    await assert.rejects(collect(layerOn(server.host).uncompressed()), isMismatch);
  });

  test("the right blob under a wrong DiffID: compressed() reads, uncompressed() fails with DigestMismatchError", async () => {
    const { server } = await serving(blob);
    const wrong = `sha256:${"e".repeat(64)}`;
    assert.equal((await collect(layerOn(server.host, wrong).compressed())).byteLength, blob.byteLength);
    await assert.rejects(collect(layerOn(server.host, wrong).uncompressed()), (error) => error instanceof DigestMismatchError && error.expected === wrong && error.actual === diffID);
  });

  test("a sha512 digest is checked as the bytes stream too", async () => {
    const { server } = await serving(blob);
    const client = new RegistryClient(`${server.host}/app`);
    assert.equal((await collect(await client.getBlob(digestOf(blob, "sha512"), blob.byteLength))).byteLength, blob.byteLength);
    await assert.rejects(collect(await client.getBlob(digestOf(tar, "sha512"))), DigestMismatchError);
  });
});
