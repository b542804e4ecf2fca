// Pushing to the real registry: a streaming layer in chunked and streamed
// mode, a blob the registry already has, a reproducible layer, and an image;
// each checked with the registry's own HEAD and GET.
import { chunkedStream, tarLikeBytes } from "../support/bytes.ts";
import {
  assert, assertBytesEqual, assertEqual, assertRejects, gunzipBytes, webCryptoDigest,
  type ConformanceCase, type ConformanceContext,
} from "./harness.ts";
import { DETERMINISTIC_GOLDEN } from "./deterministic_golden.ts";
import { fetchCheckedBlob } from "./registry_check.ts";

const CHUNK = 64 * 1024;

function repository(context: ConformanceContext, name: string): string {
  return `conformance/${context.runtime}-${name}`;
}

async function pushStreaming(context: ConformanceContext, bytes: Uint8Array, name: string, upload: "chunked" | "stream") {
  const { lib, registry } = context;
  const repo = repository(context, name);
  const { stream, record } = chunkedStream(bytes, { chunkSizes: [10_000, 70_001] });
  const layer = new lib.StreamLayer(stream, { requireTar: false }); // tar-like bytes, 0 and 1 long too
  const descriptor = await lib.writeLayer(`${registry}/${repo}`, layer, { upload, chunkSize: CHUNK });
  assertEqual(descriptor.digest, await layer.digest(), "descriptor digest");
  assertEqual(descriptor.size, await layer.size(), "descriptor size");
  assertEqual(descriptor.mediaType, layer.mediaType(), "descriptor media type");
  assertEqual(record.pulled, bytes.length, "the source was read once, to its end");
  const blob = await fetchCheckedBlob(registry, repo, descriptor.digest, descriptor.size);
  assertBytesEqual(await gunzipBytes(blob), bytes, "the stored blob gunzips to the tarball");
  assertEqual(await layer.diffID(), await webCryptoDigest(bytes), "DiffID");
}

const chunkedCases: ConformanceCase[] = [
  { size: 0, label: "0 bytes" },
  { size: 1, label: "1 byte" },
  { size: 300_000, label: "300,000 bytes" },
].map(({ size, label }) => ({
  name: `push a streaming layer of ${label} in chunked mode; HEAD and GET agree`,
  run: (context: ConformanceContext) => pushStreaming(context, tarLikeBytes(size, 21), `chunked-${size}`, "chunked"),
}));

const streamedCase: ConformanceCase = {
  name: "upload 'stream' pushes where fetch streams request bodies, else fails with a typed error",
  async run(context) {
    const bytes = tarLikeBytes(200_000, 22);
    if (context.streamsRequestBodies) {
      await pushStreaming(context, bytes, "streamed", "stream");
      return;
    }
    const { stream, record } = chunkedStream(bytes);
    const layer = new context.lib.StreamLayer(stream, { requireTar: false });
    const error = await assertRejects(
      context.lib.writeLayer(`${context.registry}/${repository(context, "streamed")}`, layer, { upload: "stream" }),
      "UploadNotResumableError",
      "a streamed upload where fetch cannot stream a body",
    );
    assert(context.lib.isStreamLayerError(error), "a StreamLayerError");
    assert(/stream/i.test(error.message), `the message says why: ${error.message}`);
    // The layer's values settle once its pipeline is torn down, source included.
    await assertRejects(layer.digest(), "NotComputedError", "digest() after the failed upload");
    assert(record.cancelled !== undefined || record.pulled === 0, `the source is cancelled, not left half-read (${record.pulled} bytes read)`);
  },
};

const existingBlobCase: ConformanceCase = {
  name: "a blob layer the registry already has is found by HEAD and not uploaded again",
  async run(context) {
    const { lib, registry } = context;
    const repo = repository(context, "blob");
    const bytes = tarLikeBytes(50_000, 23);
    const gzip = new Uint8Array(await new Response(new Blob([bytes.slice()]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
    const first = await lib.writeLayer(`${registry}/${repo}`, lib.blobLayer(gzip));
    assertEqual(first.digest, await webCryptoDigest(gzip), "digest of the blob");
    let uploads = 0;
    const counting: typeof fetch = (input, init) => {
      if ((init?.method ?? "GET") !== "HEAD" && (init?.method ?? "GET") !== "GET") uploads++;
      return fetch(input, init);
    };
    const second = await lib.writeLayer(`${registry}/${repo}`, lib.blobLayer(new Blob([gzip.slice()])), { fetch: counting });
    assertEqual(second.digest, first.digest, "same digest");
    assertEqual(uploads, 0, "requests other than HEAD/GET on the second push");
    await fetchCheckedBlob(registry, repo, first.digest, gzip.length);
  },
};

const deterministicPushCase: ConformanceCase = {
  name: "a deterministic layer lands in the registry under the recorded digest",
  async run(context) {
    const { lib, registry } = context;
    const repo = repository(context, "deterministic");
    const expected = DETERMINISTIC_GOLDEN.levels.find((entry) => entry.level === 6)!;
    const bytes = tarLikeBytes(DETERMINISTIC_GOLDEN.size, DETERMINISTIC_GOLDEN.seed);
    const layer = new lib.StreamLayer(chunkedStream(bytes, { chunkSizes: [12_345] }).stream, { deterministic: true, requireTar: false });
    const descriptor = await lib.writeLayer(`${registry}/${repo}`, layer, { chunkSize: 256 * 1024 });
    assertEqual(descriptor.digest, expected.digest, "pushed digest");
    await fetchCheckedBlob(registry, repo, expected.digest, expected.size);
  },
};

/** The registry cases, in a stable order. */
export const registryCases: ConformanceCase[] = [...chunkedCases, streamedCase, existingBlobCase, deterministicPushCase];
