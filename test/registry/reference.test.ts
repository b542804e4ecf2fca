import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { InvalidReferenceError, parseReference } from "../../src/index.ts";
import { formatReference } from "../../src/registry/index.ts";

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
    ["app@sha256:1234", /"@" is not followed by a digest/],
    [`app@sha256:${"ab".repeat(20)}`, /digest "sha256:(ab)+" is not sha256: and 64/],
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

// Every spelling a user may paste from a URL or a `docker login` habit, with a password and a token.
const SECRET_SPELLINGS = [
  "https://alice:pw-9f2c@registry.example/app",
  "docker://alice:pw-9f2c@registry.example/app",
  "//alice:pw-9f2c@registry.example/app",
  "alice:pw-9f2c@registry.example",
  "alice:pw-9f2c@registry.example:5000",
  "alice:pw-9f2c@registry.example/repo",
  "alice:pw-9f2c@127.0.0.1:5000/repo:1",
  "alice:p@ss/w-9f2c@registry.example/app",
  `alice:pw-9f2c@registry.example/app@sha256:${"ab".repeat(32)}`,
  "https://oauth2accesstoken:tok-9f2c@registry.example/app:1",
  "tok-9f2c@registry.example",
];

test("no password or token of any spelling shows in the error's message, fields, stack or inspection", () => {
  for (const text of SECRET_SPELLINGS) {
    const error = (() => {
      try {
        parseReference(text);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    assert.ok(error instanceof InvalidReferenceError, text);
    assert.match(error.message, /credentials before "@"/, text);
    for (const shown of [error.message, error.reference, error.stack ?? "", String(error), inspect(error), JSON.stringify(error)]) {
      assert.doesNotMatch(shown, /9f2c|alice|oauth2accesstoken/, `${text} shows in ${shown}`);
    }
  }
});

test("a reference written with a scheme is refused by name", () => {
  assert.throws(() => parseReference("https://registry.example/app"), (error) => error instanceof InvalidReferenceError && /no scheme/.test(error.message));
});

test("digest pins: sha256 and sha512 only, in full lowercase hex", () => {
  const sha512 = `sha512:${"cd".repeat(64)}`;
  assert.equal(parseReference(`127.0.0.1:5000/app@${sha512}`).digest, sha512);
  const refused: Array<[string, RegExp]> = [
    [`app@md5:${"ab".repeat(16)}`, /algorithm "md5" is not sha256 or sha512/],
    [`app@sh256:${"ab".repeat(32)}`, /algorithm "sh256"/],
    [`app@sha384:${"ab".repeat(48)}`, /algorithm "sha384"/],
    [`app@sha256+b64:${"ab".repeat(32)}`, /algorithm "sha256\+b64"/],
    [`app@sha512:${"ab".repeat(32)}`, /sha512: and 128 lowercase hex/],
    [`app@sha512:${"AB".repeat(64)}`, /sha512: and 128 lowercase hex/],
    [`app@sha256:${"ab".repeat(64)}`, /sha256: and 64 lowercase hex/],
  ];
  for (const [text, problem] of refused) {
    assert.throws(() => parseReference(text), (error) => error instanceof InvalidReferenceError && problem.test(error.message), text);
  }
});

test("registries that URL would refuse are refused here, as InvalidReferenceError and not a later TypeError", () => {
  const refused: Array<[string, RegExp]> = [
    ["registry.example:65536/app", /port 65536 is not between 1 and 65535/],
    ["registry.example:99999/app", /port 99999/],
    ["127.0.0.1:0/app", /port 0/],
    ["[::1]:70000/app", /port 70000/],
    ["10.256.0.0/app", /not a valid IPv4 address/],
    ["10.0.0.256:5000/app", /not a valid IPv4 address/],
    ["1.2.3:5000/app", /not a valid IPv4 address/],
    ["0x7f.1:5000/app", /not a valid IPv4 address/],
    ["registry.123/app", /not a valid IPv4 address/],
    ["[1:2:3]:5000/app", /not a valid host/],
    ["[::1%eth0]:5000/app", /not a host\[:port\]/],
  ];
  for (const [text, problem] of refused) {
    assert.throws(() => parseReference(text), (error) => error instanceof InvalidReferenceError && problem.test(error.message), text);
  }
  for (const text of ["registry.example:65535/app", "10.255.0.1:1/app", "[::ffff:10.0.0.1]:5000/app", "reg-1.example.com/app"]) {
    assert.doesNotThrow(() => new URL(`https://${parseReference(text).registry}/`), text);
  }
});
