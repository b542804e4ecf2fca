// A .tar.gz is taken as Go's gzip reader (what containerd and Docker pull
// with) takes it, the judge being Go's compress/gzip itself (go_gunzip/main.go,
// built here): every member of a multi-member gzip, and not one byte after
// the last member, zero padding included. For each input, CompressedStreamLayer
// (on Node's zlib) and the gunzip of the other runtimes (pako's inflate) must
// agree with Go, whatever the chunking: the same sha256 of the tar, or a
// refusal with InvalidLayerSourceError.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import { CompressedStreamLayer, InvalidLayerSourceError } from "../../src/index.ts";
import { chunkedStream, collect, tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import { pakoGunzipStream } from "../../src/layer/_gunzip_stream.ts";
import { sha256, temporaryDirectory } from "../support/tools.ts";

const run = promisify(execFile);

let work: Awaited<ReturnType<typeof temporaryDirectory>>;
let goGunzip: string;
before(async () => {
  work = await temporaryDirectory();
  goGunzip = join(work.path, "go_gunzip");
  await run("go", ["build", "-o", goGunzip, join(import.meta.dirname, "go_gunzip/main.go")], { env: { ...process.env, GOCACHE: process.env.GOCACHE ?? join(work.path, "go-cache"), GO111MODULE: "off" } });
});
after(() => work?.remove());

/** What Go makes of the bytes: the sha256 of the tar, or its error. */
async function go(bytes: Uint8Array): Promise<{ diffID: string } | { error: string }> {
  const child = execFile(goGunzip, { encoding: "utf8" });
  const done = new Promise<{ code: number | null; stdout: string }>((resolve) => {
    let stdout = "";
    child.stdout!.on("data", (text: string) => (stdout += text));
    child.on("close", (code) => resolve({ code, stdout }));
  });
  child.stdin!.on("error", () => {}); // Go may stop reading at the first bad byte
  child.stdin!.end(bytes);
  const { code, stdout } = await done;
  return code === 0 ? { diffID: stdout.trim() } : { error: stdout.trim() };
}

const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const tar = withTarHeader(tarLikeBytes(700_000, 61));
const cut = 300_001;
const one = new Uint8Array(gzipSync(tar));
const two = concat(gzipSync(tar.subarray(0, cut)), gzipSync(tar.subarray(cut)));
const gzip9 = new Uint8Array(execFileSync("gzip", ["-c", "-9"], { input: tar }));
const withComment = new Uint8Array(execFileSync("pigz", ["-c", "--comment", "a comment"], { input: tar }));
const flipped = (bytes: Uint8Array, fromEnd: number) => {
  const copy = bytes.slice();
  copy[copy.length - fromEnd]! ^= 0x01;
  return copy;
};

/** [what, bytes, the InvalidLayerSourceError's `found` when refused, where the gzip data ends when bytes follow it]. */
const CASES: [string, Uint8Array, string | undefined, number?][] = [
  ["one member", one, undefined],
  ["two members (cat a.gz b.gz)", two, undefined],
  ["three members, the middle one empty", concat(gzipSync(tar.subarray(0, cut)), gzipSync(new Uint8Array(0)), gzipSync(tar.subarray(cut))), undefined],
  ["pigz's, with a comment in the header", withComment, undefined],
  ["gzip -9's", gzip9, undefined],
  ["one zero byte after the member", concat(one, new Uint8Array(1)), "trailing-bytes", one.length],
  ["8 zero bytes after two members", concat(two, new Uint8Array(8)), "trailing-bytes", two.length],
  ["zero padding to a 10240-byte record", concat(one, new Uint8Array(10_240 - (one.length % 10_240))), "trailing-bytes", one.length],
  ["a zero byte, then another member", concat(one, new Uint8Array(1), one), "trailing-bytes", one.length],
  ["text after the member", concat(one, new TextEncoder().encode("garbage\n")), "trailing-bytes", one.length],
  ["1f 00 after the member", concat(one, new Uint8Array([0x1f, 0x00, 0, 0, 0, 0, 0, 0, 0, 0])), "trailing-bytes", one.length],
  ["a lone 1f after the member", concat(one, new Uint8Array([0x1f])), "corrupt-gzip"],
  ["a second member's header, cut", concat(one, one.subarray(0, 6)), "corrupt-gzip"],
  ["a second member, cut in its data", concat(one, one.subarray(0, 5000)), "corrupt-gzip"],
  ["the CRC-32 flipped", flipped(one, 8), "corrupt-gzip"],
  ["the length flipped", flipped(one, 4), "corrupt-gzip"],
  ["the last byte cut", one.subarray(0, one.length - 1), "corrupt-gzip"],
  ["not gzip", tar, "corrupt-gzip"],
];

/** Checks a refusal; `exact`: the message must give where the gzip data ends (pako's always does, Node's zlib for zeros). */
function refusal(found: string, end: number | undefined, exact: boolean): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof InvalidLayerSourceError, String(error));
    assert.equal(error.found, found, error.message);
    if (found === "trailing-bytes") assert.match(error.message, /after the end of its last member .*Go's gzip reader, and so containerd and Docker, fail on them/);
    if (found === "trailing-bytes" && exact) assert.match(error.message, new RegExp(`\\(at byte ${end}\\b.*cut the file at byte ${end}$`));
    return true;
  };
}

describe("a .tar.gz, as Go's gzip reader takes it", () => {
  for (const [what, bytes, found, end] of CASES) {
    test(`${what}: ${found === undefined ? "taken, the DiffID Go's" : `refused (${found}), as Go refuses it`}`, async () => {
      const judged = await go(bytes);
      if (found === undefined) assert.deepEqual(judged, { diffID: sha256(tar) }, "Go takes it");
      else assert.ok("error" in judged, `Go refuses it, got ${JSON.stringify(judged)}`);
      const zeros = what.includes("zero") && !what.includes("then"); // zeros to the end: Node's zlib then says where they begin
      for (const chunkSizes of [[bytes.length], [3, 8192], [65_536]]) {
        // CompressedStreamLayer: on Node's zlib here (the gunzip Node uses).
        const layer = new CompressedStreamLayer(chunkedStream(bytes, { chunkSizes }).stream, { requireTar: found !== undefined });
        if (found === undefined) {
          assert.deepEqual(await collect(layer.compressed()), bytes, "passed on as it is");
          assert.equal(await layer.diffID(), sha256(tar));
          assert.equal(await layer.digest(), sha256(bytes));
        } else {
          const expected = what === "not gzip" ? "not-gzip" : found; // the layer looks at the magic first
          await assert.rejects(collect(layer.compressed()), refusal(expected, end, zeros), `${what}, chunks of ${chunkSizes.join(", ")}`);
          await assert.rejects(layer.diffID(), InvalidLayerSourceError);
        }
        // The gunzip of the other runtimes (pako's inflate), checked here too.
        const pako = chunkedStream(bytes, { chunkSizes }).stream.pipeThrough(await pakoGunzipStream());
        if (found === undefined) assert.equal(sha256(await collect(pako)), sha256(tar), "pako");
        else await assert.rejects(collect(pako), refusal(found, end, true), `pako: ${what}, chunks of ${chunkSizes.join(", ")}`);
      }
    });
  }
});
