import type { Descriptor } from "../registry/descriptor.ts";

/**
 * A content descriptor as the OCI image specification defines it: the
 * registry's {@link Descriptor} (media type, digest, size) with the optional
 * fields manifests and indexes use.
 */
export interface OciDescriptor extends Descriptor {
  /** Free-form annotations. */
  readonly annotations?: Record<string, string>;
  /** For an entry of an image index: the platform it runs on. */
  readonly platform?: Platform;
  /** Other locations of the content. */
  readonly urls?: string[];
}

/** The platform an image runs on. */
export interface Platform {
  /** Operating system, such as `linux`. */
  os: string;
  /** CPU architecture in Go's spelling, such as `amd64` or `arm64`. */
  architecture: string;
  /** CPU variant, such as `v8` for `arm64`. */
  variant?: string;
  /** Operating system version (Windows). */
  "os.version"?: string;
  /** Required operating system features (Windows). */
  "os.features"?: string[];
}

/** The part of an image config that says how to run a container. */
export interface ContainerConfig {
  /** Environment variables, `NAME=value`. */
  Env?: string[];
  /** The executable and its first arguments. */
  Entrypoint?: string[];
  /** Default arguments, or the command when there is no entrypoint. */
  Cmd?: string[];
  /** The working directory of the process. */
  WorkingDir?: string;
  /** Image labels. */
  Labels?: Record<string, string>;
  /** The user the process runs as. */
  User?: string;
  /** Other fields, kept as they are. */
  [field: string]: unknown;
}

/** One entry of an image's history. */
export interface HistoryEntry {
  /** When the layer was made (RFC 3339). */
  created?: string;
  /** What made the layer. */
  created_by?: string;
  /** A comment. */
  comment?: string;
  /** Whether the entry has no layer of its own. */
  empty_layer?: boolean;
  /** Other fields, kept as they are. */
  [field: string]: unknown;
}

/** An image config (OCI `application/vnd.oci.image.config.v1+json`, or Docker's). */
export interface ConfigFile {
  /** When the image was made (RFC 3339). */
  created?: string;
  /** CPU architecture. */
  architecture: string;
  /** Operating system. */
  os: string;
  /** CPU variant. */
  variant?: string;
  /** How to run a container. */
  config?: ContainerConfig;
  /** The layers' DiffIDs, bottom first. */
  rootfs: { type: "layers"; diff_ids: string[] };
  /** One entry per layer, and per step that made none. */
  history?: HistoryEntry[];
  /** Other fields, kept as they are. */
  [field: string]: unknown;
}

/** An image manifest (OCI, or Docker schema 2). */
export interface Manifest {
  /** Always 2. */
  schemaVersion: 2;
  /** The manifest's own media type. */
  mediaType?: string;
  /** The config blob. */
  config: OciDescriptor;
  /** The layer blobs, bottom first. */
  layers: OciDescriptor[];
  /** Free-form annotations. */
  annotations?: Record<string, string>;
  /** Other fields, kept as they are. */
  [field: string]: unknown;
}

/** An image index (OCI), or a Docker manifest list. */
export interface ImageIndex {
  /** Always 2. */
  schemaVersion: 2;
  /** The index's own media type. */
  mediaType?: string;
  /** One descriptor per manifest. */
  manifests: OciDescriptor[];
  /** Free-form annotations. */
  annotations?: Record<string, string>;
}
