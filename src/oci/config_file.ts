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
