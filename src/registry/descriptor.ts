/**
 * What a registry knows a blob or manifest by: its media type, its digest and
 * its size in bytes. The shape of an OCI descriptor's required fields.
 *
 * @example The descriptor of a pushed layer
 * ```ts
 * import type { Descriptor } from "streamlayer";
 *
 * const descriptor: Descriptor = {
 *   mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
 *   digest: "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
 *   size: 0,
 * };
 * ```
 */
export interface Descriptor {
  readonly mediaType: string;
  /** `sha256:<64 lowercase hex digits>`. */
  readonly digest: string;
  readonly size: number;
}
