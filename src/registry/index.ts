// `streamlayer/registry`: the low-level client under writeLayer, writeImage and
// pullImage, for programs that speak to a registry blob by blob.
export { RegistryClient, type FetchedManifest, type RegistryClientOptions } from "./client.ts";
export { Transport, type TransportInit, type TransportRequest } from "./transport.ts";
export { UploadSession, type UploadStatus } from "./upload_session.ts";
export { RemoteLayer } from "./remote_layer.ts";
export { parseWwwAuthenticate, type Challenge } from "./www_authenticate.ts";
export { DEFAULT_REGISTRY, DEFAULT_TAG, formatReference, parseReference, type ParseReferenceOptions, type Reference } from "./reference.ts";
export { DEFAULT_CHUNK_SIZE } from "./chunk_size.ts";
export type { UploadMode } from "./upload_layer.ts";
export type { UploadProgress } from "./progress.ts";
export type { AuthOption, BasicCredentials, Credentials, IdentityTokenCredentials, TokenCredentials } from "./credentials.ts";
export { AuthError, InvalidReferenceError, RegistryError, SizeMismatchError, TimeoutError, UnsafeRedirectError, UploadNotResumableError, type RegistryErrorDetail, type RegistryErrorInit } from "./errors.ts";
export {
  DOCKER_CONFIG, DOCKER_LAYER_GZIP, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, MANIFEST_MEDIA_TYPES, OCI_CONFIG, OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST,
} from "../oci/media_types.ts";
export { DigestMismatchError } from "../oci/errors.ts";
export type { Descriptor } from "../oci/descriptor.ts";
