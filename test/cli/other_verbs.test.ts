// crane's and docker's verbs that streamlayer lacks answer with what to use
// instead (exit 2, one line), never with "did you mean push?".
import assert from "node:assert/strict";
import { test } from "node:test";
import { insteadOf } from "../../src/cli/_other_verbs.ts";
import { runCli } from "./_run_cli.ts";

const CRANE_VERBS = ["pull", "append", "mutate", "rebase", "flatten", "index", "manifest", "config", "digest", "ls", "catalog", "blob", "tag", "delete", "validate", "edit", "auth", "cp", "version"];
const DOCKER_VERBS = ["save", "load", "build"];

test("every crane and docker verb streamlayer lacks has an answer naming what to use", () => {
  for (const verb of [...CRANE_VERBS, ...DOCKER_VERBS]) {
    const answer = insteadOf(verb);
    assert.ok(answer, verb);
    assert.match(answer, new RegExp(`^no ${verb} command: `), verb);
    assert.match(answer, /`[^`]*(streamlayer|crane|skopeo) [^`]+`/, `${verb}: a command to run`);
    assert.doesNotMatch(answer, /did you mean/, verb);
  }
  assert.equal(insteadOf("push"), undefined);
  assert.equal(insteadOf("constructor"), undefined, "only the table's own keys");
});

test("streamlayer pull, index and tag: exit 2 and one line saying what to use; help pull the same", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["pull", "127.0.0.1:5000/app:1"], /^streamlayer: no pull command: `streamlayer export <image> -o rootfs\.tar`.*`streamlayer copy .*writeLayout\(\).*crane pull.*skopeo copy/],
    [["index", "append"], /^streamlayer: no index command: `streamlayer push --platform .*writeIndex\(\)/],
    [["tag", "127.0.0.1:5000/app:1", "2"], /^streamlayer: no tag command: `streamlayer push --tag <tag>`/],
    [["help", "pull"], /^streamlayer: no pull command: /],
    [["PULL"], /^streamlayer: no pull command: /],
  ];
  for (const [args, expected] of cases) {
    const { code, stdout, stderr } = await runCli(args);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.equal(stdout, "");
    assert.equal(stderr.split("\n").filter(Boolean).length, 1, stderr);
    assert.match(stderr, expected);
    assert.doesNotMatch(stderr, /did you mean/);
  }
  const typo = await runCli(["psuh"]);
  assert.match(typo.stderr, /^streamlayer: Unknown command: psuh: did you mean push\?/, "a typo still gets the closest command");
});
