// Which compressor `auto` stands for in Node: the parallel block compressor
// wherever there is more than one core, with or without a level.
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { test } from "node:test";
import { resolveCompressor } from "../../src/compress/_create_compressor.ts";
import { availableCores } from "../../src/compress/_runtime.ts";

test("availableCores() is what Node says this process may use", () => {
  assert.equal(availableCores(), availableParallelism());
});

test("auto is parallel-zlib in Node with more than one core, zlib with one; a named compressor stays itself", async () => {
  const expected = availableParallelism() > 1 ? "parallel-zlib" : "zlib";
  assert.equal(await resolveCompressor("auto", undefined), expected);
  assert.equal(await resolveCompressor("auto", 1), expected);
  for (const name of ["zlib", "fflate", "compression-stream", "parallel-zlib"] as const) assert.equal(await resolveCompressor(name, undefined), name);
});
