import assert from "node:assert/strict";
import { test } from "node:test";
import { parsePushArgs, PUSH_HELP, PUSH_OPTIONS } from "../../src/cli/_push_args.ts";

test("push arguments are checked before anything is read", () => {
  const args = parsePushArgs(["--chunk-size", "4MiB", "--platform", "linux/arm/v7", "--upload", "stream", "-l", "9", "in.tar", "oci:out"]);
  assert.equal(args.chunkSize, 4 * 1024 * 1024);
  assert.deepEqual(args.platform, { os: "linux", architecture: "arm", variant: "v7" });
  assert.equal(args.upload, "stream");
  assert.equal(args.level, 9);
  assert.deepEqual(args.inputs, ["in.tar"]);
  assert.throws(() => parsePushArgs(["only-one"]), /needs <file\|-> and <destination>/);
  assert.throws(() => parsePushArgs(["--nope", "a", "b"]), { code: "USAGE" });
  assert.throws(() => parsePushArgs(["--username", "u", "a", "b"]), /needs --password-stdin/);
  assert.throws(() => parsePushArgs(["--username", "u", "--password-stdin", "-", "b"]), /layers must be files, not -/);
  assert.throws(() => parsePushArgs(["--blob", "--base", "x/y", "a", "b"]), /cannot take --base/);
  assert.throws(() => parsePushArgs(["--platform", "linux", "a", "b"]), /Invalid --platform/);
  assert.throws(() => parsePushArgs(["--media-type", "zip", "a", "b"]), /Invalid --media-type/);
  assert.throws(() => parsePushArgs(["--upload", "fast", "a", "b"]), /Invalid --upload/);
});

test("crane's vocabulary: repeatable -f, -t, --annotation, --label, --env; lists for --entrypoint and --cmd", () => {
  const args = parsePushArgs([
    "-f", "a.tar", "--file=b.tar.gz", "-f", "-", "-t", "1.0", "--tag", "latest",
    "--annotation", "org.opencontainers.image.source=https://git.example/app", "--label", "a=b=c", "--env", "PATH=/bin", "--env", "TZ=UTC",
    "--entrypoint", '["/bin/sh","-c"]', "--cmd", "serve,--port=8080", "--workdir", "/srv", "--user", "1000:1000", "registry.example/app",
  ]);
  assert.deepEqual(args.inputs, ["a.tar", "b.tar.gz", "-"]);
  assert.equal(args.destination, "registry.example/app");
  assert.deepEqual(args.tags, ["1.0", "latest"]);
  assert.deepEqual(args.edits, {
    annotations: { "org.opencontainers.image.source": "https://git.example/app" },
    labels: { a: "b=c" },
    env: ["PATH=/bin", "TZ=UTC"],
    entrypoint: ["/bin/sh", "-c"],
    cmd: ["serve", "--port=8080"],
    workdir: "/srv",
    user: "1000:1000",
  });
  assert.throws(() => parsePushArgs(["-f", "a", "-f", "b", "dest", "extra"]), /needs <destination> after -f/);
  assert.throws(() => parsePushArgs(["-f", "-", "-f", "-", "dest"]), /only one of the layers/);
  assert.throws(() => parsePushArgs(["--label", "novalue", "a", "b"]), /Invalid --label: novalue: expected key=value/);
  assert.throws(() => parsePushArgs(["-t", "host/repo:tag", "a", "b"]), /Invalid --tag/);
  assert.throws(() => parsePushArgs(["--entrypoint", "[1]", "a", "b"]), /JSON array of strings/);
});

test("an unknown option answers with the closest valid one", () => {
  assert.throws(() => parsePushArgs(["--labels", "a=b", "in", "out"]), /^UsageError: Unknown option --labels: did you mean --label\?$|Unknown option --labels: did you mean --label\?/);
  assert.throws(() => parsePushArgs(["--tags", "1", "in", "out"]), /did you mean --tag\?/);
  assert.throws(() => parsePushArgs(["--pass", "in", "out"]), /did you mean --password-stdin\?/);
  assert.throws(() => parsePushArgs(["--entry-point", "x", "in", "out"]), /did you mean --entrypoint\?/);
  assert.throws(() => parsePushArgs(["--platfrom", "linux/arm64", "in", "out"]), /did you mean --platform\?/);
  assert.throws(() => parsePushArgs(["--zzzzzzzz", "in", "out"]), /Unknown option --zzzzzzzz: see streamlayer push --help/);
  assert.throws(() => parsePushArgs(["-x", "in", "out"]), /Unknown option -x: see streamlayer push --help/);
});

test("push --help documents every flag, each with an example", () => {
  const lines = PUSH_HELP.split("\n");
  for (const [name, option] of Object.entries(PUSH_OPTIONS)) {
    const short = "short" in option ? `-${option.short}` : undefined;
    const at = lines.findIndex((line) => new RegExp(`^  (-\\w, )?--${name}\\b`).test(line));
    assert.ok(at >= 0, `--${name} is documented`);
    const next = lines.slice(at + 1).findIndex((line) => /^  -/.test(line) || line === "");
    const block = lines.slice(at + 1, next === -1 ? undefined : at + 1 + next);
    const example = block.find((line) => line.trimStart().startsWith("e.g. "));
    assert.ok(example, `--${name} has an example`);
    assert.ok(example.includes(`--${name}`) || (short !== undefined && example.includes(`${short} `)), `--${name}'s example uses it: ${example}`);
  }
  assert.ok(lines.every((line) => line.length <= 80), "fits an 80-column terminal");
});
