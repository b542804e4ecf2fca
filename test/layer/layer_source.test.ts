// Sources beyond the platform's ReadableStream: any AsyncIterable<Uint8Array>
// (an async generator, a Node Readable) and Node's own ReadableStream type,
// each read once, one item per read, and returned when the layer is cancelled.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { CompressedStreamLayer, StreamLayer } from "../../src/index.ts";
import { collect, tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import { sha256 } from "../support/tools.ts";

const tar = withTarHeader(tarLikeBytes(200_000, 3));

function pieces(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) out.push(bytes.subarray(offset, offset + size));
  return out;
}

/** An async generator over `chunks` that records how many it handed out and whether it was returned early. */
function recordedIterable(chunks: readonly Uint8Array[]) {
  const record = { yielded: 0, finished: false, returned: false };
  async function* generate(): AsyncGenerator<Uint8Array> {
    try {
      for (const chunk of chunks) {
        record.yielded++;
        yield chunk;
      }
      record.finished = true;
    } finally {
      if (!record.finished) record.returned = true;
    }
  }
  return { iterable: generate(), record };
}

test("an async generator is a StreamLayer source: nothing is read before compressed(), every item once after", async () => {
  const { iterable, record } = recordedIterable(pieces(tar, 10_000));
  const layer = new StreamLayer(iterable);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(record.yielded, 0);
  const blob = await collect(layer.compressed());
  assert.equal(record.yielded, 20);
  assert.equal(record.finished, true);
  assert.equal(await layer.diffID(), sha256(tar));
  assert.equal(await layer.digest(), sha256(blob));
});

test("cancelling the layer returns the iterator", async () => {
  const { iterable, record } = recordedIterable(pieces(tar, 1_000));
  const reader = new StreamLayer(iterable, { compressor: "fflate" }).compressed().getReader();
  await reader.read();
  await reader.cancel(new Error("stop"));
  assert.equal(record.returned, true);
  assert.ok(record.yielded < 200, `read ${record.yielded} of 200 items before the cancel`);
});

test("a Node Readable and Node's ReadableStream (Readable.toWeb) are sources, no cast", async () => {
  const fromReadable = new StreamLayer(Readable.from(pieces(tar, 4096)));
  await collect(fromReadable.compressed());
  assert.equal(await fromReadable.diffID(), sha256(tar));
  const fromWeb = new StreamLayer(Readable.toWeb(Readable.from(pieces(tar, 4096))));
  await collect(fromWeb.compressed());
  assert.equal(await fromWeb.diffID(), sha256(tar));
});

test("CompressedStreamLayer takes an iterable of gzip bytes", async () => {
  const gzip = new Uint8Array(gzipSync(tar));
  const layer = new CompressedStreamLayer(Readable.from(pieces(gzip, 5000)));
  const blob = await collect(layer.compressed());
  assert.deepEqual(blob, gzip);
  assert.equal(await layer.digest(), sha256(gzip));
  assert.equal(await layer.diffID(), sha256(tar));
});

test("an iterable that yields something other than bytes fails the layer with a TypeError", async () => {
  async function* strings(): AsyncGenerator<Uint8Array> {
    yield "not bytes" as unknown as Uint8Array;
  }
  const layer = new StreamLayer(strings(), { requireTar: false });
  await assert.rejects(collect(layer.compressed()), TypeError);
});
