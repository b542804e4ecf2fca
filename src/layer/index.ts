export type { Layer, LayerValues } from "./layer.ts";
export { StreamLayer, type StreamLayerOptions } from "./stream_layer.ts";
export { CompressedStreamLayer, type CompressedStreamLayerOptions } from "./compressed_stream_layer.ts";
export { ConsumedError, InvalidLayerSourceError, NotComputedError, UncompressedUnavailableError, type LayerSourceProblem } from "./errors.ts";
export type { LayerSource } from "./layer_source.ts";
export { sniffLayerSource, type LayerSourceKind } from "./sniff_layer_source.ts";
export { DOCKER_LAYER_GZIP, OCI_LAYER_GZIP, type GzipLayerMediaType } from "../oci/media_types.ts";
