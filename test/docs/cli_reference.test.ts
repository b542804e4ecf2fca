// docs/cli.md's reference section is what the commands print for --help now:
// `npm run docs` writes it, this test fails when it drifts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { CLI_DOC, cliReference, generatedPart } from "../../scripts/_cli_reference.ts";

test("docs/cli.md's reference is the commands' own --help (npm run docs rewrites it)", () => {
  assert.equal(generatedPart(readFileSync(CLI_DOC, "utf8")), cliReference());
});
