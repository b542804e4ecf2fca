import { DIGEST_HEX_LENGTH, TAG_PATTERN } from "../oci/digest.ts";
import { isLocalHost } from "./_address.ts";
import { InvalidReferenceError } from "./errors.ts";

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
  /** The digest, `sha256:<hex>` or `sha512:<hex>`, when the text had one. */
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

// `user:password@host/repo`, `https://user:password@host/app` and
// `user:token@host` are URL habits, not references. A digest is the only
// thing that may follow an "@", and it is at least 32 characters after its
// algorithm, which no host:port is: whatever stands before any other "@"
// can only be user info, so it is cut before any other check can repeat
// the text in its message.
function withoutUserInfo(text: string): string {
  const at = text.lastIndexOf("@");
  const suffix = text.slice(at + 1);
  const name = at !== -1 && DIGEST.test(suffix) ? text.slice(0, at) : text;
  const userAt = name.lastIndexOf("@");
  return userAt === -1 ? text : `***${text.slice(userAt)}`;
}

// `https://`, `docker://` or `//` before a name: references have no scheme.
const SCHEME = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?\/\//;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
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
 * import assert from "node:assert/strict";
 * import { parseReference } from "streamlayer";
 *
 * const hub = parseReference("alpine");
 * assert.equal(hub.registry, "index.docker.io");
 * assert.equal(hub.repository, "library/alpine");
 * assert.equal(hub.tag, "latest");
 * const local = parseReference("127.0.0.1:5000/demo/app@sha256:" + "0".repeat(64));
 * assert.equal(local.scheme, "http");
 * assert.equal(local.digest, "sha256:" + "0".repeat(64));
 * ```
 */
export function parseReference(text: string, options: ParseReferenceOptions = {}): Reference {
  if (typeof text !== "string" || text === "") throw new InvalidReferenceError(String(text), "it is empty");
  const shown = withoutUserInfo(text);
  if (shown !== text) throw new InvalidReferenceError(shown, "it carries credentials before \"@\" (pass them as the auth option), or \"@\" is not followed by a digest");
  if (SCHEME.test(text)) throw new InvalidReferenceError(text, "a reference has no scheme: drop the \"scheme://\" before the registry");
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    checkDigest(text, digest);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_PATTERN.test(tag)) throw new InvalidReferenceError(text, `the tag "${tag}" is not 1 to 128 of [A-Za-z0-9_.-], not starting with . or -`);
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
 * import assert from "node:assert/strict";
 * import { formatReference, parseReference } from "streamlayer";
 *
 * assert.equal(formatReference(parseReference("alpine")), "index.docker.io/library/alpine:latest");
 * ```
 */
export function formatReference(reference: Reference): string {
  const tag = reference.tag === undefined ? "" : `:${reference.tag}`;
  const digest = reference.digest === undefined ? "" : `@${reference.digest}`;
  return `${reference.registry}/${reference.repository}${tag}${digest}`;
}

// Only a pin that can be verified is a pin: `md5:` or a misspelt `sh256:` would be taken on trust.
function checkDigest(text: string, digest: string): void {
  if (!DIGEST.test(digest)) throw new InvalidReferenceError(text, `the digest "${digest}" is not <algorithm>:<hex>`);
  const algorithm = digest.slice(0, digest.indexOf(":"));
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) throw new InvalidReferenceError(text, `the digest algorithm "${algorithm}" is not sha256 or sha512`);
  if (!new RegExp(`^[a-f0-9]{${length}}$`).test(digest.slice(algorithm.length + 1))) {
    throw new InvalidReferenceError(text, `the digest "${digest}" is not ${algorithm}: and ${length} lowercase hex digits`);
  }
}

function splitRegistry(text: string, name: string): { registry: string; repository: string } {
  const slash = name.indexOf("/");
  const first = slash === -1 ? "" : name.slice(0, slash);
  const isRegistry = first !== "" && (first.includes(".") || first.includes(":") || first === "localhost");
  let registry = isRegistry ? first : DEFAULT_REGISTRY;
  let repository = isRegistry ? name.slice(slash + 1) : name;
  if (isRegistry) checkRegistry(text, registry);
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

// The syntax alone lets through what URL refuses later (`10.256.0.0`, port
// 99999), which would surface as a bare TypeError from deep inside a push.
function checkRegistry(text: string, registry: string): void {
  if (!HOST.test(registry)) throw new InvalidReferenceError(text, `the registry "${registry}" is not a host[:port]`);
  const port = registry.startsWith("[") ? registry.slice(registry.indexOf("]") + 2) : registry.split(":")[1] ?? "";
  if (port !== "" && (Number(port) < 1 || Number(port) > 65535)) {
    throw new InvalidReferenceError(text, `the registry's port ${port} is not between 1 and 65535`);
  }
  const host = hostOf(registry);
  // URL reads a host whose last label is a number as IPv4 (`1.2.3`, `0x7f.1`, `10.256.0.0`): only a plain dotted quad is meant.
  if (!registry.startsWith("[") && /(?:^|\.)(?:\d+|0x[0-9a-f]*)$/i.test(host) && !DOTTED_QUAD.test(host)) {
    throw new InvalidReferenceError(text, `the registry "${registry}" is not a valid IPv4 address`);
  }
  try {
    new URL(`http://${registry}/`);
  } catch {
    throw new InvalidReferenceError(text, `the registry "${registry}" is not a valid host`);
  }
}

const DOTTED_QUAD = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The host name of `host[:port]`, without brackets around IPv6. */
export function hostOf(registry: string): string {
  if (registry.startsWith("[")) return registry.slice(1, registry.indexOf("]"));
  const colon = registry.lastIndexOf(":");
  return colon === -1 ? registry : registry.slice(0, colon);
}
