// The retry layer's rules, request by request, with a fake layer below it
// answering what each case needs: which requests are sent again, how often,
// Retry-After within the budget, failures that are final, an abort that stops
// the wait at once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { RegistryError, TimeoutError } from "../../src/index.ts";
import { MAX_ATTEMPTS, retryRoundTrip } from "../../src/registry/_retrying.ts";
import type { HttpRequest } from "../../src/registry/_round_trip.ts";

const request = (method: string, extra: Partial<HttpRequest> = {}): HttpRequest => ({ method, url: new URL("https://registry.example.com/v2/a/manifests/1"), headers: {}, ...extra });

/** A layer below that answers with `answers` in turn (the last one for ever), counting the attempts. */
function below(...answers: Array<() => Response | Promise<Response>>) {
  let attempts = 0;
  const inner = async () => {
    const answer = answers[Math.min(attempts, answers.length - 1)]!;
    attempts++;
    return answer();
  };
  return { inner, attempts: () => attempts };
}

const status = (code: number, headers: Record<string, string> = {}) => () => new Response(null, { status: code, headers });
const noAnswer = () => Promise.reject(new RegistryError({ method: "GET", url: "https://registry.example.com/v2/", detail: "connection refused" }));

test("GET, HEAD: a 503 then a 200 is two attempts; 408, 429, 500, 502, 504 likewise", async () => {
  for (const code of [408, 429, 500, 502, 503, 504]) {
    for (const method of ["GET", "HEAD"]) {
      const fake = below(status(code, { "retry-after": "0" }), status(200));
      assert.equal((await retryRoundTrip(fake.inner, { timeout: 5000 })(request(method))).status, 200);
      assert.equal(fake.attempts(), 2, `${method} ${code}`);
    }
  }
});

test("a 503 for ever: at most MAX_ATTEMPTS attempts, and the last answer stands", async () => {
  const fake = below(status(503, { "retry-after": "0" }));
  assert.equal((await retryRoundTrip(fake.inner, { timeout: 5000 })(request("GET"))).status, 503);
  assert.equal(fake.attempts(), MAX_ATTEMPTS);
});

test("no answer (a temporary RegistryError without a status) is sent again; a timeout is not", async () => {
  const fake = below(noAnswer, status(200));
  assert.equal((await retryRoundTrip(fake.inner, { timeout: 5000, random: () => 0 })(request("GET"))).status, 200);
  assert.equal(fake.attempts(), 2);
  const timedOut = below(() => Promise.reject(new TimeoutError({ method: "GET", url: "https://registry.example.com/v2/" }, 100)));
  await assert.rejects(retryRoundTrip(timedOut.inner, { timeout: 5000 })(request("GET")), TimeoutError);
  assert.equal(timedOut.attempts(), 1);
});

test("what is not idempotent goes once: POST, PATCH, PUT, DELETE, and a streamed body; a PUT marked idempotent is retried", async () => {
  for (const method of ["POST", "PATCH", "PUT", "DELETE"]) {
    const fake = below(status(503, { "retry-after": "0" }), status(201));
    assert.equal((await retryRoundTrip(fake.inner, { timeout: 5000 })(request(method))).status, 503, method);
    assert.equal(fake.attempts(), 1, method);
  }
  const streamed = below(status(503, { "retry-after": "0" }), status(201));
  await retryRoundTrip(streamed.inner, { timeout: 5000 })(request("GET", { body: new Blob(["x"]).stream() }));
  assert.equal(streamed.attempts(), 1, "a streamed body cannot be sent twice");
  const manifest = below(status(503, { "retry-after": "0" }), status(201));
  assert.equal((await retryRoundTrip(manifest.inner, { timeout: 5000 })(request("PUT", { idempotent: true }))).status, 201);
});

test("a refusal is final: 400, 401, 403, 404 are not sent again", async () => {
  for (const code of [400, 401, 403, 404]) {
    const fake = below(status(code), status(200));
    assert.equal((await retryRoundTrip(fake.inner, { timeout: 5000 })(request("GET"))).status, code);
    assert.equal(fake.attempts(), 1);
  }
});

test("Retry-After asking for more than the budget: the answer is returned at once, not waited for", async () => {
  for (const retryAfter of ["999999", new Date(Date.now() + 3_600_000).toUTCString()]) {
    const fake = below(status(429, { "retry-after": retryAfter }), status(200));
    assert.equal((await retryRoundTrip(fake.inner, { timeout: 5000 })(request("GET"))).status, 429);
    assert.equal(fake.attempts(), 1);
  }
});

test("an abort stops a wait at once, with the signal's reason", async () => {
  const controller = new AbortController();
  const fake = below(status(503, { "retry-after": "4" }), status(200));
  setTimeout(() => controller.abort(new Error("stop")), 50);
  const started = Date.now();
  await assert.rejects(retryRoundTrip(fake.inner, { timeout: 10_000 })(request("GET", { signal: controller.signal })), /stop/);
  assert.equal(fake.attempts(), 1);
  assert.ok(Date.now() - started < 2000, "not after the 4 s Retry-After");
});
