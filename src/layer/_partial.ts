import type { Descriptor } from "../oci/descriptor.ts";
import type { Layer, LayerValues, MountSource } from "./layer.ts";

// What can be derived from a Layer's few members, in one place, like
// go-containerregistry's `partial`: writers ask these, never a class.

/**
 * The blob's descriptor if it is known without reading: the layer's
 * `knownDescriptor()`, else its `computed()` values (a streaming layer read
 * to its end already). Undefined when neither knows, whatever they throw.
 */
export async function knownDescriptor(layer: Layer): Promise<Descriptor | undefined> {
  if (typeof layer.knownDescriptor === "function") {
    try {
      const known = await layer.knownDescriptor();
      if (known !== undefined) return known;
    } catch {
      // "Not known": a layer may say it any way it likes.
    }
  }
  const values = computedValues(layer);
  return values && { mediaType: layer.mediaType(), digest: values.digest, size: values.size };
}

/** The layer's values now, or undefined when it cannot say (no `computed()`, or it throws). */
export function computedValues(layer: Layer): LayerValues | undefined {
  if (typeof layer.computed !== "function") return undefined;
  try {
    return layer.computed();
  } catch {
    return undefined;
  }
}

/** The digest, DiffID and size, once the compressed stream has been read to its end. */
export async function layerValues(layer: Layer): Promise<LayerValues> {
  const [digest, diffID, size] = await Promise.all([layer.digest(), layer.diffID(), layer.size()]);
  return { digest, diffID, size };
}

/** Where the blob can be mounted from, when the layer says. */
export function mountSource(layer: Layer): MountSource | undefined {
  const from = layer.mountFrom;
  return from && typeof from.registry === "string" && typeof from.repository === "string" ? from : undefined;
}

/** The source bytes a layer has read, when it counts them. */
export function sourceBytesRead(layer: Layer): number | undefined {
  if (typeof layer.bytesRead !== "function") return undefined;
  const value: unknown = layer.bytesRead();
  return typeof value === "number" ? value : undefined;
}
