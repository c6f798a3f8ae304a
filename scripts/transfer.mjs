// Bytes moved over the network for a first visit (empty browser cache) and a repeat visit
// (the same browser, later) to one page, as Chromium counts them (compressed sizes plus
// headers), with the largest single responses; then the page's Largest Contentful Paint with
// the CPU throttled 4×, from an empty cache and from a warm one (median of 5 each).
//   node scripts/transfer.mjs BASE_URL PAGE_PATH USERNAME PASSWORD [--uncompressed]
// --uncompressed asks for every response uncompressed (Accept-Encoding: identity), which is
// what a server without compression sends.
import { createRequire } from "node:module";

const require = createRequire(new URL("../end2end/package.json", import.meta.url));
const { chromium } = require("@playwright/test");

const [base, path, username, password, flag] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
});
const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
const page = await context.newPage();
await page.goto(`${base}/login`);
await page.getByLabel("Username").fill(username);
await page.getByLabel("Password").fill(password);
await page.getByRole("button", { name: "Log in" }).click();
await page.waitForURL(`${base}/`);

const cdp = await context.newCDPSession(page);
await cdp.send("Network.enable");
if (flag === "--uncompressed") {
  await cdp.send("Network.setExtraHTTPHeaders", { headers: { "Accept-Encoding": "identity" } });
}
const urls = new Map();
let moved = [];
cdp.on("Network.responseReceived", (e) => urls.set(e.requestId, `${e.response.status} ${new URL(e.response.url).pathname}`));
cdp.on("Network.loadingFinished", (e) => moved.push([urls.get(e.requestId) ?? "?", e.encodedDataLength]));

async function visit(label) {
  moved = [];
  await page.goto(`${base}${path}`, { waitUntil: "networkidle" });
  await page.waitForFunction(() => window.__READYBOARD_HYDRATED === true, null, { timeout: 30_000 });
  const total = moved.reduce((sum, [, n]) => sum + n, 0);
  const top = [...moved].sort((a, b) => b[1] - a[1]).slice(0, 4);
  console.log(`${label}: ${total} bytes in ${moved.length} responses`);
  for (const [what, n] of top) console.log(`    ${n.toString().padStart(9)}  ${what}`);
  return total;
}

// The login page already fetched the bundle: start the first visit from an empty cache.
await cdp.send("Network.clearBrowserCache");
await visit("first visit");
await page.goto("about:blank");
await visit("repeat visit");

// Largest Contentful Paint as the page reports it, with the CPU 4× slower than this machine's.
async function lcp(cold) {
  if (cold) await cdp.send("Network.clearBrowserCache");
  await page.goto("about:blank");
  await page.goto(`${base}${path}`, { waitUntil: "load" });
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        new PerformanceObserver((list) => {
          const entries = list.getEntries();
          resolve(entries[entries.length - 1].startTime);
        }).observe({ type: "largest-contentful-paint", buffered: true });
      }),
  );
}
if (flag !== "--uncompressed") {
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [label, cold] of [["empty cache", true], ["warm cache", false]]) {
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await lcp(cold));
    const shown = runs.map((ms) => ms.toFixed(0)).join(", ");
    console.log(`LCP, CPU 4x slower, ${label}: median ${median(runs).toFixed(0)} ms (runs: ${shown})`);
  }
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
}
await browser.close();
