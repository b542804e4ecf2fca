// Pushes what the user chose as the one layer of a new image. The push runs
// in a Web Worker (pushInWorker from streamlayer/worker): gzip and both
// SHA-256s take a core of their own, and this page keeps drawing and
// answering. A .tar is gzipped on the way, a .tar.gz goes as it is, files and
// folders are packed into a tar here; nothing is read whole.
//
// The registry is on another origin than this page, so it must answer with
// CORS headers (see README.md), or sit behind a same-origin proxy.
import { parseReference, type Credentials } from "streamlayer";
import { pushInWorker, type PushResult } from "streamlayer/worker";
import { diagnose, type Diagnosis } from "./diagnose.ts";
import { formatBytes, formatDuration, formatSize } from "./format.ts";
import { ProgressView } from "./progress_view.ts";
import { fromDrop, fromFileList, takeDrop, type PickedSource } from "./source.ts";

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = element<HTMLFormElement>("push");
const inputs = element<HTMLFieldSetElement>("inputs");
const drop = element<HTMLDivElement>("drop");
const rootContents = element<HTMLInputElement>("root-contents");
const submit = element<HTMLButtonElement>("submit");
const cancel = element<HTMLButtonElement>("cancel");
const status = element<HTMLSpanElement>("status");
const result = element<HTMLElement>("result");
const progress = new ProgressView(element("progress-panel"));

let source: PickedSource | undefined;
// Picks the source again when "contents at the root" changes.
let pickAgain: ((rootContents: boolean) => Promise<PickedSource | undefined>) | undefined;
let running: AbortController | undefined;

// Choosing

async function choose(pick: (rootContents: boolean) => Promise<PickedSource | undefined>): Promise<void> {
  pickAgain = pick;
  try {
    source = await pick(rootContents.checked);
  } catch (error) {
    source = undefined;
    status.textContent = `Cannot read what was chosen: ${error instanceof Error ? error.message : String(error)}`;
  }
  drop.dataset.state = source ? "chosen" : "empty";
  element("source").textContent = source?.description ?? "Nothing chosen yet.";
  element("root-contents-label").hidden = source?.folder === undefined;
}

for (const id of ["file", "folder"]) {
  const input = element<HTMLInputElement>(id);
  input.addEventListener("change", () => {
    const files = [...(input.files ?? [])];
    void choose((root) => fromFileList(files, root));
  });
}
rootContents.addEventListener("change", () => pickAgain && void choose(pickAgain));

drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  if (!running) drop.dataset.state = "over";
});
drop.addEventListener("dragleave", () => (drop.dataset.state = source ? "chosen" : "empty"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  if (running || !event.dataTransfer) return;
  const dropped = takeDrop(event.dataTransfer);
  void choose((root) => fromDrop(dropped, root));
});
// A file dropped beside the zone would make the browser leave the page to show it.
window.addEventListener("dragover", (event) => event.preventDefault());
window.addEventListener("drop", (event) => event.preventDefault());

// Pushing

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void push();
});
cancel.addEventListener("click", () => {
  status.textContent = "Cancelling…";
  running?.abort();
});

async function push(): Promise<void> {
  if (running) return;
  if (!source) {
    status.textContent = "Choose a .tar, a .tar.gz, or files and folders first.";
    return;
  }
  const reference = element<HTMLInputElement>("reference").value.trim();
  const controller = new AbortController();
  running = controller;
  setPushing(true);
  showResult("running");
  progress.start({ size: source.size, estimated: source.estimated, gzip: source.gzip });
  const started = performance.now();
  try {
    const pushed = await pushInWorker(reference, source.open(), { auth: credentials(), signal: controller.signal, onProgress: (p) => progress.update(p) });
    progress.stop("done");
    showPushed(pushed);
    status.textContent = `Pushed in ${formatDuration(performance.now() - started)}. Ready.`;
  } catch (error) {
    if (controller.signal.aborted) {
      progress.stop("cancelled");
      showResult("cancelled");
      status.textContent = "Cancelled. Ready.";
    } else {
      progress.stop("failed");
      const diagnosis = await diagnose(error, registryOrigin(reference));
      showFailure(error, diagnosis);
      status.textContent = `Failed: ${diagnosis.title}.`;
    }
  } finally {
    running = undefined;
    setPushing(false);
  }
}

function setPushing(pushing: boolean): void {
  form.dataset.state = pushing ? "pushing" : "ready";
  inputs.disabled = pushing;
  submit.disabled = pushing;
  cancel.disabled = !pushing;
  if (pushing) status.textContent = "Pushing…";
}

// Empty user and password: anonymous; a password alone: a bearer token.
function credentials(): Credentials | undefined {
  const username = element<HTMLInputElement>("username").value;
  const password = element<HTMLInputElement>("password").value;
  if (username) return { username, password };
  return password ? { token: password } : undefined;
}

function registryOrigin(reference: string): string | undefined {
  try {
    const { scheme, registry } = parseReference(reference);
    return `${scheme}://${registry}`;
  } catch {
    return undefined;
  }
}

// Showing the outcome

function showResult(state: "running" | "done" | "failed" | "cancelled"): void {
  result.dataset.state = state;
  element("done").hidden = state !== "done";
  element("failed").hidden = state !== "failed";
  element("cancelled").hidden = state !== "cancelled";
}

function showPushed(pushed: PushResult): void {
  element("pushed-reference").textContent = pushed.reference;
  element("layer-digest").textContent = pushed.layer.digest;
  element("layer-diffid").textContent = pushed.layer.diffID;
  element("layer-size").textContent = `${formatSize(pushed.layer.size)} gzip (${formatBytes(pushed.layer.size)})`;
  element("thread").textContent = pushed.thread === "worker" ? "a Web Worker" : "this page's thread (no Web Worker could be made here)";
  element("copy").textContent = "Copy";
  showResult("done");
}

function showFailure(error: unknown, diagnosis: Diagnosis): void {
  result.dataset.kind = diagnosis.kind;
  element("error-title").textContent = diagnosis.title;
  element("error-explanation").textContent = diagnosis.explanation;
  element("error-fix").replaceChildren(...diagnosis.fixes.map((fix) => Object.assign(document.createElement("li"), { textContent: fix })));
  const config = element("error-config");
  config.hidden = diagnosis.config === undefined;
  config.textContent = diagnosis.config ?? "";
  element("error-message").textContent = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  showResult("failed");
}

element("copy").addEventListener("click", async () => {
  const button = element("copy");
  const text = element("pushed-reference");
  try {
    await navigator.clipboard.writeText(text.textContent ?? "");
    button.textContent = "Copied";
  } catch {
    // No clipboard permission (an insecure origin, a denied prompt): select it for Ctrl+C.
    getSelection()?.selectAllChildren(text);
    button.textContent = "Selected: press Ctrl+C";
  }
});
