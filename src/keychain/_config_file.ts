import { randomBytes } from "node:crypto";
import { lstat, mkdir, open, readFile, readlink, rename, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { formatJsonText, type JsonObject, parseJsonText } from "./_json_text.ts";

const MAX_SYMLINKS = 40;

/**
 * Rewrites a JSON config file (Docker's config.json): reads it, lets
 * `change` edit its top-level object, and when it says it changed something,
 * writes the whole file anew through a temporary file, then renames it over
 * the old one, so that a reader never sees half a file. Every value the
 * change leaves alone keeps its text (see _json_text.ts). A config.json that
 * is a symlink (to a dotfiles checkout, say) stays one: the file it points
 * to is the one replaced, as docker does.
 *
 * @throws {SyntaxError} when the file is not a JSON object; the message never quotes it.
 */
export async function rewriteConfig(path: string, change: (config: JsonObject) => boolean): Promise<void> {
  const target = await followSymlinks(path);
  const config = await readConfig(target, path);
  if (!change(config)) return;
  await writeThroughTemporary(target, `${formatJsonText(config)}\n`);
}

async function readConfig(target: string, path: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(target, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "object", members: [] };
    throw error;
  }
  if (text.trim() === "") return { kind: "object", members: [] };
  let parsed;
  try {
    parsed = parseJsonText(text);
  } catch {
    throw new SyntaxError(`Cannot parse ${path}: not valid JSON`);
  }
  if (parsed.kind !== "object") throw new SyntaxError(`Cannot parse ${path}: not a JSON object`);
  return parsed;
}

// The path the file really is at: a symlink's target (which may not exist yet), followed link by link.
async function followSymlinks(path: string): Promise<string> {
  let current = resolve(path);
  for (let hops = 0; hops < MAX_SYMLINKS; hops++) {
    let isLink: boolean;
    try {
      isLink = (await lstat(current)).isSymbolicLink();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return current;
      throw error;
    }
    if (!isLink) return current;
    current = resolve(dirname(current), await readlink(current));
  }
  throw new Error(`Cannot write ${path}: more than ${MAX_SYMLINKS} symbolic links`);
}

/**
 * Writes `text` to `target` by way of a temporary file in the same directory
 * (so that the rename is atomic), created exclusively with a random name
 * (`O_CREAT | O_EXCL`, "wx": a file or symlink planted under any name is
 * never opened, let alone followed), readable by the owner only (0600).
 * `temporaryName` is for the tests, which plant a file under the name.
 */
export async function writeThroughTemporary(target: string, text: string, temporaryName: (target: string) => string = randomName): Promise<void> {
  const directory = dirname(target);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const temporary = join(directory, temporaryName(target));
  const handle = await open(temporary, "wx", 0o600);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
    await handle.close();
    await rename(temporary, target);
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(temporary).catch(() => {});
    throw error;
  }
}

// 96 random bits: a name no one can plant a file under in advance.
function randomName(target: string): string {
  return `.${basename(target)}.${randomBytes(12).toString("hex")}.tmp`;
}
