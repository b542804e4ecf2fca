// The browser example (examples/browser/) as the Chromium tests use it: built
// by Vite as a user would build it, served from an origin of its own, and
// driven through its form. What it shows after a push is read back from its
// elements, the way a user reads it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, type Page } from "@playwright/test";
import { build } from "vite";
import { startStaticServer, type LocalServer } from "./cross_origin_servers.ts";

const ROOT = join(import.meta.dirname, "../../..");

/** docker-registry's `http.headers` for a page on another origin, as examples/browser/README.md gives them. */
export const REGISTRY_CORS_HEADERS: Record<string, string[]> = {
  "Access-Control-Allow-Origin": ["*"],
  "Access-Control-Allow-Methods": ["HEAD", "GET", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"],
  "Access-Control-Allow-Headers": ["Authorization", "Accept", "Content-Type", "Content-Range", "Content-Length"],
  "Access-Control-Expose-Headers": ["Location", "Range", "Docker-Upload-UUID", "Docker-Content-Digest", "OCI-Chunk-Min-Length", "OCI-Chunk-Max-Length", "WWW-Authenticate", "Content-Length"],
};

export interface ServedExample {
  /** The page's origin, `http://127.0.0.1:PORT/`. */
  url: string;
  stop(): Promise<void>;
}

/** Builds the example with Vite (a production build) and serves it on 127.0.0.1. */
export async function serveBuiltExample(): Promise<ServedExample> {
  const outDir = mkdtempSync(join(tmpdir(), "streamlayer-vite-"));
  await build({ root: join(ROOT, "examples/browser"), logLevel: "warn", build: { outDir, emptyOutDir: true } });
  const site: LocalServer = await startStaticServer(outDir);
  return {
    url: site.url,
    async stop() {
      await site.stop();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** What the page shows once a push ended. */
export interface PageOutcome {
  state: "done" | "failed" | "cancelled";
  /** Shown with the Copy button: `host/repo@sha256:…`. */
  reference?: string;
  layerDigest?: string;
  diffID?: string;
  /** Where the push ran, as the page says it. */
  thread?: string;
  /** The diagnosis: `cors`, `unreachable`, `auth`, … */
  kind?: string;
  errorTitle?: string;
  /** The fixes the page names, one per line. */
  fixes?: string;
  /** The error, whole: `RegistryError: …`. */
  error?: string;
}

export interface FileToPush {
  name: string;
  buffer?: Buffer;
  /** A file on disk instead of `buffer`. */
  path?: string;
}

/** Opens the page, fills the form and chooses the file; does not push yet. */
export async function fillForm(page: Page, site: string, reference: string, file: FileToPush, auth?: { username: string; password: string }): Promise<void> {
  await page.goto(site);
  expect(new URL(page.url()).origin, "the page is on another origin than the registry").not.toBe(`http://${reference.split("/")[0]}`);
  await page.fill("#reference", reference);
  await page.setInputFiles("#file", file.path ?? { name: file.name, buffer: file.buffer!, mimeType: "application/octet-stream" });
  await expect(page.locator("#drop")).toHaveAttribute("data-state", "chosen");
  if (auth) {
    await page.fill("#username", auth.username);
    await page.fill("#password", auth.password);
  }
}

/** Fills the form, pushes, and returns what the page shows at the end. */
export async function pushFromPage(page: Page, site: string, reference: string, file: FileToPush, auth?: { username: string; password: string }): Promise<PageOutcome> {
  await fillForm(page, site, reference, file, auth);
  await page.click("#submit");
  return outcome(page);
}

/** Waits for the push to end, and reads the page. */
export async function outcome(page: Page, timeout = 50_000): Promise<PageOutcome> {
  await page.waitForSelector("#result[data-state=done], #result[data-state=failed], #result[data-state=cancelled]", { timeout });
  const result = page.locator("#result");
  const state = (await result.getAttribute("data-state")) as PageOutcome["state"];
  const text = async (id: string) => (await page.locator(`#${id}`).textContent()) ?? undefined;
  if (state === "done") return { state, reference: await text("pushed-reference"), layerDigest: await text("layer-digest"), diffID: await text("layer-diffid"), thread: await text("thread") };
  if (state === "cancelled") return { state };
  const fixes = (await page.locator("#error-fix li").allTextContents()).join("\n");
  return { state, kind: (await result.getAttribute("data-kind")) ?? undefined, errorTitle: await text("error-title"), fixes, error: await text("error-message") };
}
