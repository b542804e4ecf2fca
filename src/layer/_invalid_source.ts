import { InvalidLayerSourceError, type LayerSourceProblem } from "./errors.ts";
import { imageTarballFormat, TAR_BLOCK } from "./sniff_layer_source.ts";

const HOW_TO_TURN_OFF = "or pass requireTar: false to take the bytes as they are";

/** The error for a source judged not to be a tar, saying what was found and what to do. */
export function invalidSource(kind: Exclude<LayerSourceProblem, "not-gzip" | "corrupt-gzip" | "trailing-bytes" | "not-zstd" | "corrupt-zstd">, head: Uint8Array, what: string): InvalidLayerSourceError {
  const start = [...head.subarray(0, 4)].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
  switch (kind) {
    case "gzip":
      if (what !== "layer source") return new InvalidLayerSourceError(kind, `Invalid ${what}: found gzip data again inside the gzip (starts with 1f 8b): the tar was compressed twice; gunzip it once first`);
      return new InvalidLayerSourceError(kind, `Invalid ${what}: found gzip data (starts with 1f 8b), expected an uncompressed tar: gunzip it first, or push it as it is with CompressedStreamLayer`);
    case "zstd":
      return new InvalidLayerSourceError(kind, `Invalid ${what}: found zstd data (starts with 28 b5 2f fd), expected an uncompressed tar: decompress it first (zstd -d)`);
    case "image-tarball":
      return imageTarball(head, what);
    default:
      if (head.length >= TAR_BLOCK && head.subarray(0, TAR_BLOCK).every((byte) => byte === 0)) {
        return new InvalidLayerSourceError(kind, `Invalid ${what}: found a 512-byte block of zeros (the end of a tar) followed by data, expected a tar: tar readers (Go's, and so containerd's) fail on it; pass a tar archive, ${HOW_TO_TURN_OFF}`);
      }
      return new InvalidLayerSourceError(
        kind,
        head.length < TAR_BLOCK
          ? `Invalid ${what}: found ${head.length} bytes (starting ${start}), shorter than one 512-byte tar block and not zeros, expected a tar: pass a tar archive, ${HOW_TO_TURN_OFF}`
          : `Invalid ${what}: found bytes that are not a tar (the first 512-byte block, starting ${start}, is not a tar header: its checksum does not match), expected a tar: pass a tar archive, ${HOW_TO_TURN_OFF}`,
      );
  }
}

function imageTarball(head: Uint8Array, what: string): InvalidLayerSourceError {
  const expected = `expected the tar of one layer`;
  if (imageTarballFormat(head) === "docker-archive") {
    return new InvalidLayerSourceError("image-tarball", `Invalid ${what}: found a \`docker save\` tarball (a whole image), ${expected}: push the image with a tool that reads it (skopeo copy docker-archive:..., crane push), ${HOW_TO_TURN_OFF}`);
  }
  return new InvalidLayerSourceError("image-tarball", `Invalid ${what}: found an image tarball (an OCI layout), ${expected}: push the image with a tool that reads OCI archives (skopeo copy oci-archive:..., crane push), or unpack it and read it with readLayout, ${HOW_TO_TURN_OFF}`);
}
