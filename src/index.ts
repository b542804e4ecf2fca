export { StreamLayerError, isStreamLayerError, type StreamLayerErrorCode } from "./errors.ts";
export * from "./layer/index.ts";
export { createSha256, type Sha256 } from "./hash/sha256.ts";
export { CompressorUnavailableError } from "./compress/errors.ts";
export type { CompressionLevel, Compressor, CompressorChoice, CompressorFactory, CompressorName, CompressorOption } from "./compress/compressor.ts";
export * from "./registry/index.ts";
export { BlobLayer, blobLayer, type BlobLayerOptions } from "./layer/blob_layer.ts";
export * from "./image/index.ts";
export * from "./tar/index.ts";
