// Playwright runs the browser tests in Chromium against servers that global-setup.ts builds from
// the release binary: each on a free port, with its own throw-away database and demo data.
import { defineConfig, devices } from "@playwright/test";

// Debian's chromium by default; PLAYWRIGHT_CHROMIUM points elsewhere (e.g. Playwright's own
// browser on a laptop). Set it to an empty string to use Playwright's bundled browser.
const chromium = process.env.PLAYWRIGHT_CHROMIUM ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./support/global-setup.ts",
  timeout: 60_000,
  // The whole run, set-up and tear-down included: a hang outside any one test still ends it,
  // named, long before CI's limit (a run takes about 2 minutes here, 4 on a loaded machine).
  globalTimeout: 20 * 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: process.env.E2E_WORKERS ? Number(process.env.E2E_WORKERS) : 2,
  retries: 0,
  reporter: [["list"], ["html", { open: "never" }]],
  use: {
    ...devices["Desktop Chrome"],
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    // A click or read of something that never comes fails on its own, naming the step, rather
    // than at the test's limit.
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    launchOptions: {
      executablePath: chromium || undefined,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
