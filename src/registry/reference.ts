import { StreamLayerError } from "../errors.ts";
import { isLocalHost } from "./address.ts";

/** Docker Hub's registry host, the default like go-containerregistry's `name.DefaultRegistry`. */
export const DEFAULT_REGISTRY = "index.docker.io";
/** The tag of a reference that names neither a tag nor a digest. */
export const DEFAULT_TAG = "latest";

/** A parsed image reference: where a repository lives, and optionally which tag or digest. */
export interface Reference {
  /** The registry host, with its port if any: `index.docker.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  readonly registry: string;
  /** The repository path: `library/alpine`, `team/app`. */
  readonly repository: string;
  /** The tag; `latest` when the text named neither a tag nor a digest. */
  readonly tag?: string;
  /** The digest, `sha256:<hex>`, when the text had one. */
  readonly digest?: string;
  /** `http` for loopback hosts or when `insecure` was set, else `https`. */
  readonly scheme: "http" | "https";
}

/** Options for {@link parseReference}. */
export interface ParseReferenceOptions {
  /**
   * Allow plain HTTP to any host, not only to `localhost`, `127.0.0.0/8` and `[::1]`.
   *
   * @default false
   */
  insecure?: boolean;
}

/**
 * The text is not a valid image reference. The message says which part is wrong.
 *
 * @example Reporting a bad reference
 * ```ts
 * import { InvalidReferenceError, parseReference } from "streamlayer";
 *
 * try {
 *   parseReference("Team/App");
 * } catch (error) {
 *   if (error instanceof InvalidReferenceError) console.log(error.message); // names the component "Team"
 * }
 * ```
 */
export class InvalidReferenceError extends StreamLayerError {
  readonly reference: string;

  constructor(reference: string, problem: string) {
    super("INVALID_REFERENCE", `Invalid reference "${reference}": ${problem}`);
    this.reference = reference;
  }
}

// `user:password@host/repo` is a URL habit, not a reference. A digest never
// holds a "/", so an "@" before the first "/" can only be user info; the
// error must not repeat what stands before it.
function rejectUserInfo(text: string): void {
  const at = text.indexOf("@");
  const slash = text.indexOf("/");
  if (at !== -1 && slash !== -1 && at < slash) {
    throw new InvalidReferenceError(`***${text.slice(at)}`, "it carries credentials before \"@\": pass them as the auth option");
  }
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?)(?::[0-9]{1,5})?$/;

/**
 * Parses an image reference the way go-containerregistry's `name.ParseReference`
 * does: `[registry/]repository[:tag][@digest]`, where a first component is a
 * registry when it has a `.` or a `:` or is `localhost`, Docker Hub is the
 * default registry (`docker.io` is spelled `index.docker.io`), and a
 * one-component repository on Docker Hub gets the `library/` prefix.
 *
 * @param text The reference, such as `alpine`, `ghcr.io/org/app:1.0` or `127.0.0.1:5000/demo@sha256:...`.
 * @param options Whether plain HTTP is allowed to hosts other than loopback.
 * @returns The registry, repository, tag or digest, and the scheme to use.
 * @throws {InvalidReferenceError} naming the part that is wrong.
 *
 * @example Docker Hub defaults and a local registry
 * ```ts
 * import { parseReference } from "streamlayer";
 *
 * const hub = parseReference("alpine");
 * // hub.registry === "index.docker.io", hub.repository === "library/alpine", hub.tag === "latest"
 * const local = parseReference("127.0.0.1:5000/demo/app@sha256:" + "0".repeat(64));
 * // local.scheme === "http", local.digest === "sha256:000…"
 * ```
 */
export function parseReference(text: string, options: ParseReferenceOptions = {}): Reference {
  if (typeof text !== "string" || text === "") throw new InvalidReferenceError(String(text), "it is empty");
  rejectUserInfo(text);
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidReferenceError(text, `the digest "${digest}" is not <algorithm>:<hex>`);
    if (digest.startsWith("sha256:") && !SHA256.test(digest)) {
      throw new InvalidReferenceError(text, `the digest "${digest}" is not sha256: and 64 lowercase hex digits`);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReferenceError(text, `the tag "${tag}" is not 1 to 128 of [A-Za-z0-9_.-], not starting with . or -`);
  }
  const { registry, repository } = splitRegistry(text, rest);
  const scheme = options.insecure || isLocalHost(hostOf(registry)) ? "http" : "https";
  return { registry, repository, tag: tag ?? (digest === undefined ? DEFAULT_TAG : undefined), digest, scheme };
}

/**
 * Formats a reference back to text: `registry/repository[:tag][@digest]`.
 *
 * @param reference A parsed reference.
 * @returns Its text, with Docker Hub's defaults spelled out.
 *
 * @example Normalising a short name
 * ```ts
 * import { formatReference, parseReference } from "streamlayer";
 *
 * console.log(formatReference(parseReference("alpine"))); // "index.docker.io/library/alpine:latest"
 * ```
 */
export function formatReference(reference: Reference): string {
  const tag = reference.tag === undefined ? "" : `:${reference.tag}`;
  const digest = reference.digest === undefined ? "" : `@${reference.digest}`;
  return `${reference.registry}/${reference.repository}${tag}${digest}`;
}

function splitRegistry(text: string, name: string): { registry: string; repository: string } {
  const slash = name.indexOf("/");
  const first = slash === -1 ? "" : name.slice(0, slash);
  const isRegistry = first !== "" && (first.includes(".") || first.includes(":") || first === "localhost");
  let registry = isRegistry ? first : DEFAULT_REGISTRY;
  let repository = isRegistry ? name.slice(slash + 1) : name;
  if (isRegistry && !HOST.test(registry)) throw new InvalidReferenceError(text, `the registry "${registry}" is not a host[:port]`);
  if (registry === "docker.io") registry = DEFAULT_REGISTRY;
  if (repository === "") throw new InvalidReferenceError(text, "the repository is empty");
  if (repository.length > 255) throw new InvalidReferenceError(text, "the repository is longer than 255 characters");
  for (const component of repository.split("/")) {
    if (!COMPONENT.test(component)) {
      throw new InvalidReferenceError(text, `the repository component "${component}" must be lowercase letters and digits, separated by ".", "_", "__" or "-"`);
    }
  }
  if (registry === DEFAULT_REGISTRY && !repository.includes("/")) repository = `library/${repository}`;
  return { registry, repository };
}

/** The host name of `host[:port]`, without brackets around IPv6. */
export function hostOf(registry: string): string {
  if (registry.startsWith("[")) return registry.slice(1, registry.indexOf("]"));
  const colon = registry.lastIndexOf(":");
  return colon === -1 ? registry : registry.slice(0, colon);
}
