import type { Image } from "../image/image.ts";
import { mutateAnnotations, mutateConfig } from "../image/mutate.ts";
import type { ContainerConfig } from "../oci/config_file.ts";
import type { ImageEdits } from "./_push_args.ts";

/**
 * `image` with crane's edits applied (as `crane mutate` does), through the
 * library's `mutateConfig` and `mutateAnnotations`: labels and annotations
 * merged, each `--env` replacing a variable of the same name or added after
 * the others, entrypoint, cmd, working directory and user set, and a new
 * entrypoint clearing the base's cmd unless `--cmd` is given too (docker's
 * and crane's rule). Applied to the base before the new layers are appended,
 * so nothing here waits for a stream.
 */
export function editImage(image: Image, edits: ImageEdits): Image {
  const config = configEdit(edits);
  const configured = Object.keys(config).length > 0 ? mutateConfig(image, config) : image;
  return Object.keys(edits.annotations).length > 0 ? mutateAnnotations(configured, edits.annotations) : configured;
}

// Only the fields asked for: one left out keeps the base's value.
function configEdit(edits: ImageEdits): ContainerConfig {
  const fields: ContainerConfig = {};
  if (Object.keys(edits.labels).length > 0) fields.Labels = edits.labels;
  if (edits.env.length > 0) fields.Env = edits.env;
  if (edits.entrypoint !== undefined) fields.Entrypoint = edits.entrypoint;
  if (edits.cmd !== undefined) fields.Cmd = edits.cmd;
  if (edits.workdir !== undefined) fields.WorkingDir = edits.workdir;
  if (edits.user !== undefined) fields.User = edits.user;
  return fields;
}

/** Whether any of crane's edits was asked for. */
export function hasEdits(edits: ImageEdits): boolean {
  return Object.keys(edits.annotations).length + Object.keys(edits.labels).length + edits.env.length > 0 ||
    [edits.entrypoint, edits.cmd, edits.workdir, edits.user].some((value) => value !== undefined);
}
