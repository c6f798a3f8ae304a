import { test } from "@playwright/test";
import { expect, hydrated, login, shot, watchErrors } from "./helpers";

test.beforeEach(async ({ page }) => {
  await login(page, "viewer");
  await expect(page).toHaveURL(/\/$/);
});

test("the trends page charts the phase over time with data tables linked to reports", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/p/payments-api/sprint-4-1");
  // The scorecard lists the worst flaky checks and links to the rest.
  await expect(page.getByRole("heading", { name: "Flaky checks" })).toBeVisible();
  expect(await page.locator("ul.flaky li").count()).toBeGreaterThan(0);
  await page.getByRole("link", { name: /^Trends/ }).click();
  await expect(page).toHaveURL(/\/p\/payments-api\/sprint-4-1\/trends$/);
  await expect(page.getByRole("heading", { name: "Trends · Sprint 4.1" })).toBeVisible();
  await expect(page.getByRole("link", { name: "90 days" })).toHaveAttribute("aria-current", "page");

  // Every chart is a server-rendered SVG that loads, with a text alternative.
  const imgs = page.locator("img.chart-img");
  expect(await imgs.count()).toBeGreaterThanOrEqual(4);
  for (const img of await imgs.all()) {
    await img.scrollIntoViewIfNeeded();
    await expect(img).toHaveAttribute("alt", /.{20,}/);
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
  }
  const score = page.locator("section.chart", { has: page.getByRole("heading", { name: "Phase score" }) });
  const svg = await page.request.get((await score.locator("img").getAttribute("src"))!);
  expect(svg.headers()["content-type"]).toBe("image/svg+xml");
  expect(svg.headers()["etag"]).toBeTruthy();
  expect(await svg.text()).toContain("<title>Phase score over time");

  // The data table lists the newest points and links each to its report.
  await score.getByText(/^Data/).click();
  const first = score.locator("tbody tr").first();
  await expect(first.locator("a")).toHaveAttribute("href", /^\/reports\/\d+$/);
  await hydrated(page);
  await shot(page, "trends");

  // The range selector narrows the series.
  await page.getByRole("link", { name: "7 days" }).click();
  await expect(page).toHaveURL(/range=7d/);
  await expect(page.getByRole("link", { name: "7 days" })).toHaveAttribute("aria-current", "page");
  expect(errors).toEqual([]);
});

test("charts are re-sent only when the evidence changed", async ({ page }) => {
  const url = "/api/v1/projects/payments-api/phases/sprint-4-1/trends/score.svg?range=all";
  const first = await page.request.get(url);
  expect(first.status()).toBe(200);
  const etag = first.headers()["etag"];
  const again = await page.request.get(url, { headers: { "If-None-Match": etag } });
  expect(again.status()).toBe(304);
  const bad = await page.request.get("/api/v1/projects/payments-api/phases/sprint-4-1/trends?range=1y");
  expect(bad.status()).toBe(400);
  expect(bad.headers()["content-type"]).toContain("application/problem+json");
});

test("the overview shows a score sparkline per project and charts stay legible on a phone", async ({ page }) => {
  const spark = page.locator(".sparkline img").first();
  await expect(spark).toBeVisible();
  await expect.poll(() => spark.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
  await shot(page, "overview-sparklines");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/p/payments-api/sprint-4-1/trends");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  expect(overflow).toBe(false);
  const img = page.locator("img.chart-img").first();
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.currentSrc)).toContain("width=340");
  // The points follow the phone picture: each lies on it.
  const box = (await img.boundingBox())!;
  const score = page.locator("section.chart").first();
  for (const p of await score.locator(".pt").all()) {
    const b = (await p.boundingBox())!;
    expect(b.x + b.width / 2).toBeGreaterThanOrEqual(box.x);
    expect(b.x + b.width / 2).toBeLessThanOrEqual(box.x + box.width);
    expect(b.y + b.height / 2).toBeLessThanOrEqual(box.y + box.height);
  }
  await shot(page, "trends-phone");
});

