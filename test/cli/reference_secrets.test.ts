// A password or token pasted into a reference, for the destination or for
// --base, must not come back on the terminal in any spelling.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "./_run_cli.ts";

const SPELLINGS = [
  "https://alice:pw-7e1d@registry.example/app",
  "docker://alice:pw-7e1d@registry.example/app",
  "//alice:pw-7e1d@registry.example/app",
  "alice:pw-7e1d@registry.example",
  "alice:pw-7e1d@registry.example/repo",
  "alice:pw-7e1d@127.0.0.1:5000/repo:1",
];

test("a reference with credentials: exit 2, and neither stdout nor stderr shows the password or the user", async () => {
  for (const spelling of SPELLINGS) {
    for (const args of [["push", "-", spelling], ["push", "--base", spelling, "-", "127.0.0.1:9/app:1"]]) {
      const { code, stdout, stderr } = await runCli(args, "");
      assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
      assert.match(stderr, /credentials before "@"/, args.join(" "));
      assert.doesNotMatch(stdout + stderr, /7e1d|alice/, args.join(" "));
    }
  }
});
