import { ComposedImage, type ImageBase } from "../image/_composed_image.ts";
import type { Image } from "../image/image.ts";
import type { ConfigFile } from "../oci/config_file.ts";
import type { ImageEdits } from "./_push_args.ts";

/**
 * `image` with crane's edits applied (as `crane mutate` does): labels and
 * annotations merged, each `--env` replacing a variable of the same name or
 * added after the others, entrypoint, cmd, working directory and user set.
 * Applied to the base before the new layers are appended, so nothing here
 * waits for a stream.
 */
export function editImage(image: Image, edits: ImageEdits): Image {
  if (!hasEdits(edits)) return image;
  if (!(image instanceof ComposedImage) || !isBase(image.base)) throw new TypeError("editImage: the image must come from emptyImage, pullImage or appendLayers");
  const configFile = JSON.parse(JSON.stringify(image.base.configFile)) as ConfigFile;
  const config = (configFile.config ??= {});
  if (Object.keys(edits.labels).length > 0) config.Labels = { ...config.Labels, ...edits.labels };
  if (edits.env.length > 0) config.Env = mergeEnv(config.Env ?? [], edits.env);
  if (edits.entrypoint !== undefined) config.Entrypoint = edits.entrypoint;
  if (edits.cmd !== undefined) config.Cmd = edits.cmd;
  if (edits.workdir !== undefined) config.WorkingDir = edits.workdir;
  if (edits.user !== undefined) config.User = edits.user;
  const annotations = Object.keys(edits.annotations).length > 0 ? { ...image.base.annotations, ...edits.annotations } : image.base.annotations;
  // The pulled bytes no longer describe this image: drop them so that the config and manifest are made anew.
  return new ComposedImage({ ...image.base, configFile, annotations, pulled: undefined }, image.added);
}

function isBase(base: ImageBase | Image): base is ImageBase {
  return "configFile" in base;
}

/** Whether any of crane's edits was asked for. */
export function hasEdits(edits: ImageEdits): boolean {
  return Object.keys(edits.annotations).length + Object.keys(edits.labels).length + edits.env.length > 0 ||
    [edits.entrypoint, edits.cmd, edits.workdir, edits.user].some((value) => value !== undefined);
}

function mergeEnv(current: readonly string[], added: readonly string[]): string[] {
  const result = [...current];
  for (const variable of added) {
    const name = variable.slice(0, variable.indexOf("="));
    const index = result.findIndex((existing) => existing.slice(0, existing.indexOf("=")) === name);
    if (index === -1) result.push(variable);
    else result[index] = variable;
  }
  return result;
}
