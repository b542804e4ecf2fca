// Errors across pushInWorker's boundary: made into data in the worker, sent
// through structured clone (as postMessage does), made again on the caller's
// side as instances of their classes with every field.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as root from "../../src/index.ts";
import * as worker from "../../src/worker/index.ts";
import { ERROR_CLASSES, fromTransferredError, toTransferredError } from "../../src/worker/_error_transfer.ts";

const across = (error: unknown) => fromTransferredError(structuredClone(toTransferredError(error)));

// One of each exported class, with the arguments an application would meet it with.
const INSTANCES: Record<string, () => Error> = {
  StreamLayerError: () => new root.StreamLayerError("CONSUMED", "x"),
  NotComputedError: () => new root.NotComputedError(),
  ConsumedError: () => new root.ConsumedError(),
  UncompressedUnavailableError: () => new root.UncompressedUnavailableError(),
  InvalidLayerSourceError: () => new root.InvalidLayerSourceError("gzip", "Invalid layer source: gzip"),
  CompressorUnavailableError: () => new root.CompressorUnavailableError("no zlib"),
  InvalidReferenceError: () => new root.InvalidReferenceError("Team/App", "uppercase"),
  RegistryError: () => new root.RegistryError({ method: "PUT", url: "http://127.0.0.1:5000/v2/a/manifests/1?state=secret", status: 400, errors: [{ code: "MANIFEST_INVALID", message: "bad", detail: { at: [1, 2] } }] }),
  TimeoutError: () => new root.TimeoutError({ method: "PATCH", url: "http://127.0.0.1:5000/v2/a/blobs/uploads/1" }, 10_000),
  AuthError: () => new root.AuthError({ method: "GET", url: "http://127.0.0.1:5000/v2/", status: 401, errors: [{ code: "UNAUTHORIZED" }] }),
  DigestMismatchError: () => new root.DigestMismatchError("sha256:a", "sha256:b", "PUT x"),
  SizeMismatchError: () => new root.SizeMismatchError("sha256:a", 100, 60, "GET x"),
  UploadNotResumableError: () => new root.UploadNotResumableError("the session is gone"),
  UnsafeRedirectError: () => new root.UnsafeRedirectError("https://a.example/v2/", "http://10.0.0.1/"),
  NoMatchingPlatformError: () => new root.NoMatchingPlatformError("r", "linux/arm64", ["linux/amd64"]),
  UnsupportedImageError: () => new root.UnsupportedImageError("r", "schema 1"),
  InvalidTarError: () => new root.InvalidTarError("a bad header", 0),
  UnsafeTarPathError: () => new root.UnsafeTarPathError("../etc/passwd", 1),
  WorkerUnavailableError: () => new worker.WorkerUnavailableError(),
};

function errorClassesOf(module: Record<string, unknown>): [string, abstract new (...args: never[]) => Error][] {
  return Object.entries(module).filter((entry): entry is [string, abstract new (...args: never[]) => Error] => {
    const value = entry[1];
    return typeof value === "function" && (value === root.StreamLayerError || value.prototype instanceof root.StreamLayerError);
  });
}

test("every error class of the root and of streamlayer/worker is known by name on the caller's side, and tested here", () => {
  const exported = [...errorClassesOf(root), ...errorClassesOf(worker)];
  for (const [name, type] of exported) assert.equal(ERROR_CLASSES[name], type, `${name} is made again as itself`);
  assert.deepEqual(Object.keys(INSTANCES).sort(), exported.map(([name]) => name).sort());
});

for (const [name, make] of Object.entries(INSTANCES)) {
  test(`${name} keeps its class, name, code, message and fields`, () => {
    const original = make() as Error & Record<string, unknown>;
    const copy = across(original) as Error & Record<string, unknown>;
    assert.ok(copy instanceof (original.constructor as new () => Error), `instanceof ${original.constructor.name}`);
    assert.ok(root.isStreamLayerError(copy));
    assert.equal(copy.name, name);
    assert.equal(copy.code, original.code);
    assert.equal(copy.message, original.message);
    assert.equal(copy.stack, original.stack);
    assert.deepEqual({ ...copy }, { ...original });
  });
}

test("a RegistryError's getter and a network failure's TypeError as its cause", () => {
  const failure = new TypeError("Failed to fetch");
  const original = new root.RegistryError({ method: "GET", url: "http://127.0.0.1:9/v2/", cause: failure, detail: "most likely CORS" });
  const copy = across(original);
  assert.ok(copy instanceof root.RegistryError && !(copy instanceof root.AuthError));
  assert.equal(copy.status, undefined);
  assert.equal(copy.temporary, true);
  assert.deepEqual(copy.codes, []);
  assert.ok(copy.cause instanceof TypeError);
  assert.equal(copy.cause.message, "Failed to fetch");
});

test("the language's errors stay themselves: TypeError, RangeError; DOMExceptions stay DOMExceptions, the DOM's TimeoutError apart from the library's", () => {
  const type = across(new TypeError("Invalid source: expected a File"));
  assert.ok(type instanceof TypeError);
  assert.equal(type.message, "Invalid source: expected a File");
  assert.ok(across(new RangeError("Invalid jobs")) instanceof RangeError);
  const abort = across(new DOMException("The push was aborted", "AbortError"));
  assert.ok(abort instanceof DOMException);
  assert.equal(abort.name, "AbortError");
  const domTimeout = across(new DOMException("signal timed out", "TimeoutError"));
  assert.ok(domTimeout instanceof DOMException && !(domTimeout instanceof root.TimeoutError));
});

test("an error of a name nobody knows keeps its name; a thrown value that is no error becomes an Error holding it", () => {
  const odd = new Error("odd");
  odd.name = "NotCapable";
  const copy = across(odd);
  assert.equal(copy.name, "NotCapable");
  assert.equal(copy.message, "odd");
  const thrown = across("just a string");
  assert.ok(thrown instanceof Error);
  assert.equal(thrown.message, "just a string");
});

test("fields that cannot be cloned are left behind instead of failing the message", () => {
  const error = Object.assign(new root.StreamLayerError("CONSUMED", "x"), { callback: () => {}, when: new Date(0), plain: { a: [1, "b"] } });
  const copy = across(error) as unknown as Record<string, unknown>;
  assert.equal(copy.callback, undefined);
  assert.equal(copy.when, undefined);
  assert.deepEqual(copy.plain, { a: [1, "b"] });
});
