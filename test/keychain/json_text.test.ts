// The config writer's JSON: read and written back, every scalar keeps its
// text; otherwise it is JSON.parse and JSON.stringify(…, null, "\t").
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { formatJsonText, parseJsonText } from "../../src/keychain/_json_text.ts";

test("any JSON value comes back as JSON.stringify(value, null, \"\\t\") writes it", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const compact = JSON.stringify(value);
      assert.equal(formatJsonText(parseJsonText(compact)), JSON.stringify(value, null, "\t"));
      assert.equal(formatJsonText(parseJsonText(JSON.stringify(value, null, 3))), JSON.stringify(value, null, "\t"));
    }),
    { numRuns: 500 },
  );
});

test("text is JSON exactly when JSON.parse says so", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json().map((json) => json.slice(0, -1)), fc.json().map((json) => `${json} x`)), (text) => {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      if (valid) parseJsonText(text);
      else assert.throws(() => parseJsonText(text), SyntaxError);
    }),
    { numRuns: 1000 },
  );
});

test("numbers JSON.parse would round, and escapes it would respell, keep their text", () => {
  const text = '{"big":9007199254740993,"huge":123456789012345678901234567890,"tiny":1.0e-400,"exp":1E+2,"s":"\\u00e9\\/","dup":1,"dup":2}';
  const written = formatJsonText(parseJsonText(text));
  for (const token of ["9007199254740993", "123456789012345678901234567890", "1.0e-400", "1E+2", '"\\u00e9\\/"', '"dup": 1', '"dup": 2']) assert.ok(written.includes(token), `${token} in ${written}`);
  assert.equal(String(JSON.parse(text).big), "9007199254740992", "what JSON.parse would have written back");
});

test("a syntax error names the offset, never the text", () => {
  assert.throws(() => parseJsonText('{"auth":"c2VjcmV0"'), { name: "SyntaxError", message: /^Invalid JSON at offset \d+$/ });
  assert.throws(() => parseJsonText(`${"[".repeat(600)}${"]".repeat(600)}`), SyntaxError, "nesting is bounded");
});
