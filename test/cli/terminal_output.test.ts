import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { ProgressView } from "../../src/cli/_progress_view.ts";
import { terminalSafe } from "../../src/cli/_terminal_text.ts";

test("control characters from a registry are shown escaped, never obeyed", () => {
  const hostile = "DENIED\x1b]0;owned\x07\x1b[2J\r\nfake line\u202etxt.exe\x9b31m";
  const safe = terminalSafe(hostile);
  assert.equal(safe, "DENIED\\x1b]0;owned\\x07\\x1b[2J\\x0d\\x0afake line\\u202etxt.exe\\x9b31m");
  assert.doesNotMatch(safe, /[\x00-\x1f\x7f-\x9f\u202e]/);
  assert.equal(terminalSafe("plain text: ünïcode ok"), "plain text: ünïcode ok");
});

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

test("on a terminal the progress line is cut to the width and redrawn in place; elsewhere plain lines", () => {
  const tty = new Capture();
  const view = new ProgressView(tty, `push ${"very/long/path/".repeat(8)}layer.tar`, { tty: true, columns: 80 });
  view.total = 1000;
  view.update({ read: 500, compressed: 100, uploaded: 50 });
  view.finish();
  const draws = tty.text.split("\r\x1b[2K").slice(1);
  assert.equal(draws.length, 2, "one running line and the totals, each redrawn over the last");
  for (const draw of draws) assert.ok(draw.replace(/\n$/, "").length <= 79, `fits in 80 columns: ${draw.length}`);
  assert.match(draws[0] ?? "", /^\[#####-----\] 50% \.\.\..*layer\.tar: read 500 B, gz 100 B, stored 50 B, /);
  assert.match(draws[1] ?? "", /: done: read 500 B, gz 100 B, stored 50 B, [\d.]+ s, /);
  assert.ok(tty.text.endsWith("\n"));

  const pipe = new Capture();
  const plain = new ProgressView(pipe, "push stdin", { tty: false });
  plain.update({ read: 10 });
  plain.finish();
  assert.doesNotMatch(pipe.text, /[\r\x1b]/);
  assert.deepEqual(pipe.text.trim().split("\n").map((line) => line.replace(/[\d.]+ (B|KiB)\/s/, "R").replace(/[\d.]+ s,/, "T,")), [
    "push stdin: read 10 B, gz 0 B, stored 0 B, R",
    "push stdin: done: read 10 B, gz 0 B, stored 0 B, T, R",
  ]);
});
