// writeLayer against the real docker-registry, in its three auth
// configurations, and against go-containerregistry's registry (anonymous),
// in both upload modes, and the sizes the issue lists. The inputs are random
// bytes, not tars, so the tar check is turned off.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { blobLayer, StreamLayer, writeLayer, type UploadMode, type UploadProgress } from "../../src/index.ts";
import { type RegistryAuth, type RegistryKind, type RunningRegistry, startRegistry } from "../support/registry.ts";
import { assertBlob, assertLayerBlob, compressedLength, openUploads, randomData, recordingSource } from "./_helpers.ts";

const MiB = 1024 * 1024;
const CHUNK = MiB;
const big = randomData(50 * MiB, 7);

const setups: { kind: RegistryKind; auth: RegistryAuth }[] = [
  { kind: "docker-registry", auth: "none" },
  { kind: "docker-registry", auth: "basic" },
  { kind: "docker-registry", auth: "token" },
  { kind: "ggcr", auth: "none" },
];

for (const { kind, auth } of setups) {
  describe(`writeLayer, ${kind}, ${auth} auth`, () => {
    let registry: RunningRegistry;
    before(async () => {
      registry = await startRegistry({ kind, auth });
    });
    after(async () => {
      await registry.stop();
    });

    for (const upload of ["chunked", "stream"] satisfies UploadMode[]) {
      const push = async (repository: string, input: Uint8Array, chunkSize = CHUNK) => {
        const { stream, stats } = recordingSource(input);
        const reports: UploadProgress[] = [];
        const descriptor = await writeLayer(`${registry.host}/${repository}`, new StreamLayer(stream, { requireTar: false }), {
          auth: registry.credentials, upload, chunkSize, onProgress: (p) => reports.push(p),
        });
        assert.equal(stats.pulled, input.byteLength, "the source is read once, to its end");
        assert.equal(descriptor.mediaType, "application/vnd.oci.image.layer.v1.tar+gzip");
        await assertLayerBlob(registry, repository, descriptor.digest, descriptor.size, input);
        const last = reports.at(-1);
        assert.deepEqual(last, { read: input.byteLength, compressed: descriptor.size, acknowledged: descriptor.size, total: descriptor.size, done: true });
        for (const [before, after] of reports.slice(1).map((p, i) => [reports[i]!, p] as const)) {
          assert.ok(after.compressed >= before.compressed && after.acknowledged >= before.acknowledged && (after.read ?? 0) >= (before.read ?? 0));
          assert.ok(after.acknowledged <= after.compressed, "nothing acknowledged before it was read");
        }
        assert.ok(reports.slice(0, -1).every((p) => p.total === undefined && !p.done), "no total before the end");
        assert.deepEqual(openUploads(registry, repository), []);
        return descriptor;
      };

      test(`${upload}: a layer of 0 bytes`, async () => {
        await push(`${upload}/empty`, new Uint8Array(0));
      });

      test(`${upload}: a layer of 1 byte`, async () => {
        await push(`${upload}/one`, new Uint8Array([42]));
      });

      test(`${upload}: a compressed layer of exactly one chunk, and of one chunk + 1 byte`, async () => {
        const input = randomData(300 * 1024, 3);
        const length = await compressedLength((s) => new StreamLayer(s, { requireTar: false }), input);
        const exact = await push(`${upload}/exact`, input, length);
        assert.equal(exact.size, length);
        const plusOne = await push(`${upload}/plus-one`, input, length - 1);
        assert.equal(plusOne.size, length);
        assert.equal(plusOne.digest, exact.digest);
      });

      test(`${upload}: a layer of 50 MiB`, async () => {
        const descriptor = await push(`${upload}/big`, big);
        assert.ok(descriptor.size > 50 * MiB);
      });

      test(`${upload}: a 0-byte blob and a known blob, skipped when present`, async () => {
        const repository = `${upload}/blobs`;
        const empty = await writeLayer(`${registry.host}/${repository}`, blobLayer(new Uint8Array(0)), { auth: registry.credentials, upload });
        assert.equal(empty.digest, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        await assertBlob(registry, repository, empty.digest, 0);
        const bytes = randomData(CHUNK * 2 + 1, 11);
        const first = await writeLayer(`${registry.host}/${repository}`, blobLayer(new Blob([bytes])), { auth: registry.credentials, upload, chunkSize: CHUNK });
        await assertBlob(registry, repository, first.digest, bytes.byteLength);
        const reports: UploadProgress[] = [];
        const again = await writeLayer(`${registry.host}/${repository}`, blobLayer(bytes), {
          auth: registry.credentials, upload, onProgress: (p) => reports.push(p),
          fetch: (input, init) => {
            assert.notEqual(init?.method, "PATCH", "no upload of a blob the registry has");
            return fetch(input, init);
          },
        });
        assert.deepEqual(again, first);
        assert.equal(reports.at(-1)?.done, true);
      });
    }
  });
}
