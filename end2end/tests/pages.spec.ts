import { test } from "@playwright/test";
import { expect, hydrated, login, shot, watchErrors } from "./helpers";

test.beforeEach(async ({ page }) => {
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
});

test("the phase scorecard shows score, verdict, reasons and evidence", async ({ page }) => {
  const errors = watchErrors(page);
  await page.locator(".card-phase").getByRole("link", { name: "Phase 4 — Production deployment" }).click();
  await expect(page).toHaveURL(/\/p\/prompt-studio\/phase-4$/);
  await expect(page.getByRole("heading", { name: "Phase 4 — Production deployment" })).toBeVisible();
  await expect(page.locator(".hero .verdict")).toHaveText("Evidence: NO-GO");
  await expect(page.locator(".reasons li").first()).toContainText("critical blocker");
  await page.getByText("How is this computed?").click();
  await expect(page.locator(".how ol li").first()).toBeVisible();
  await expect(page.locator("td.strong", { hasText: "load-50-workers" })).toBeVisible();
  await expect(page.locator(".blocker-title").first()).toContainText("WebSocket");
  await hydrated(page);
  await shot(page, "phase-scorecard");
  expect(errors).toEqual([]);
});

test("only the live status comes alive: the page carries no data for hydration and one island", async ({ page }) => {
  const errors = watchErrors(page);
  const response = await page.goto("/p/prompt-studio/phase-4");
  const html = await response!.text();
  // Leptos writes the data of every hydrated resource here; a page that is plain HTML has none.
  expect(html).toContain("__RESOLVED_RESOURCES=[];");
  await hydrated(page);
  await expect(page.locator("leptos-island")).toHaveCount(1);
  await expect(page.locator("leptos-island .live-status.live-on")).toBeVisible();
  expect(errors).toEqual([]);
});

test("a scorecard read again is reused with a fresh nonce and still comes alive", async ({ page }) => {
  const errors = watchErrors(page);
  const nonceOf = (csp: string | undefined) => /'nonce-([^']+)'/.exec(csp ?? "")?.[1];
  const first = await page.goto("/p/prompt-studio/phase-4");
  const second = await page.reload();
  // Reused when nothing changed in between (two seconds at most), rendered afresh otherwise:
  // either way every response carries its own nonce, and its scripts run under it.
  expect(["hit", "miss"]).toContain(second!.headers()["x-page-cache"]);
  const n1 = nonceOf(first!.headers()["content-security-policy"]);
  const n2 = nonceOf(second!.headers()["content-security-policy"]);
  expect(n1).toBeTruthy();
  expect(n2).toBeTruthy();
  expect(n2).not.toEqual(n1);
  expect(await second!.text()).toContain(`nonce="${n2}"`);
  await hydrated(page);
  await expect(page.locator(".hero .verdict")).toHaveText("Evidence: NO-GO");
  expect(errors).toEqual([]);
});

