import { defineConfig, devices } from "@playwright/test";

// The server is started by scripts/test.sh, which passes its address in READYBOARD_E2E_URL.
const baseURL = process.env.READYBOARD_E2E_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  testDir: "./tests",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL,
    trace: "off",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
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
  projects: [
    {
      name: "desktop",
      testIgnore: /no-script\.spec\.ts/,
      use: { ...devices["Desktop Chrome"], viewport: { width: 1366, height: 900 } },
    },
    // JavaScript off: the server's HTML alone. Runs after the others, whose data it changes.
    {
      name: "no-script",
      testMatch: /no-script\.spec\.ts/,
      dependencies: ["desktop"],
      use: { ...devices["Desktop Chrome"], viewport: { width: 1366, height: 900 }, javaScriptEnabled: false },
    },
  ],
});
