export type { Layer, LayerValues } from "./layer.ts";
export { StreamLayer, type StreamLayerOptions } from "./stream_layer.ts";
export { ConsumedError, NotComputedError, UncompressedUnavailableError } from "./errors.ts";
export { DOCKER_LAYER_GZIP, OCI_LAYER_GZIP, type GzipLayerMediaType } from "./media_types.ts";
