// Playwright Test for the Chromium runner (test/runtimes/chromium.spec.ts).
// Drives the system's Chromium (Debian's package) through playwright-core:
// no browser is downloaded. Each test file starts and stops what it needs.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "test/runtimes",
  testMatch: "chromium*.spec.ts",
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
    },
  },
});
