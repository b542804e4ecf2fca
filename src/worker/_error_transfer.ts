// Errors across a worker's boundary. postMessage's structured clone keeps an
// Error's message but not its class (every StreamLayerError arrives as a
// plain Error) nor its own fields (`code`, `status`), so errors travel as
// data and are made again, by name, on the caller's side.
import { StreamLayerError } from "../errors.ts";
import { CompressorUnavailableError } from "../compress/errors.ts";
import { NoMatchingPlatformError, UnsupportedImageError } from "../image/errors.ts";
import { ConsumedError, InvalidLayerSourceError, NotComputedError, UncompressedUnavailableError } from "../layer/errors.ts";
import { DigestMismatchError } from "../oci/errors.ts";
import { AuthError, InvalidReferenceError, RegistryError, SizeMismatchError, TimeoutError, UnsafeRedirectError, UploadNotResumableError } from "../registry/errors.ts";
import { InvalidTarError, UnsafeTarPathError } from "../tar/errors.ts";
import { WorkerUnavailableError } from "./errors.ts";

/** An error as data: what structured clone can carry. */
export interface TransferredError {
  readonly name: string;
  readonly message: string;
  /** A DOMException (an AbortError, the DOM's own TimeoutError), made again as one. */
  readonly dom?: boolean;
  readonly stack: string | undefined;
  /** The error's own fields (`code`, `status`, `errors`, …), those that can be cloned. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly cause?: TransferredError | { readonly value: unknown };
}

type ErrorClass = abstract new (...args: never[]) => Error;

// Every error class the package exports (test/worker/error_transfer.test.ts
// checks that none is missing) and the language's own, by the name their instances carry.
export const ERROR_CLASSES: Readonly<Record<string, ErrorClass>> = {
  StreamLayerError, NotComputedError, ConsumedError, UncompressedUnavailableError, InvalidLayerSourceError,
  CompressorUnavailableError, DigestMismatchError, InvalidReferenceError, RegistryError, TimeoutError, AuthError,
  UploadNotResumableError, UnsafeRedirectError, SizeMismatchError, NoMatchingPlatformError, UnsupportedImageError,
  InvalidTarError, UnsafeTarPathError, WorkerUnavailableError,
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
};

const MAX_CAUSES = 4;

/** `error` as data that postMessage can send. */
export function toTransferredError(error: unknown, depth = 0): TransferredError {
  if (!(error instanceof Error) && !(typeof DOMException === "function" && error instanceof DOMException)) {
    return { name: "Error", message: String(error), stack: undefined, fields: {}, cause: { value: cloneable(error) ? error : String(error) } };
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key !== "name" && key !== "message" && key !== "stack" && key !== "cause" && cloneable(value)) fields[key] = value;
  }
  const dom = typeof DOMException === "function" && error instanceof DOMException;
  const transferred: TransferredError = { name: error.name, message: error.message, stack: error.stack, fields, ...(dom ? { dom } : {}) };
  if (error.cause === undefined || depth >= MAX_CAUSES) return transferred;
  return { ...transferred, cause: error.cause instanceof Error ? toTransferredError(error.cause, depth + 1) : { value: cloneable(error.cause) ? error.cause : String(error.cause) } };
}

/**
 * The error again: an instance of its class (a `RegistryError` is
 * `instanceof RegistryError`, a `TypeError` a `TypeError`) with its name,
 * message, fields and cause; a DOMException (AbortError, …) as one; any
 * other name as an Error of that name. The stack is the thrower's.
 */
export function fromTransferredError(transferred: TransferredError): Error {
  const error = make(transferred);
  for (const [key, value] of Object.entries(transferred.fields)) {
    Object.defineProperty(error, key, { value, enumerable: true, writable: true, configurable: true });
  }
  if (transferred.stack !== undefined) Object.defineProperty(error, "stack", { value: transferred.stack, writable: true, configurable: true });
  if (transferred.cause !== undefined) {
    const cause = "value" in transferred.cause ? transferred.cause.value : fromTransferredError(transferred.cause);
    Object.defineProperty(error, "cause", { value: cause, writable: true, configurable: true });
  }
  return error;
}

function make({ name, message, dom }: TransferredError): Error {
  if (dom === true && typeof DOMException === "function") return new DOMException(message, name) as Error;
  const known = Object.hasOwn(ERROR_CLASSES, name) ? ERROR_CLASSES[name] : undefined;
  if (known === undefined) {
    const error = new Error(message);
    error.name = name;
    return error;
  }
  // The library's constructors build their messages from their arguments:
  // the instance is made from the prototype and given the message as sent.
  const error = Object.create(known.prototype) as Error;
  Object.defineProperty(error, "message", { value: message, writable: true, configurable: true });
  // StreamLayerError's subclasses name themselves with an own field, as their constructors would.
  if (known === StreamLayerError || known.prototype instanceof StreamLayerError) {
    Object.defineProperty(error, "name", { value: name, enumerable: true, writable: true, configurable: true });
    Object.defineProperty(error, Symbol.for("streamlayer.error"), { value: true });
  }
  return error;
}

// Plain data only: a value with a function or a class instance inside would
// make postMessage throw, and then no error would arrive at all.
function cloneable(value: unknown, depth = 0): boolean {
  if (value === null || value === undefined) return true;
  const type = typeof value;
  if (type === "string" || type === "number" || type === "boolean" || type === "bigint") return true;
  if (type !== "object" || depth > 8) return false;
  if (Array.isArray(value)) return value.every((item) => cloneable(item, depth + 1));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value as Record<string, unknown>).every((item) => cloneable(item, depth + 1));
}
