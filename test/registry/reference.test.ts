import assert from "node:assert/strict";
import { test } from "node:test";
import { formatReference, InvalidReferenceError, parseReference } from "../../src/index.ts";

const digest = `sha256:${"ab".repeat(32)}`;

test("Docker Hub defaults: index.docker.io, library/ for one component, latest", () => {
  assert.deepEqual(parseReference("alpine"), { registry: "index.docker.io", repository: "library/alpine", tag: "latest", digest: undefined, scheme: "https" });
  assert.equal(parseReference("docker.io/alpine:3").repository, "library/alpine");
  assert.equal(parseReference("docker.io/alpine:3").registry, "index.docker.io");
  assert.equal(parseReference("team/app").repository, "team/app");
  assert.equal(parseReference("team/app").registry, "index.docker.io");
});

test("registries, ports, tags and digests", () => {
  const ghcr = parseReference("ghcr.io/org/app:1.0");
  assert.deepEqual([ghcr.registry, ghcr.repository, ghcr.tag, ghcr.scheme], ["ghcr.io", "org/app", "1.0", "https"]);
  const local = parseReference(`127.0.0.1:5000/a/b/c@${digest}`);
  assert.deepEqual([local.registry, local.repository, local.tag, local.digest, local.scheme], ["127.0.0.1:5000", "a/b/c", undefined, digest, "http"]);
  const both = parseReference(`localhost/app:v1@${digest}`);
  assert.deepEqual([both.registry, both.tag, both.digest, both.scheme], ["localhost", "v1", digest, "http"]);
  assert.equal(parseReference("[::1]:5000/app").scheme, "http");
  assert.equal(parseReference("[::1]:5000/app").registry, "[::1]:5000");
  assert.equal(parseReference("127.1.2.3:80/app").scheme, "http");
  assert.equal(parseReference("192.168.0.2:5000/app").scheme, "https", "private is not loopback");
  assert.equal(parseReference("192.168.0.2:5000/app", { insecure: true }).scheme, "http");
  assert.equal(formatReference(parseReference(`127.0.0.1:5000/a:t@${digest}`)), `127.0.0.1:5000/a:t@${digest}`);
});

test("invalid references name the part that is wrong", () => {
  const cases: Array<[string, RegExp]> = [
    ["", /empty/],
    ["UPPER/case", /component "UPPER"/],
    ["a//b", /component ""/],
    ["app:-bad", /tag "-bad"/],
    ["app@sha256:1234", /digest "sha256:1234"/],
    [`app@sha256:${"AB".repeat(32)}`, /64 lowercase hex/],
    ["bad_host.com:99999999/app", /registry/],
    ["example.com/", /repository is empty/],
  ];
  for (const [text, problem] of cases) {
    assert.throws(() => parseReference(text), (error: unknown) => {
      assert.ok(error instanceof InvalidReferenceError, text);
      assert.equal(error.code, "INVALID_REFERENCE");
      assert.match(error.message, problem, text);
      return true;
    });
  }
});

test("credentials written into a reference are refused without being repeated", () => {
  for (const text of ["alice:s3cret@registry.example/team/app", "alice@127.0.0.1:5000/app:1"]) {
    assert.throws(
      () => parseReference(text),
      (error) =>
        error instanceof InvalidReferenceError &&
        /credentials before "@"/.test(error.message) &&
        !error.message.includes("alice") &&
        !error.message.includes("s3cret") &&
        !error.reference.includes("alice"),
    );
  }
  assert.equal(parseReference(`alpine@${digest}`).digest, digest, "an @ after the name is a digest");
});
