// The progress panel: one bar that reaches 100% only once the manifest is
// written, and a row per phase with its bytes and speed. Progress reports
// arrive from the worker up to 10 times a second; the panel is drawn at most
// once per frame.
import type { PushProgress } from "streamlayer/worker";
import { formatBytes, formatDuration, formatRate, formatSize } from "./format.ts";

/** What the panel knows of the source before the push starts. */
export interface SourceFacts {
  /** The tar's (or .tar.gz's) size, exact or estimated; undefined when unknown. */
  readonly size: number | undefined;
  /** Whether `size` is an estimate (a tar packed in the page). */
  readonly estimated: boolean;
  /** Whether the source is already gzip, so it is read but not compressed. */
  readonly gzip: boolean;
}

interface Row {
  readonly row: HTMLTableRowElement;
  readonly bytes: HTMLTableCellElement;
  readonly rate: HTMLTableCellElement;
}

type RowState = "waiting" | "running" | "done";

export class ProgressView {
  readonly #panel: HTMLElement;
  readonly #bar: HTMLProgressElement;
  readonly #percent: HTMLElement;
  readonly #read: Row;
  readonly #upload: Row;
  readonly #manifest: Row;
  #source: SourceFacts = { size: undefined, estimated: false, gzip: false };
  #last: PushProgress | undefined;
  #fraction = 0;
  #frame: number | undefined;
  // Times (performance.now()) that the speeds are measured between.
  #startedAt = 0;
  #readUntil = 0;
  #uploadFrom: number | undefined;
  #uploadUntil = 0;
  #manifestFrom: number | undefined;
  #doneAt: number | undefined;

  constructor(panel: HTMLElement) {
    this.#panel = panel;
    this.#bar = panel.querySelector<HTMLProgressElement>("#progress")!;
    this.#percent = panel.querySelector<HTMLElement>("#percent")!;
    this.#read = rowOf(panel, "#phase-read");
    this.#upload = rowOf(panel, "#phase-upload");
    this.#manifest = rowOf(panel, "#phase-manifest");
  }

  /** Resets the panel for a new push. */
  start(source: SourceFacts): void {
    this.#source = source;
    this.#last = undefined;
    this.#fraction = 0;
    this.#startedAt = this.#readUntil = this.#uploadUntil = performance.now();
    this.#uploadFrom = this.#manifestFrom = this.#doneAt = undefined;
    this.#panel.dataset.state = "running";
    this.#render();
  }

  /** Takes a report from the push; draws it on the next frame. */
  update(progress: PushProgress): void {
    const now = performance.now();
    const before = this.#last;
    if ((progress.read ?? 0) > (before?.read ?? 0)) this.#readUntil = now;
    if (progress.compressed > 0) this.#uploadFrom ??= before ? now : this.#startedAt;
    if (progress.acknowledged > (before?.acknowledged ?? 0)) this.#uploadUntil = now;
    if (progress.phase !== "layer") this.#manifestFrom ??= now;
    if (progress.phase === "done") this.#doneAt ??= now;
    this.#last = progress;
    this.#frame ??= requestAnimationFrame(() => this.#render());
  }

  /** Stops drawing: the push ended, however it ended. */
  stop(outcome: "done" | "failed" | "cancelled"): void {
    this.#render();
    this.#panel.dataset.state = outcome;
  }

  #render(): void {
    if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
    this.#frame = undefined;
    const p = this.#last;
    this.#fraction = Math.max(this.#fraction, p ? overallFraction(p, this.#source) : 0);
    this.#bar.value = this.#fraction;
    this.#percent.textContent = `${Math.floor(this.#fraction * 100)}%`;
    this.#drawRead(p);
    this.#drawUpload(p);
    this.#drawManifest(p);
  }

  #drawRead(p: PushProgress | undefined): void {
    const read = p?.read ?? 0;
    const layerDone = p !== undefined && p.phase !== "layer";
    const state: RowState = layerDone || (this.#source.size !== undefined && read >= this.#source.size && !this.#source.estimated) ? "done" : p ? "running" : "waiting";
    const size = this.#source.size === undefined ? "" : ` of ${this.#source.estimated && !layerDone ? "about " : ""}${formatSize(layerDone ? read : this.#source.size)}`;
    const made = this.#source.gzip ? " (already gzip)" : p && p.compressed > 0 ? ` → ${formatSize(p.compressed)} gzip` : "";
    draw(this.#read, state, read, `${formatSize(read)}${size}${made}`, formatBytes(read), formatRate(read, this.#readUntil - this.#startedAt));
  }

  #drawUpload(p: PushProgress | undefined): void {
    const acknowledged = p?.acknowledged ?? 0;
    const state: RowState = p && p.phase !== "layer" ? "done" : this.#uploadFrom !== undefined ? "running" : "waiting";
    const of = p?.total !== undefined ? ` of ${formatSize(p.total)}` : p && p.compressed > 0 ? ` of ${formatSize(p.compressed)} made so far` : "";
    const from = this.#uploadFrom ?? this.#startedAt;
    draw(this.#upload, state, acknowledged, `${formatSize(acknowledged)} stored${of}`, formatBytes(acknowledged), formatRate(acknowledged, this.#uploadUntil - from));
  }

  #drawManifest(p: PushProgress | undefined): void {
    const state: RowState = p?.phase === "done" ? "done" : this.#manifestFrom !== undefined ? "running" : "waiting";
    const text = state === "done" ? "config and manifest written" : state === "running" ? `writing the ${p?.phase === "manifest" ? "manifest" : "config"}…` : "–";
    const took = state === "done" && this.#doneAt !== undefined ? `${formatDuration(this.#doneAt - this.#startedAt)} in all` : "–";
    draw(this.#manifest, state, undefined, text, undefined, took);
  }
}

/**
 * The share of the whole push that is done. Reading leads and uploading
 * follows, so the layer's share is the mean of the two; the config and the
 * manifest take the last 5%, and 100% is only reached once the manifest is written.
 */
function overallFraction(p: PushProgress, source: SourceFacts): number {
  if (p.phase === "done") return 1;
  if (p.phase === "config") return 0.96;
  if (p.phase === "manifest") return 0.98;
  const size = p.sourceSize ?? source.size;
  const read = size ? Math.min(1, (p.read ?? 0) / size) : 0;
  const uploaded = p.total ? p.acknowledged / p.total : p.compressed > 0 ? read * (p.acknowledged / p.compressed) : 0;
  return Math.min(0.95, 0.95 * ((read + uploaded) / 2));
}

function rowOf(panel: HTMLElement, selector: string): Row {
  const row = panel.querySelector<HTMLTableRowElement>(selector)!;
  return { row, bytes: row.querySelector<HTMLTableCellElement>(".bytes")!, rate: row.querySelector<HTMLTableCellElement>(".rate")! };
}

function draw(row: Row, state: RowState, bytes: number | undefined, text: string, exact: string | undefined, rate: string): void {
  row.row.dataset.state = state;
  if (bytes !== undefined) row.row.dataset.bytes = String(bytes);
  row.bytes.textContent = state === "waiting" ? "–" : text;
  if (exact !== undefined && state !== "waiting") row.bytes.title = exact;
  row.rate.textContent = state === "waiting" ? "–" : rate;
}
