// TypeScript writes `.d.ts` files with the sources' own `./x.ts` specifiers
// (rewriteRelativeImportExtensions rewrites only the JavaScript:
// microsoft/TypeScript#61037), which TypeScript before 5.0 refuses with TS2691
// and editors do not follow. The sources keep `.ts` because Deno and JSR read
// them; the package's declarations get the `.js` their JavaScript has.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

const RELATIVE_TS = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.\.?\/[^"']*?)\.ts\2/g;
const LEFT_OVER = /["']\.\.?\/[^"']*\.(?:ts|mts|cts)["']/;

export function rewriteDeclaration(text: string): string {
  return text.replace(RELATIVE_TS, (_match, lead: string, quote: string, path: string) => `${lead}${quote}${path}.js${quote}`);
}

async function declarationFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith(".d.ts")).map((entry) => join(entry.parentPath, entry.name));
}

async function main(folder: string): Promise<void> {
  const files = await declarationFiles(folder);
  let rewritten = 0;
  for (const file of files) {
    const text = await readFile(file, "utf8");
    const fixed = rewriteDeclaration(text);
    const left = LEFT_OVER.exec(fixed);
    if (left) throw new Error(`${file}: a relative import still ends in a TypeScript extension: ${left[0]}`);
    if (fixed !== text) {
      await writeFile(file, fixed);
      rewritten++;
    }
  }
  if (files.length === 0) throw new Error(`no declaration files under ${folder}`);
  console.log(`${rewritten} of ${files.length} declaration files now import .js`);
}

if (import.meta.filename === process.argv[1]) await main(process.argv[2] ?? "dist");
