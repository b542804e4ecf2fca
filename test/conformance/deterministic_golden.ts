/**
 * The record the reproducible-layer cases compare against: the tarball
 * `tarLikeBytes(size, seed)` from test/support/bytes.ts, and the digest and
 * size that `new StreamLayer(tarball, { deterministic: true, compressionLevel })`
 * gave for it when recorded (Node 20, x86_64; the block format on pako 3 since
 * the parallel compressor, fflate on 64 KiB blocks before). Every runtime must
 * give these same values. A change to them is a change to the format of
 * deterministic layers: users' digests would change, so it needs a release note.
 */
export const DETERMINISTIC_GOLDEN = {
  size: 2_101_473,
  seed: 42,
  diffID: "sha256:caea982c8b2db8ae8d3c9a7d8de373a616a9b27778f712ca01fff03460bed838",
  levels: [
    { level: 1, digest: "sha256:13d829047860f30ad0517e0a8f05c7dd31281c138f0cca6f897277d4b1ab5d8f", size: 1_065_588 },
    { level: 6, digest: "sha256:4dbcf9451869883dc2900eb0d0c7f2f8198ae2767e8f87c1d359d489c9bb5a2e", size: 1_058_232 },
    { level: 9, digest: "sha256:5e00c4cb6c22c0d6bc139be6eb0a0f80ba7bfcdbbed1604172f7f9003f840e98", size: 1_057_831 },
  ],
} as const;
