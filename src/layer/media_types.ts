/** The OCI media type of a gzip-compressed tar layer. The default. */
export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

/** Docker's media type of a gzip-compressed tar layer, for Docker schema 2 manifests. */
export const DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/** The media types a gzip layer made by streamlayer may carry. */
export type GzipLayerMediaType = typeof OCI_LAYER_GZIP | typeof DOCKER_LAYER_GZIP;
