/**
 * The record the reproducible-layer cases compare against: the tarball
 * `tarLikeBytes(size, seed)` from test/support/bytes.ts, and the digest and
 * size that `new StreamLayer(tarball, { deterministic: true, compressionLevel })`
 * gave for it when recorded (Node 20, x86_64). Every runtime must give these
 * same values. A change to them is a change to the format of deterministic
 * layers: users' digests would change, so it needs a release note.
 */
export const DETERMINISTIC_GOLDEN = {
  size: 2_101_473,
  seed: 42,
  diffID: "sha256:caea982c8b2db8ae8d3c9a7d8de373a616a9b27778f712ca01fff03460bed838",
  levels: [
    { level: 1, digest: "sha256:2c4bef40a5d736b7adf601a03daa03fb0d033b1a7fed7a94d3111db1a10a4e11", size: 1_062_991 },
    { level: 6, digest: "sha256:f7823d82be1507fd572588bdfad92b35827f9f64f886f2329afc67537452491d", size: 1_058_869 },
    { level: 9, digest: "sha256:6eb831585aa5f97264347319adeba7f89ad0e3bc1c6a5eba8e979a54e020598d", size: 1_058_442 },
  ],
} as const;
