import { randomBytes } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Descriptor } from "../oci/descriptor.ts";
import type { Index } from "../oci/manifest.ts";
import { OCI_INDEX } from "../oci/media_types.ts";
import { InvalidLayoutError } from "./errors.ts";

/** The annotation that names a manifest in a layout's index.json. */
export const REF_NAME = "org.opencontainers.image.ref.name";

/** Reads index.json, or an empty index when there is none yet. */
export async function readLayoutIndex(directory: string): Promise<Index> {
  let text: string;
  try {
    text = await readFile(join(directory, "index.json"), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
    throw error;
  }
  const path = join(directory, "index.json");
  let index: unknown;
  try {
    index = JSON.parse(text);
  } catch (error) {
    throw new InvalidLayoutError(path, "not JSON", { cause: error });
  }
  if (typeof index !== "object" || index === null || !Array.isArray((index as { manifests?: unknown }).manifests)) {
    throw new InvalidLayoutError(path, "not an OCI image index: no manifests array");
  }
  return index as Index;
}

/**
 * Adds `descriptor` to index.json, taking the tag from any manifest that held
 * it before, and replaces the file in one rename.
 */
export async function addToLayoutIndex(directory: string, descriptor: Descriptor): Promise<void> {
  const index = await readLayoutIndex(directory);
  const tag = descriptor.annotations?.[REF_NAME];
  const others = index.manifests.filter((entry) =>
    tag === undefined ? entry.digest !== descriptor.digest || entry.annotations?.[REF_NAME] !== undefined : entry.annotations?.[REF_NAME] !== tag,
  );
  const next: Index = { ...index, schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...others, descriptor] };
  const temporary = join(directory, `.index.json.tmp-${randomBytes(8).toString("hex")}`);
  await writeFile(temporary, `${JSON.stringify(next)}\n`);
  await rename(temporary, join(directory, "index.json"));
}
