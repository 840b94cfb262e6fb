// Time to interactive of one page, for scripts/bench.sh: from navigation start to the moment the
// app marks <body data-hydrated="true"> (the marker the browser tests wait for, set by the App's
// first effect once the WASM has hydrated), in Chromium through Playwright (end2end's copy).
//
//   node bench/tti.mjs <url> <session cookie> [loads]
//
// Each load is a fresh browser context (empty HTTP cache: the page, the JS, the WASM and the CSS
// all fetched), and its time is read in the page itself: a MutationObserver installed before any
// page script records performance.now() (milliseconds since navigation start) when the attribute
// appears, so no polling interval is added. Prints JSON: every load, and the median.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "end2end", "package.json"));
const { chromium } = require("@playwright/test");

const [url, cookie, loadsArg] = process.argv.slice(2);
const loads = Number(loadsArg ?? 10);
if (!url || !cookie) {
  console.error("usage: node bench/tti.mjs <url> <session cookie> [loads]");
  process.exit(2);
}
const executablePath = process.env.PLAYWRIGHT_CHROMIUM ?? "/usr/bin/chromium";
const browser = await chromium.launch({ executablePath: executablePath || undefined, args: ["--no-sandbox"] });
const target = new URL(url);
const times = [];
try {
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext();
    await context.addCookies([{ name: "impersonate_session", value: cookie, domain: target.hostname, path: "/", httpOnly: true, sameSite: "Lax" }]);
    const page = await context.newPage();
    await page.addInitScript(() => {
      const seen = () => {
        if (document.body && document.body.dataset.hydrated === "true" && window.__hydratedAt === undefined) {
          window.__hydratedAt = performance.now();
        }
      };
      new MutationObserver(seen).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-hydrated"] });
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__hydratedAt !== undefined, null, { timeout: 30_000 });
    if (new URL(page.url()).pathname !== target.pathname) {
      throw new Error(`redirected to ${page.url()}: is the session cookie valid?`);
    }
    times.push(await page.evaluate(() => window.__hydratedAt));
    await context.close();
  }
} finally {
  await browser.close();
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
console.log(JSON.stringify({ url, loads: times.map((t) => Math.round(t * 10) / 10), median_ms: Math.round(median * 10) / 10 }));
