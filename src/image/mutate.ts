import type { ConfigFile, ContainerConfig } from "../oci/config_file.ts";
import { applyContainerEdit, checkContainerEdit } from "./_container_edit.ts";
import { MutatedImage } from "./_mutated_image.ts";
import type { Image } from "./image.ts";

/**
 * How {@link mutateConfig} changes a config. Either:
 * - the fields of its `config` section to set, applied as a Dockerfile's
 *   instructions apply on top of its `FROM`: `Env` entries replace the
 *   variable of the same name or are added after the others, `Labels`,
 *   `ExposedPorts` and `Volumes` are merged key by key, any other field
 *   replaces the base's, a field given as `undefined` is removed; and a new
 *   `Entrypoint` clears the inherited `Cmd` unless `Cmd` is given too, as
 *   `docker build`, `docker run --entrypoint` and `crane mutate` do;
 * - or a function that gets a copy of the whole config and returns the new
 *   one, as go-containerregistry's `mutate.ConfigFile` takes one: for what
 *   the fields cannot say (removing one variable, the platform, `created`,
 *   history entries). No Docker rule is applied to it, and its `rootfs` is
 *   the image's whatever it returns: the layers are not changed.
 */
export type ConfigEdit = ContainerConfig | ((configFile: ConfigFile) => ConfigFile);

/**
 * How {@link mutateAnnotations} changes the manifest's annotations: the ones
 * to add or replace (the others are kept, as `crane mutate --annotation`
 * does), or a function that gets a copy of them (`{}` when there are none)
 * and returns the new set.
 */
export type AnnotationsEdit = Record<string, string> | ((annotations: Record<string, string>) => Record<string, string>);

/**
 * A new image: `image` with its config edited, as go-containerregistry's
 * `mutate.Config` and `mutate.ConfigFile` make one.
 *
 * The layers are the same objects: a pulled image's stay in the registry
 * (`writeImage` finds, mounts or copies them, never downloads them to push
 * to the same registry), a streaming one is still read once, by whoever
 * writes the image. The DiffIDs, the history, the format (OCI or Docker) and
 * the rest of the manifest are the base's; only the config's bytes and
 * digest, and so the manifest's, change. Nothing is read here: on an image
 * with streaming layers the edit runs once their DiffIDs are known.
 *
 * @param image Any {@link Image}: from {@link pullImage}, {@link emptyImage}, {@link appendLayers}, or your own.
 * @param edit The fields of the config's `config` section to set, with Docker's rules, or a function of the whole config: see {@link ConfigEdit}.
 * @returns The new image; `image` itself is unchanged. An edit that changes nothing gives the same digest.
 * @throws {TypeError} when `image` is not an image or `edit` holds what a config cannot (an `Env` entry without `=`, a `Cmd` that is not an array of strings); the image's `values()` rejects with a `TypeError` when an edit function returns no config.
 *
 * @example An entrypoint and a variable on a pulled base
 * ```ts
 * import assert from "node:assert/strict";
 * import { mutateConfig, pullImage, writeImage } from "streamlayer";
 *
 * const base = await pullImage("127.0.0.1:5000/base:1"); // manifest and config; no layer bytes
 * const image = mutateConfig(base, { Entrypoint: ["/app/server"], Env: ["TZ=UTC"] });
 * const { configFile, manifest, descriptor } = await image.values();
 * assert.deepEqual(configFile.config?.Entrypoint, ["/app/server"]);
 * assert.ok(configFile.config?.Env?.includes("TZ=UTC"));
 * assert.deepEqual(manifest.layers, (await base.values()).manifest.layers); // the same layers
 * // Only the new config and manifest are uploaded: the layers are in the registry already.
 * const pushed = await writeImage("127.0.0.1:5000/app:1", image);
 * assert.equal(pushed.digest, descriptor.digest);
 * ```
 *
 * @example Docker's rule: a new entrypoint clears the inherited command
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyImage, mutateConfig } from "streamlayer";
 *
 * const base = emptyImage({ config: { Entrypoint: ["/bin/sh", "-c"], Cmd: ["echo base"] } });
 * const server = await mutateConfig(base, { Entrypoint: ["/app/server"] }).values();
 * assert.equal(server.configFile.config?.Cmd, undefined);
 * const withArgs = await mutateConfig(base, { Entrypoint: ["/app/server"], Cmd: ["--port=8080"] }).values();
 * assert.deepEqual(withArgs.configFile.config?.Cmd, ["--port=8080"]);
 * ```
 *
 * @example A function of the whole config, for what fields cannot say
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyImage, mutateConfig } from "streamlayer";
 *
 * const base = emptyImage({ config: { Env: ["PATH=/bin", "DEBUG=1"] } });
 * const image = mutateConfig(base, (configFile) => ({
 *   ...configFile,
 *   created: "2026-01-02T03:04:05Z",
 *   config: { ...configFile.config, Env: configFile.config?.Env?.filter((variable) => !variable.startsWith("DEBUG=")) },
 * }));
 * const { configFile } = await image.values();
 * assert.deepEqual(configFile.config?.Env, ["PATH=/bin"]);
 * assert.equal(configFile.created, "2026-01-02T03:04:05Z");
 * ```
 */
