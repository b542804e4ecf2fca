import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { FixedSizeChunker } from "../../src/compress/_fixed_size_chunker.ts";
import { tarLikeBytes } from "../support/bytes.ts";

async function blocksOf(bytes: Uint8Array, chunkSizes: number[], size: number): Promise<Uint8Array[]> {
  const chunker = new FixedSizeChunker(size);
  const blocks: Uint8Array[] = [];
  for (let offset = 0, index = 0; offset < bytes.length; index++) {
    const piece = bytes.subarray(offset, offset + Math.max(1, chunkSizes[index % chunkSizes.length]!));
    offset += piece.length;
    blocks.push(...chunker.push(piece).map((block) => block.slice()));
  }
  const rest = chunker.flush();
  if (rest) blocks.push(rest.slice());
  return blocks;
}

test("every block but the last has the block size, and together they are the input", async () => {
  const bytes = tarLikeBytes(50_000, 9);
  const chunkings = fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 8 });
  await fc.assert(
    fc.asyncProperty(chunkings, fc.integer({ min: 1, max: 5000 }), async (chunkSizes, size) => {
      const blocks = await blocksOf(bytes, chunkSizes, size);
      blocks.slice(0, -1).forEach((block) => assert.equal(block.length, size));
      const last = blocks.at(-1)!;
      assert.ok(last.length > 0 && last.length <= size);
      assert.equal(blocks.length, Math.ceil(bytes.length / size));
      const joined = new Uint8Array(bytes.length);
      blocks.reduce((offset, block) => (joined.set(block, offset), offset + block.length), 0);
      assert.deepEqual(joined, bytes);
    }),
    { numRuns: 60 },
  );
});

test("an empty input gives no block", async () => {
  assert.deepEqual(await blocksOf(new Uint8Array(0), [1], 16), []);
});

test("a block size that is not a positive integer is refused", () => {
  for (const size of [0, -1, 1.5, Number.NaN]) assert.throws(() => new FixedSizeChunker(size), RangeError);
});

test("blocks given back are filled again instead of new ones, and views of the input are never written to", () => {
  const chunker = new FixedSizeChunker(4);
  assert.deepEqual(chunker.push(Uint8Array.of(1, 2)), []);
  const [first] = chunker.push(Uint8Array.of(3, 4, 5));
  assert.deepEqual([...first!], [1, 2, 3, 4]);
  chunker.reuse(first!);
  const [second] = chunker.push(Uint8Array.of(6, 7, 8));
  assert.deepEqual([...second!], [5, 6, 7, 8]);
  chunker.reuse(second!);
  assert.deepEqual(chunker.push(Uint8Array.of(9, 10)), []);
  const [third] = chunker.push(Uint8Array.of(11, 12));
  assert.equal(third!.buffer, first!.buffer, "the block given back first is filled again");
  assert.deepEqual([...third!], [9, 10, 11, 12]);
  // A piece that holds whole blocks is handed out as views of itself: the caller's bytes, never refilled.
  const input = Uint8Array.of(13, 14, 15, 16, 17, 18, 19, 20);
  const views = chunker.push(input);
  views.forEach((view) => chunker.reuse(view));
  chunker.push(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  assert.deepEqual([...input], [13, 14, 15, 16, 17, 18, 19, 20]);
});
