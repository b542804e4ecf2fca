// Writes what the bench printed into docs/performance.md, between the markers
// `<!-- bench:begin -->` and `<!-- bench:end -->`; the prose around them is
// someone else's and is left as it is. The file is made, with the markers and
// one line, if it does not exist.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const BEGIN = "<!-- bench:begin -->";
const END = "<!-- bench:end -->";
const FILE = join(import.meta.dirname, "../docs/performance.md");
const NEW_FILE = `# Performance\n\nThe figures below are written by \`npm run bench\` (bench/index.ts); each run replaces them.\n\n${BEGIN}\n${END}\n`;

/** Replaces what is between the markers with `lines`. */
export function writePerformanceDoc(lines: readonly string[]): string {
  const text = existsSync(FILE) ? readFileSync(FILE, "utf8") : NEW_FILE;
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END, begin);
  if (begin < 0 || end < 0) throw new Error(`Cannot write the bench's figures: ${FILE} lacks the markers ${BEGIN} and ${END}`);
  writeFileSync(FILE, `${text.slice(0, begin + BEGIN.length)}\n${lines.join("\n").trim()}\n${text.slice(end)}`);
  return FILE;
}
