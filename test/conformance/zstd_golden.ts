/**
 * The record the zstd cases compare against: `tarLikeBytes(length, seed)` from
 * test/support/bytes.ts, 0 B, 1 B and one 2 MiB block of the zstd layer
 * format ± 1 byte, and the digest and size that `new StreamLayer(bytes, {
 * compression: "zstd", level })` gave for each when recorded (Node 20, x86_64;
 * zstd 1.5.7 in WebAssembly; `zstd -d` gave every input back). Every runtime
 * must give these same values, so they agree with one another. A change here
 * is a change to the bytes of zstd layers: users' digests would change.
 */
export const ZSTD_GOLDEN = {
  seed: 2121,
  layers: [
    { level: 3, length: 0, digest: "sha256:6fb8543883dafcc2ed0934866b8b3f775231f5b0933add08bf502e9e84944cbd", size: 9 },
    { level: 3, length: 1, digest: "sha256:6388f29d30a6973aefc25a81bd9e5af3f56dace9d194ebe844f2c1aafa1f175b", size: 10 },
    { level: 3, length: 2_097_151, digest: "sha256:8e1cb60e4b1768763d04e6df785fa304ae2fabf0a392aa3eacceee1a31b4fc49", size: 1_022_798 },
    { level: 3, length: 2_097_152, digest: "sha256:d8718b7a9e7a6a2e737590c7039aa2909a3bc77a4ed1a186b20880ba45c27141", size: 1_022_814 },
    { level: 3, length: 2_097_153, digest: "sha256:18b09e78c4bfc72fd5c7cca45d5e43c0dcfb21d31d3a95e3d4d63a00182c0c5a", size: 1_022_824 },
    { level: -5, length: 0, digest: "sha256:6fb8543883dafcc2ed0934866b8b3f775231f5b0933add08bf502e9e84944cbd", size: 9 },
    { level: -5, length: 1, digest: "sha256:42f4c55d332e6970402df30d757ecac0f53e4b749744710149d536e50eda5948", size: 10 },
    { level: -5, length: 2_097_151, digest: "sha256:a7ee3bee38983ff4100e20b4eb573480df548c46e805ccd1482eff0551c294bb", size: 1_024_844 },
    { level: -5, length: 2_097_152, digest: "sha256:e2e575bcd7b846eb2f464a11d9691ee6ce18da62c3091d71c539733546fd2db1", size: 1_024_871 },
    { level: -5, length: 2_097_153, digest: "sha256:4070f5f4f19e25cea5b2a1e53b66edb3e05073dfac3d763ee17870a7a6580fa0", size: 1_024_881 },
  ],
} as const;
