import type { Descriptor } from "./descriptor.ts";

/** An image manifest (OCI, or Docker schema 2). */
export interface Manifest {
  /** Always 2. */
  schemaVersion: 2;
  /** The manifest's own media type. */
  mediaType?: string;
  /** The config blob. */
  config: Descriptor;
  /** The layer blobs, bottom first. */
  layers: Descriptor[];
  /** Free-form annotations. */
  annotations?: Record<string, string>;
  /** Other fields, kept as they are. */
  [field: string]: unknown;
}

/** An image index (OCI), or a Docker manifest list. */
export interface Index {
  /** Always 2. */
  schemaVersion: 2;
  /** The index's own media type. */
  mediaType?: string;
  /** One descriptor per manifest. */
  manifests: Descriptor[];
  /** Free-form annotations. */
  annotations?: Record<string, string>;
}
