// What `npm run bench` prints is Markdown, and what it prints is also kept, so
// that bench/index.ts can write it into docs/performance.md between its markers.

const kept: string[] = [];

/** Prints lines and keeps them for the docs. */
export function say(...lines: string[]): void {
  for (const line of lines) console.log(line);
  kept.push(...lines);
}

/** A section heading. */
export function heading(title: string): void {
  say("", `### ${title}`, "");
}

/** A Markdown table. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  say(line(headers), line(headers.map(() => "---")), ...rows.map(line), "");
}

/** Text printed by something else (a child process), kept as a block as it is. */
export function verbatim(text: string): void {
  const trimmed = text.trim();
  if (trimmed) say("```text", trimmed, "```", "");
}

/** Everything said so far. */
export function keptLines(): readonly string[] {
  return kept;
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Runs a section that prints with console.log (the older ones, and child
 * processes' output passed through): printed as it comes, kept as one block.
 */
export async function captured(run: () => Promise<void>): Promise<void> {
  const lines: string[] = [];
  const print = console.log;
  console.log = (...values: unknown[]) => {
    print(...values);
    lines.push(values.map(String).join(" "));
  };
  try {
    await run();
  } finally {
    console.log = print;
    verbatim(lines.join("\n"));
  }
}
