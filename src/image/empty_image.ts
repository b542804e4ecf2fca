import { ComposedImage } from "./_composed_image.ts";
import type { Image } from "./image.ts";
import { DOCKER_CONFIG, DOCKER_MANIFEST, OCI_CONFIG, OCI_MANIFEST } from "../oci/media_types.ts";
import { type ImageFormat } from "./media_types.ts";
import type { ConfigFile, ContainerConfig } from "../oci/config_file.ts";

/** Options of {@link emptyImage}. */
export interface EmptyImageOptions {
  /**
   * Operating system of the image.
   * @default "linux"
   */
  os?: string;
  /**
   * CPU architecture, in Go's spelling.
   * @default "amd64"
   */
  architecture?: string;
  /**
   * CPU variant, such as `v8`.
   * @default undefined
   */
  variant?: string;
  /**
   * Manifest format: OCI, or Docker schema 2 for older tools.
   * @default "oci"
   */
  format?: ImageFormat;
  /**
   * How to run a container: `Env`, `Entrypoint`, `Cmd`, `WorkingDir`, `Labels`...
   * @default {}
   */
  config?: ContainerConfig;
  /**
   * When the image was made: a `Date`, or an RFC 3339 string kept as given.
   * The Unix epoch by default, so that the same layers always give the same
   * image digest.
   * @default "1970-01-01T00:00:00Z"
   */
  created?: string | Date;
}

/**
 * An image with no layers: the start of an image built from scratch.
 *
 * @param options Platform, format and config fields.
 * @returns An image whose config and manifest are known once hashed.
 * @throws {RangeError} when `format` is neither `oci` nor `docker`, or `created` is not a valid date in RFC 3339.
 *
 * @example Building an image with a command
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyImage } from "streamlayer";
 *
 * const image = emptyImage({ architecture: "arm64", config: { Cmd: ["/hello"] } });
 * const { configFile } = await image.values();
 * assert.equal(configFile.architecture, "arm64");
 * assert.deepEqual(configFile.config?.Cmd, ["/hello"]);
 * assert.equal(configFile.rootfs.diff_ids.length, 0);
 * ```
 */
export function emptyImage(options: EmptyImageOptions = {}): Image {
  const format = options.format ?? "oci";
  if (format !== "oci" && format !== "docker") throw new RangeError(`Unknown image format: ${String(format)}`);
  const configFile: ConfigFile = {
    created: createdText(options.created),
    architecture: options.architecture ?? "amd64",
    os: options.os ?? "linux",
    ...(options.variant ? { variant: options.variant } : {}),
    config: { ...options.config },
    rootfs: { type: "layers", diff_ids: [] },
  };
  return new ComposedImage(
    {
      format,
      manifestMediaType: format === "oci" ? OCI_MANIFEST : DOCKER_MANIFEST,
      configMediaType: format === "oci" ? OCI_CONFIG : DOCKER_CONFIG,
      configFile,
      layers: [],
      layerDescriptors: [],
    },
    [],
  );
}

// The spec wants RFC 3339, and Go tools (skopeo, crane) fail to parse anything
// else; `new Date` would accept "2020-01-01" or a local-time string, so a
// string is checked against the format rather than merely parsed.
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function createdText(created: string | Date | undefined): string {
  if (created === undefined) return "1970-01-01T00:00:00Z";
  const date = typeof created === "string" ? new Date(created) : created;
  if (Number.isNaN(date.getTime()) || (typeof created === "string" && !RFC_3339.test(created))) {
    throw new RangeError(`Invalid created date: expected RFC 3339 such as 2024-01-02T03:04:05Z, got ${String(created)}`);
  }
  return typeof created === "string" ? created : date.toISOString().replace(/\.000Z$/, "Z");
}