test("chart points show their value on hover and focus and lead to their report", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/p/payments-api/sprint-4-1/trends?range=all");
  await hydrated(page);
  const score = page.locator("section.chart", { has: page.getByRole("heading", { name: "Phase score" }) });
  const img = score.locator("img.chart-img");
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
  const points = score.locator("a.pt");
  expect(await points.count()).toBeGreaterThan(1);

  // Every point lies on the picture.
  const box = (await img.boundingBox())!;
  for (const p of await points.all()) {
    const b = (await p.boundingBox())!;
    const cx = b.x + b.width / 2;
    const cy = b.y + b.height / 2;
    expect(cx).toBeGreaterThanOrEqual(box.x);
    expect(cx).toBeLessThanOrEqual(box.x + box.width);
    expect(cy).toBeGreaterThanOrEqual(box.y);
    expect(cy).toBeLessThanOrEqual(box.y + box.height);
  }

  // Hovering the newest point shows its time and score; the tip is hidden otherwise.
  const last = points.last();
  const label = (await last.getAttribute("aria-label"))!;
  expect(label).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC · Phase score: \d+(\.\d)?$/);
  const tipShown = () => last.evaluate((el) => getComputedStyle(el, "::after").display);
  expect(await tipShown()).toBe("none");
  await last.hover();
  await expect.poll(tipShown).toBe("block");
  expect(await last.evaluate((el) => getComputedStyle(el, "::after").content)).toBe(JSON.stringify(label));
  await shot(page, "trends-hover");

  // The table's newest score is the newest point's value.
  await score.getByText(/^Data/).click();
  const newest = (await score.locator("tbody tr").first().locator("td").nth(1).textContent())!.trim();
  expect(label.endsWith(`: ${newest}`)).toBe(true);

  // Keyboard users reach the points with Tab and see the same tip.
  await points.first().focus();
  await page.keyboard.press("Tab");
  await expect(points.nth(1)).toBeFocused();
  await expect.poll(() => points.nth(1).evaluate((el) => getComputedStyle(el, "::after").display)).toBe("block");

  // Following a point opens its report.
  const href = (await last.getAttribute("href"))!;
  expect(href).toMatch(/^\/reports\/\d+$/);
  await last.click();
  await expect(page).toHaveURL(new RegExp(`${href}$`));
  expect(errors).toEqual([]);
});

test("the project page charts every phase on one axis over a chosen range, with linked points", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/p/payments-api");
  const chart = page.locator("section.chart", { has: page.getByRole("heading", { name: "Readiness over time" }) });
  await expect(chart.getByRole("link", { name: "90 days" })).toHaveAttribute("aria-current", "page");
  const img = chart.locator("img.chart-img");
  await img.scrollIntoViewIfNeeded();
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
  await hydrated(page);

  // Every phase has a row with its latest score and a link to the report behind it.
  await chart.getByText(/^Data/).click();
  const rows = chart.locator("tbody tr");
  expect(await rows.count()).toBeGreaterThanOrEqual(1);
  await expect(rows.first().locator("a")).toHaveAttribute("href", /^\/reports\/\d+$/);

  // Points name their phase; hovering one shows it.
  const points = chart.locator("a.pt");
  expect(await points.count()).toBeGreaterThan(2);
  const last = points.last();
  await expect(last).toHaveAttribute("aria-label", /UTC · .+: \d+/);
  await last.hover();
  await expect.poll(() => last.evaluate((el) => getComputedStyle(el, "::after").display)).toBe("block");
  await shot(page, "project-chart");

  // A shorter range shows no more points than a longer one.
  const all = await points.count();
  await chart.getByRole("link", { name: "7 days" }).click();
  await expect(page).toHaveURL(/\/p\/payments-api\?range=7d$/);
  await expect(chart.getByRole("link", { name: "7 days" })).toHaveAttribute("aria-current", "page");
  await expect(chart.locator("img.chart-img")).toHaveAttribute("src", /range=7d/);
  expect(await chart.locator("a.pt").count()).toBeLessThanOrEqual(all);
  expect(errors).toEqual([]);
});
