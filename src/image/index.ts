export type { Image, ImageValues } from "./image.ts";
export type { ConfigFile, ContainerConfig, HistoryEntry, ImageIndex, Manifest, OciDescriptor, Platform } from "./types.ts";
export {
  DOCKER_CONFIG, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_CONFIG, OCI_INDEX, OCI_MANIFEST, type ImageFormat,
} from "./media_types.ts";
export { emptyImage, type EmptyImageOptions } from "./empty_image.ts";
export { appendLayers } from "./append_layers.ts";
export { pullImage, type PullImageOptions } from "./pull_image.ts";
export { writeImage, type ImageUploadProgress, type WriteImageOptions } from "./write_image.ts";
export { RemoteLayer } from "./remote_layer.ts";
export { NoMatchingPlatformError, UnsupportedImageError } from "./errors.ts";
