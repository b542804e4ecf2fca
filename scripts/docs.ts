// `npm run docs`: the API reference as HTML in docs/api/ (from the TSDoc, by
// `deno doc`), and docs/cli.md's reference section from the commands' --help.
import { readFileSync, writeFileSync } from "node:fs";
import { API_DOCS_OUTPUT, writeApiDocs } from "./_api_docs.ts";
import { CLI_DOC, cliReference, withReference } from "./_cli_reference.ts";

writeFileSync(CLI_DOC, withReference(readFileSync(CLI_DOC, "utf8"), cliReference()));
console.log(`docs/cli.md: the reference section is the commands' --help`);

const { status, output } = writeApiDocs();
if (status !== 0) {
  console.error(output);
  process.exit(status ?? 1);
}
console.log(`API reference: ${API_DOCS_OUTPUT}/index.html`);
