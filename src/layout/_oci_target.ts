import { TAG_PATTERN } from "../oci/digest.ts";

/** A layout named on a command line: `oci:<directory>[:<tag>]`. */
export interface OciTarget {
  /** The layout's directory. */
  readonly directory: string;
  /** The tag, when one was given. */
  readonly tag: string | undefined;
}

/**
 * Parses `oci:<directory>[:<tag>]`, skopeo's spelling of an OCI layout. The
 * tag is what follows the last `:` when it looks like a tag and not like part
 * of a path.
 *
 * @param text The target, starting with `oci:`.
 * @returns The directory and tag, or undefined when `text` does not start with `oci:`.
 * @throws {TypeError} when the directory is empty.
 */
export function parseOciTarget(text: string): OciTarget | undefined {
  if (!text.startsWith("oci:")) return undefined;
  const rest = text.slice(4);
  const colon = rest.lastIndexOf(":");
  const candidate = colon >= 0 ? rest.slice(colon + 1) : "";
  const hasTag = colon > 0 && TAG_PATTERN.test(candidate);
  const directory = hasTag ? rest.slice(0, colon) : rest;
  if (directory === "") throw new TypeError(`Invalid OCI layout target: no directory: ${text}`);
  return { directory, tag: hasTag ? candidate : undefined };
}
