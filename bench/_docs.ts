// Writes what the bench printed into docs/performance.md, between the markers
// `<!-- bench:begin -->` and `<!-- bench:end -->`; the prose around them is
// someone else's and is left as it is. Inside, each run is kept under the
// sections it ran (`<!-- bench:run zstd -->` … `<!-- bench:run-end zstd -->`),
// so that `BENCH_ONLY=cli` replaces the last cli run and leaves the zstd run
// beside it; a run of every section replaces them all. The file is made, with
// the markers and one line, if it does not exist.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const BEGIN = "<!-- bench:begin -->";
const END = "<!-- bench:end -->";
const FILE = join(import.meta.dirname, "../docs/performance.md");
const NEW_FILE = `# Performance\n\nThe figures below are written by \`npm run bench\` (bench/index.ts); each run replaces them.\n\n${BEGIN}\n${END}\n`;
const ALL = "all";

/** Puts `lines`, the run of `sections` (`"all"` for every one), in place of that run's last figures. */
export function writePerformanceDoc(lines: readonly string[], sections: string = ALL): string {
  const text = existsSync(FILE) ? readFileSync(FILE, "utf8") : NEW_FILE;
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END, begin);
  if (begin < 0 || end < 0) throw new Error(`Cannot write the bench's figures: ${FILE} lacks the markers ${BEGIN} and ${END}`);
  const runs = sections === ALL ? new Map<string, string>() : runsIn(text.slice(begin + BEGIN.length, end));
  runs.set(sections, lines.join("\n").trim());
  const region = [...runs].map(([name, body]) => `<!-- bench:run ${name} -->\n${body}\n<!-- bench:run-end ${name} -->`).join("\n\n");
  writeFileSync(FILE, `${text.slice(0, begin + BEGIN.length)}\n${region}\n${text.slice(end)}`);
  return FILE;
}

/** The runs kept between the markers, by the sections they ran; figures of a file without run markers are one run of every section. */
function runsIn(region: string): Map<string, string> {
  const runs = new Map<string, string>();
  const marker = /<!-- bench:run (\S+) -->\n([\s\S]*?)\n<!-- bench:run-end \1 -->/g;
  for (const [, name, body] of region.matchAll(marker)) runs.set(name!, body!);
  if (runs.size === 0 && region.trim() !== "") runs.set(ALL, region.trim());
  return runs;
}