test("the project page lists phases in order", async ({ page }) => {
  await page.goto("/p/prompt-studio");
  const names = await page.locator(".phase-name").allTextContents();
  expect(names).toEqual(["Phase 3 — Production hardening", "Phase 4 — Production deployment"]);
  // Every phase's score on one time axis, drawn on the server.
  const chart = page.locator("section.chart img");
  await expect(chart).toHaveAttribute("alt", /every phase/);
  await expect.poll(() => chart.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
  await shot(page, "project");
});

test("a report shows failures first and filters by status", async ({ page }) => {
  await page.goto("/p/payments-api/sprint-4-1");
  await page.locator("a", { hasText: /^#\d+$/ }).first().click();
  await expect(page).toHaveURL(/\/reports\/\d+$/);
  await hydrated(page);
  await expect(page.locator(".stat-label", { hasText: "checks" })).toBeVisible();
  await expect(page.getByRole("heading", { name: /Compared with the previous run|Compared with the previous run #\d+/ })).toBeVisible();
  await page.getByRole("link", { name: "Passed" }).click();
  await expect(page).toHaveURL(/status=pass/);
  await expect(page.locator(".check .status").first()).toHaveText("pass");
  const statuses = await page.locator(".check .status").allTextContents();
  expect(new Set(statuses)).toEqual(new Set(["pass"]));
  await shot(page, "report");
});

test("unknown pages get a proper 404", async ({ page }) => {
  const resp = await page.goto("/no/such/page");
  expect(resp?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("pages stay readable at phone width", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Prompt Studio" })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  expect(overflow).toBe(false);
  await shot(page, "overview-phone");
  await page.goto("/p/prompt-studio/phase-4");
  await shot(page, "phase-phone");
});

test("an admin widens the freshness window and the stale suite stops counting as stale", async ({ page }) => {
  await page.goto("/p/prompt-studio/phase-3");
  await hydrated(page);
  await expect(page.locator(".reasons")).toContainText("stale");
  await page.getByText("Phase settings").click();
  await page.getByLabel("Stale after (days)").fill("90");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved; the score was recomputed.")).toBeVisible();
  await expect(page.locator(".reasons")).not.toContainText("stale");
  await expect(page.locator(".hero")).toContainText("older than 90 days is stale");
  await shot(page, "phase-settings");
});


/** "8 passed · 1 partial · 2 failed · 1 not run · 3 skipped (left out of the score)" → numbers. */
function parseCounts(text: string): Record<string, number> {
  const out: Record<string, number> = { passed: 0, partial: 0, failed: 0, errors: 0, "not run": 0, skipped: 0 };
  for (const m of text.matchAll(/(\d+) (passed|partial|failed|errors|not run|skipped)/g)) out[m[2]] = Number(m[1]);
  return out;
}

test("every figure on the scorecard adds up from what the page shows", async ({ page }) => {
  for (const phase of ["/p/prompt-studio/phase-4", "/p/prompt-studio/phase-3", "/p/payments-api/sprint-4-1"]) {
    await page.goto(phase);
    const rows = page.locator("section.section", { has: page.getByRole("heading", { name: "Categories" }) }).locator("tbody tr");
    const n = await rows.count();
    expect(n).toBeGreaterThan(0);
    let weighted = 0;
    let weights = 0;
    for (let i = 0; i < n; i++) {
      const cells = rows.nth(i).locator("td");
      const checks = Number(await cells.nth(3).innerText());
      const c = parseCounts(await cells.nth(4).locator(".counts-text").innerText());
      const sum = Object.values(c).reduce((a, b) => a + b, 0);
      expect(sum, `${phase} row ${i}: the counts are the checks`).toBe(checks);
      const score = (await cells.nth(1).innerText()).trim();
      const weight = Number(await cells.nth(2).innerText());
      if (score !== "—" && weight > 0) {
        weighted += Number(score) * weight;
        weights += weight;
      }
    }
    // The phase score is the weighted mean of the category scores shown (each rounded to 0.1).
    const shown = Number(await page.locator(".hero .score-num").innerText());
    expect(Math.abs(shown - weighted / weights), `${phase}: ${shown} vs ${weighted / weights}`).toBeLessThanOrEqual(0.1);
    // "How is this computed?" shows credit / possible = score for each category.
    for (const line of await page.locator(".how ol li").allInnerTexts()) {
      const m = /: ([\d.]+) \/ ([\d.]+) credit = ([\d.]+)/.exec(line);
      if (m) expect(Math.abs((Number(m[1]) / Number(m[2])) * 100 - Number(m[3])), line).toBeLessThanOrEqual(0.06);
    }
  }
});

test("a report's counts add up to its checks and its score is labelled as its own", async ({ page }) => {
  await page.goto("/p/prompt-studio/phase-4");
  await page.locator("td.strong", { hasText: "load-50-workers" }).locator("xpath=..").locator("a", { hasText: /^#\d+$/ }).click();
  await expect(page).toHaveURL(/\/reports\/\d+$/);
  const stat = async (label: string) =>
    Number(await page.locator(".stat", { has: page.locator(".stat-label", { hasText: new RegExp(`^${label}$`) }) }).locator(".stat-num").innerText());
  const total = await stat("checks( and targets)?");
  const parts = await Promise.all(["passed", "partial", "failed", "errors", "not run", "skipped"].map(stat));
  expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
  await expect(page.locator(".stat-label", { hasText: "this report's own score" })).toBeVisible();
  // What is counted is on the page: the checks listed plus the metric targets met or missed.
  const checks = page.locator(".section", { has: page.locator("h2", { hasText: /^Checks$/ }) });
  await expect(checks.locator("p.small, [data-testid=no-checks]").first()).toBeVisible();
  const listed = (await checks.getByTestId("no-checks").count())
    ? 0
    : Number(/ of (\d+)$/.exec(await checks.locator("p.small").first().innerText())![1]);
  const metrics = page.locator(".section", { has: page.locator("h2", { hasText: /^Metrics$/ }) });
  const targets = (await metrics.count()) ? await metrics.locator("td .status").count() : 0;
  expect(listed + targets).toBe(total);
  if (targets > 0) {
    await expect(page.getByTestId("scored-split")).toHaveText(new RegExp(`^${total} scored: ${listed} checks? \\(listed under Checks\\) and ${targets} metric targets? `));
  } else {
    await expect(page.getByTestId("scored-split")).toHaveCount(0);
  }
});
