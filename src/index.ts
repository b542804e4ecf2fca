// streamlayer's root: what an application uses. The low-level registry client
// is `streamlayer/registry`; writing an OCI layout to disk is `streamlayer/layout`.

// Errors
export { StreamLayerError, isStreamLayerError, type StreamLayerErrorCode } from "./errors.ts";
export { ConsumedError, InvalidLayerSourceError, NotComputedError, UncompressedUnavailableError, type LayerSourceProblem } from "./layer/errors.ts";
export { CompressorUnavailableError } from "./compress/errors.ts";
export { DigestMismatchError } from "./oci/errors.ts";
export { AuthError, InvalidReferenceError, RegistryError, SizeMismatchError, TimeoutError, UnsafeRedirectError, UploadNotResumableError, type RegistryErrorDetail } from "./registry/errors.ts";
export { NoMatchingPlatformError, UnsupportedImageError } from "./image/errors.ts";
export { InvalidTarError, UnsafeTarPathError } from "./tar/errors.ts";

// Layers
export type { Layer, LayerValues, MountSource } from "./layer/layer.ts";
export { StreamLayer, type LayerCompression, type StreamLayerOptions } from "./layer/stream_layer.ts";
export { ZSTD_DEFAULT_LEVEL, ZSTD_MAX_LEVEL, ZSTD_MIN_LEVEL } from "./compress/zstd/zstd_level.ts";
export { CompressedStreamLayer, type CompressedStreamLayerOptions } from "./layer/compressed_stream_layer.ts";
export { blobLayer, type BlobLayerOptions } from "./layer/blob_layer.ts";
export type { LayerSource } from "./layer/layer_source.ts";
export { DOCKER_LAYER_GZIP, OCI_LAYER_GZIP, OCI_LAYER_ZSTD } from "./oci/media_types.ts";
export { sniffLayerSource, type LayerSourceKind } from "./layer/sniff_layer_source.ts";
export type { CompressionLevel, Compressor, CompressorChoice, CompressorFactory, CompressorOption } from "./compress/compressor.ts";
export { createTarStream, type TarEntryInput, type TarStreamOptions } from "./tar/create_tar_stream.ts";

// Pushing
export { formatReference, parseReference, type ParseReferenceOptions, type Reference } from "./registry/reference.ts";
export { writeLayer, type WriteLayerOptions } from "./registry/write_layer.ts";
export type { UploadMode } from "./registry/upload_layer.ts";
export type { UploadProgress } from "./registry/progress.ts";
export type { RegistryClientOptions } from "./registry/client.ts";
export type { AuthOption, BasicCredentials, Credentials, IdentityTokenCredentials, TokenCredentials } from "./registry/credentials.ts";

// Images
export type { Image, ImageValues } from "./image/image.ts";
export type { ImageFormat } from "./image/media_types.ts";
export { emptyImage, type EmptyImageOptions } from "./image/empty_image.ts";
export { appendLayers } from "./image/append_layers.ts";
export { mutateAnnotations, mutateConfig, type AnnotationsEdit, type ConfigEdit } from "./image/mutate.ts";
export { pullImage, type PullImageOptions } from "./image/pull_image.ts";
export { pullImages, type PullImagesOptions } from "./image/pull_images.ts";
export { extractImage, type ExtractImageOptions } from "./image/extract_image.ts";
export { writeIndex, type IndexEntries, type IndexEntry, type IndexUploadProgress, type SourceIndex, type WriteIndexOptions } from "./image/write_index.ts";
export { writeImage, type ImageUploadProgress, type ImageWritePhase, type WriteImageOptions } from "./image/write_image.ts";

// OCI's nouns
export type { ConfigFile, ContainerConfig, Descriptor, Digest, CompressedLayerMediaType, GzipLayerMediaType, HistoryEntry, Index, Manifest, Platform } from "./oci/index.ts";
