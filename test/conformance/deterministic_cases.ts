// Reproducible layers: with `deterministic: true` the same tarball gives the
// same compressed digest in every runtime. Each runtime checks its digests
// against the ones recorded in deterministic_golden.ts; since all four must
// match that record, they match each other.
import { chunkedStream, tarLikeBytes } from "../support/bytes.ts";
import { assertEqual, collect, random, webCryptoDigest, type ConformanceCase } from "./harness.ts";
import { DETERMINISTIC_GOLDEN } from "./deterministic_golden.ts";

export const deterministicCases: ConformanceCase[] = DETERMINISTIC_GOLDEN.levels.map((expected) => ({
  name: `deterministic layer at level ${expected.level}: the recorded digest, whatever the chunking`,
  async run({ lib }) {
    const bytes = tarLikeBytes(DETERMINISTIC_GOLDEN.size, DETERMINISTIC_GOLDEN.seed);
    assertEqual(await webCryptoDigest(bytes), DETERMINISTIC_GOLDEN.diffID, "the tarball is the recorded one");
    const next = random(expected.level);
    for (const chunkSizes of [[bytes.length], [1 + next(5000), 1 + next(200_000)], [65_536], [65_537, 3]]) {
      const layer = new lib.StreamLayer(chunkedStream(bytes, { chunkSizes }).stream, { deterministic: true, compressionLevel: expected.level, requireTar: false });
      const gzip = await collect(layer.compressed());
      assertEqual(await layer.digest(), expected.digest, `digest with chunks of ${chunkSizes.join(", ")}`);
      assertEqual(await layer.size(), expected.size, "size");
      assertEqual(await layer.diffID(), DETERMINISTIC_GOLDEN.diffID, "DiffID");
      assertEqual(gzip.length, expected.size, "gzip length");
    }
  },
}));