export function mutateConfig(image: Image, edit: ConfigEdit): Image {
  checkImage(image, "mutateConfig");
  if (typeof edit === "function") return new MutatedImage(image, { config: edit });
  checkContainerEdit(edit);
  const fields = structuredClone(edit); // later changes to the caller's object do not reach the image
  return new MutatedImage(image, { config: (configFile) => ({ ...configFile, config: applyContainerEdit(configFile.config, fields) }) });
}

/**
 * A new image: `image` with other manifest annotations, as
 * go-containerregistry's `mutate.Annotations` and `crane mutate --annotation`
 * make one. The config and the layers are the base's (a pulled image's stay
 * in the registry, a streaming one is still read once); only the manifest's
 * bytes and digest change. A Docker v2 manifest has no annotations field in
 * its schema: registries keep them, most tools ignore them there.
 *
 * @param image Any {@link Image}.
 * @param annotations The annotations to add or replace, or a function of them: see {@link AnnotationsEdit}.
 * @returns The new image; `image` itself is unchanged.
 * @throws {TypeError} when `image` is not an image or an annotation's value is not a string.
 *
 * @example Annotating a pulled image
 * ```ts
 * import assert from "node:assert/strict";
 * import { mutateAnnotations, pullImage } from "streamlayer";
 *
 * const base = await pullImage("127.0.0.1:5000/base:1");
 * const image = mutateAnnotations(base, { "org.opencontainers.image.revision": "4f1c2e" });
 * const { manifest, config } = await image.values();
 * assert.equal(manifest.annotations?.["org.opencontainers.image.revision"], "4f1c2e");
 * assert.equal(config.digest, (await base.values()).config.digest); // the config is untouched
 * ```
 */
export function mutateAnnotations(image: Image, annotations: AnnotationsEdit): Image {
  checkImage(image, "mutateAnnotations");
  if (typeof annotations === "function") return new MutatedImage(image, { annotations: (current) => checkedAnnotations(annotations(current)) });
  const added = checkedAnnotations({ ...annotations });
  return new MutatedImage(image, { annotations: (current) => ({ ...current, ...added }) });
}

function checkImage(image: Image, caller: string): void {
  if (typeof image?.values !== "function" || typeof image.layers !== "function" || typeof image.mediaType !== "function") {
    throw new TypeError(`${caller}: the image is not an Image (format, mediaType(), layers(), values(), computed())`);
  }
}

function checkedAnnotations(annotations: Record<string, string>): Record<string, string> {
  if (typeof annotations !== "object" || annotations === null || Array.isArray(annotations)) {
    throw new TypeError("mutateAnnotations: annotations are an object of strings");
  }
  const bad = Object.entries(annotations).find(([, value]) => typeof value !== "string");
  if (bad) throw new TypeError(`mutateAnnotations: the annotation ${JSON.stringify(bad[0])} must be a string`);
  return annotations;
}
