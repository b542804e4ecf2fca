import type { ContainerConfig } from "../oci/config_file.ts";

// The fields a Dockerfile adds to rather than replaces: ENV by variable name,
// LABEL, EXPOSE and VOLUME by key. Every other field given replaces the base's.
const MERGED: Record<string, (current: unknown, given: unknown) => unknown> = {
  Env: (current, given) => mergeEnv(Array.isArray(current) ? current : [], given as string[]),
  Labels: mergeObjects,
  ExposedPorts: mergeObjects,
  Volumes: mergeObjects,
};

/**
 * `config` with `edit` applied as a Dockerfile's instructions apply on top of
 * its `FROM`: `Env`, `Labels`, `ExposedPorts` and `Volumes` merged, any other
 * field given replaced, a field given as `undefined` removed, and Docker's
 * rule that a new `Entrypoint` clears the inherited `Cmd` unless the edit
 * gives a `Cmd` too.
 */
export function applyContainerEdit(config: ContainerConfig | undefined, edit: ContainerConfig): ContainerConfig {
  const next: ContainerConfig = { ...config };
  for (const [field, given] of Object.entries(edit)) {
    if (given === undefined) delete next[field];
    else next[field] = MERGED[field]?.(next[field], given) ?? given;
  }
  // An inherited Cmd was written as arguments for the old entrypoint (docker
  // build, docker run --entrypoint and crane mutate all drop it).
  if ("Entrypoint" in edit && !("Cmd" in edit)) delete next.Cmd;
  return next;
}

/**
 * Refuses what a config could not hold, when the edit is made rather than
 * when the image is written: a TypeError naming the field.
 */
export function checkContainerEdit(edit: ContainerConfig): void {
  if (typeof edit !== "object" || edit === null || Array.isArray(edit)) {
    throw new TypeError("mutateConfig: the edit is a function or an object of config fields ({ Entrypoint, Cmd, Env, ... })");
  }
  for (const field of ["Entrypoint", "Cmd", "Env"] as const) {
    const value = edit[field];
    if (value !== undefined && (!Array.isArray(value) || !value.every((item) => typeof item === "string"))) {
      throw new TypeError(`mutateConfig: ${field} must be an array of strings`);
    }
  }
  const badVariable = edit.Env?.find((variable) => variable.indexOf("=") < 1);
  if (badVariable !== undefined) throw new TypeError(`mutateConfig: an Env entry is NAME=value, got ${JSON.stringify(badVariable)}`);
  for (const field of ["Labels", "ExposedPorts", "Volumes"]) {
    const value = edit[field];
    if (value !== undefined && (typeof value !== "object" || value === null || Array.isArray(value))) {
      throw new TypeError(`mutateConfig: ${field} must be an object`);
    }
  }
  const badLabel = Object.entries(edit.Labels ?? {}).find(([, value]) => typeof value !== "string");
  if (badLabel) throw new TypeError(`mutateConfig: the label ${JSON.stringify(badLabel[0])} must be a string`);
}

function mergeEnv(current: readonly unknown[], given: readonly string[]): unknown[] {
  const result = [...current];
  for (const variable of given) {
    const name = variableName(variable);
    const index = result.findIndex((existing) => typeof existing === "string" && variableName(existing) === name);
    if (index === -1) result.push(variable);
    else result[index] = variable;
  }
  return result;
}

function variableName(variable: string): string {
  const equals = variable.indexOf("=");
  return equals === -1 ? variable : variable.slice(0, equals);
}

function mergeObjects(current: unknown, given: unknown): unknown {
  const base = typeof current === "object" && current !== null ? current : {};
  return { ...base, ...(given as object) };
}
