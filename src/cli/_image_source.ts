import type { Image } from "../image/image.ts";
import { pullImage } from "../image/pull_image.ts";
import { pullImages } from "../image/pull_images.ts";
import type { IndexEntry } from "../image/write_index.ts";
import { parseOciTarget, type OciTarget } from "../layout/_oci_target.ts";
import { readLayout, readLayoutImages } from "../layout/read_layout.ts";
import type { Platform } from "../oci/descriptor.ts";
import type { AuthOption } from "../registry/credentials.ts";
import { parseReference, type Reference } from "../registry/reference.ts";
import { RegistryClient } from "../registry/client.ts";
import { isIndexMediaType } from "../oci/media_types.ts";
import { UsageError } from "./_cli_errors.ts";

/** An image named on a command line: in a registry, or in an OCI layout. */
export type ImageSource = { kind: "registry"; reference: Reference; text: string } | { kind: "layout"; target: OciTarget; text: string };

/** How images are read: credentials, plain HTTP, the signal. */
export interface SourceOptions {
  auth: AuthOption;
  insecure: boolean;
  signal: AbortSignal | undefined;
}

/** `[docker://]host/repo[:tag|@digest]` or `oci:<dir>[:<tag>]`. */
export function parseImageSource(text: string, insecure: boolean): ImageSource {
  const target = parseOciTarget(text);
  if (target) return { kind: "layout", target, text };
  const bare = text.startsWith("docker://") ? text.slice("docker://".length) : text;
  return { kind: "registry", reference: parseReference(bare, { insecure }), text: bare };
}

/** `os/arch[/variant]`, as docker and crane spell a platform. */
export function parsePlatformOption(text: string): Platform {
  const [os, architecture, variant, ...rest] = text.split("/");
  if (!os || !architecture || rest.length > 0) throw new UsageError(`Invalid --platform: ${text}: expected os/arch[/variant]`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** The one image of `source` (the platform's, when it names an index). */
export function openImage(source: ImageSource, platform: Platform | undefined, options: SourceOptions): Promise<Image> {
  if (source.kind === "layout") return readLayout(source.target.directory, { tag: source.target.tag, platform });
  return pullImage(source.text, { ...options, platform });
}

/** Every image of `source`, or those of `platforms`, each with its platform. */
export async function openImages(source: ImageSource, platforms: readonly Platform[] | undefined, options: SourceOptions): Promise<IndexEntry[]> {
  if (source.kind === "registry") return pullImages(source.text, { ...options, platforms });
  const all = await readLayoutImages(source.target.directory, { tag: source.target.tag });
  if (platforms === undefined) return all;
  return Promise.all(platforms.map(async (platform) => ({ image: await openImage(source, platform, options), platform })));
}

/** Whether `source` names an image index (a multi-platform image) rather than one image. */
export async function isIndex(source: ImageSource, options: SourceOptions): Promise<boolean> {
  if (source.kind === "layout") {
    // readLayoutImages gives platforms only to the images of an index.
    const entries = await readLayoutImages(source.target.directory, { tag: source.target.tag });
    return entries.some((entry) => entry.platform !== undefined);
  }
  const { reference } = source;
  const found = await new RegistryClient(reference, options).headManifest(reference.digest ?? reference.tag ?? "latest");
  return isIndexMediaType(found?.mediaType);
}
