import { UnsafeTarPathError } from "./errors.ts";

/**
 * A tar entry's name as the tools read it: `/`-separated, with a leading `/`,
 * `./`, empty and `.` parts dropped and `..` resolved (Go's `path.Clean`
 * without the root), so that `./etc/x`, `/etc/x` and `etc//x` are one path.
 * The root itself is `""`.
 *
 * @throws {UnsafeTarPathError} when a `..` climbs above the root: such a name
 * is refused, never clamped, since no honest layer holds one.
 */
export function normalizeTarPath(name: string, layer?: number): string {
  const parts: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) throw new UnsafeTarPathError(name, layer);
      parts.pop();
    } else parts.push(part);
  }
  return parts.join("/");
}

/** The directory holding `path` (`""` for the root) and the name in it. */
export function splitTarPath(path: string): { directory: string; base: string } {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? { directory: "", base: path } : { directory: path.slice(0, slash), base: path.slice(slash + 1) };
}

/** `directory` and `base` joined, the root being `""`. */
export function joinTarPath(directory: string, base: string): string {
  return directory === "" ? base : `${directory}/${base}`;
}

/** The directories above `path`, nearest first, ending with the root `""`. */
export function* ancestorsOf(path: string): Generator<string> {
  let end = path.lastIndexOf("/");
  while (end > 0) {
    yield path.slice(0, end);
    end = path.lastIndexOf("/", end - 1);
  }
  yield "";
}
