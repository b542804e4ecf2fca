// OCI's nouns, like go-containerregistry's `v1` and `types`: shapes, media
// types, the digest and tag patterns. Nothing here imports the rest of streamlayer.
export type { Descriptor, Platform } from "./descriptor.ts";
export type { Index, Manifest } from "./manifest.ts";
export type { ConfigFile, ContainerConfig, HistoryEntry } from "./config_file.ts";
export { DIGEST_HEX_LENGTH, DIGEST_PATTERN, TAG_PATTERN, isDigest, isSha256Digest, type Digest } from "./digest.ts";
export * from "./media_types.ts";
export { DigestMismatchError } from "./errors.ts";
