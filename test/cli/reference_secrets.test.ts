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

// A password in a registry argument, in the spellings people paste: none may
// come back, nor the user name, from any command.
const REGISTRY_SPELLINGS = [
  "https://alice:hunter2@ghcr.io",
  "alice:hunter2@ghcr.io",
  "alice:hunter2@127.0.0.1:5000",
  "https://alice:hunter2@ghcr.io/v1/",
  "docker://alice:hunter2@ghcr.io:443/team/app",
  "//alice:hunter2@ghcr.io",
  "alice@ghcr.io",
  "https://alice@ghcr.io",
  "alice:hunter%32@ghcr.io",
  "alice:hun/ter2@ghcr.io",
  "alice:hunt@er2@ghcr.io",
];
const LEAKS = /alice|hunter|hun\/ter|hunt@er|%32/;

test("login and logout with credentials in the registry: exit 2, said so, and nothing of them printed", async () => {
  for (const spelling of REGISTRY_SPELLINGS) {
    for (const args of [["login", spelling, "-u", "bob", "--password-stdin"], ["logout", spelling]]) {
      const { code, stdout, stderr } = await runCli(args, "pw-from-stdin\n");
      assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
      assert.match(stderr, /^streamlayer: Invalid registry: .*\*\*\*@.*credentials before "@" are not taken: pass --username and --password-stdin\n$/, args.join(" "));
      assert.doesNotMatch(stdout + stderr, LEAKS, args.join(" "));
    }
  }
});

test("every verb, and an unknown one, keeps a password given in an argument to itself", async () => {
  // Each spelling kind once per verb: a scheme, a port and path, user only, percent-encoded, "/" and "@" in the password.
  const spellings = [0, 4, 6, 8, 9, 10].map((index) => REGISTRY_SPELLINGS[index]!);
  for (const [index, spelling] of spellings.entries()) {
    const runs = [[spelling], ["push", "-", spelling], ["export", spelling, "-o", "/dev/null"], index % 2 === 0 ? ["copy", spelling, "127.0.0.1:9/app:1"] : ["help", spelling]];
    for (const args of runs) {
      const { code, stdout, stderr } = await runCli(args, "");
      assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
      assert.doesNotMatch(stdout + stderr, LEAKS, args.join(" "));
    }
  }
});
