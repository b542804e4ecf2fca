import { ancestorsOf } from "../tar/_tar_path.ts";

/** What an upper layer left at a path: a directory (lower layers' children show through), anything else, or a whiteout. */
type ClaimKind = "directory" | "other" | "whiteout";

interface Claim {
  /** The layer that claimed the path, 0 for the bottom one. */
  readonly layer: number;
  readonly kind: ClaimKind;
}

/**
 * The paths the layers above have settled, for a walk from the top layer
 * down, as go-containerregistry's `mutate.Extract` keeps them: one small
 * record per path, never the contents.
 *
 * An entry of a lower layer is hidden when an upper layer claimed its path,
 * or claimed an ancestor as anything but a directory (a file, a symlink, a
 * whiteout), or made an ancestor opaque. Whiteouts and opaque markers take
 * effect when their layer ends, so that they hide only lower layers' entries,
 * as the OCI spec says, whatever their order in the tar.
 */
export class Overlay {
  readonly #claims = new Map<string, Claim>();
  readonly #opaque = new Set<string>();

  /** Whether an entry at `path` of a layer below every claim made so far is hidden. */
  hidden(path: string): boolean {
    if (this.#claims.has(path)) return true;
    for (const ancestor of ancestorsOf(path)) {
      if (this.#opaque.has(ancestor)) return true;
      const claim = this.#claims.get(ancestor);
      if (claim !== undefined && claim.kind !== "directory") return true;
    }
    return false;
  }

  /** Records that `layer`'s entry at `path` is the one written. */
  claim(path: string, layer: number, directory: boolean): void {
    this.#claims.set(path, { layer, kind: directory ? "directory" : "other" });
  }

  /** The layer whose non-directory entry was written at `path`, if one was. */
  fileLayer(path: string): number | undefined {
    const claim = this.#claims.get(path);
    return claim?.kind === "other" ? claim.layer : undefined;
  }

  /**
   * Applies a layer's whiteouts (`.wh.<name>`: the path and what is under
   * it) and opaque directories (`.wh..wh..opq`: what is under it), once the
   * layer has been read, to the layers below.
   */
  endLayer(layer: number, whiteouts: readonly string[], opaqueDirectories: readonly string[]): void {
    for (const path of whiteouts) {
      const claim = this.#claims.get(path);
      if (claim === undefined) this.#claims.set(path, { layer, kind: "whiteout" });
      // A directory this layer or one above made again: nothing of the old one shows.
      else if (claim.kind === "directory") this.#opaque.add(path);
    }
    for (const path of opaqueDirectories) this.#opaque.add(path);
  }
}
