// On a phone (390 × 844): no page is wider than the screen, and nothing sticks out past its
// right edge except inside a container that scrolls on purpose (wide tables).
import { Browser, Page, test } from "@playwright/test";
import { expect, hydrated, login, shot } from "./helpers";

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

/** Elements whose right edge passes the viewport's, outside any scrolling container. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const scrolls = (el: Element | null): boolean => {
      for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
        const o = getComputedStyle(e).overflowX;
        if (o === "auto" || o === "scroll") return true;
      }
      return false;
    };
    const out: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll("*"))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || r.right <= width + 0.5) continue;
      if (scrolls(el.parentElement)) continue;
      const name = el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
      out.push(`${name} right=${Math.round(r.right)}`);
    }
    return out;
  });
}

const PAGES = [
  "/",
  "/p/prompt-studio",
  "/p/prompt-studio/phase-4",
  "/p/prompt-studio/phase-4/blockers",
  "/blockers",
  "/audit",
  "/p/prompt-studio/phase-4/trends",
  "/p/prompt-studio/phase-4/checklist",
  "/p/prompt-studio/phase-4/import",
  "/admin",
  "/account/tokens",
];

test("no page is wider than a phone's screen", async ({ page }) => {
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/p/payments-api/sprint-4-1");
  const report = await page.locator("a", { hasText: /^#\d+$/ }).first().getAttribute("href");
  const decisions = [];
  for (const phase of ["phase-4", "phase-3"]) {
    const list = await (await page.request.get(`/api/v1/projects/prompt-studio/phases/${phase}/decisions`)).json();
    if (list.items.length > 0) decisions.push(`/p/prompt-studio/${phase}/decisions/${list.items[0].id}`);
  }
  for (const path of [...PAGES, report!, ...decisions.slice(0, 1)]) {
    await page.goto(path);
    await hydrated(page);
    const [scrollWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    // A phone widens its layout to fit content that sticks out (such as an absolutely placed
    // element inside a scrolling table), and the page is then shown zoomed out.
    expect(innerWidth, `${path}: layout width`).toBe(390);
    expect(scrollWidth, `${path}: page width`).toBeLessThanOrEqual(innerWidth);
    expect(await overflowing(page), `${path}: elements past the right edge`).toEqual([]);
    await shot(page, `phone${path.replace(/[^a-z0-9]+/gi, "-")}`);
  }
});

/** Opens every folded section and waits until each chart's picture has loaded. */
async function loadCharts(page: Page) {
  await page.locator("details.fold").evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
  for (const img of await page.locator("img.chart-img").all()) {
    await img.scrollIntoViewIfNeeded();
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
  }
}

test("charts on a phone are the phone pictures, their text at least 11 px on screen", async ({ page }) => {
  await login(page, "viewer");
  await expect(page).toHaveURL(/\/$/);
  for (const path of ["/p/payments-api/sprint-4-1/trends?range=all", "/p/prompt-studio?range=all"]) {
    await page.goto(path);
    await hydrated(page);
    await loadCharts(page);
    const imgs = await page.locator("img.chart-img").all();
    expect(imgs.length).toBeGreaterThan(0);
    for (const img of imgs) {
      const [src, shown] = await img.evaluate((i: HTMLImageElement) => [i.currentSrc, i.getBoundingClientRect().width] as const);
      expect(src, `${path}: the phone picture`).toContain("width=340");
      const svg = await (await page.request.get(src)).text();
      const drawn = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
      const sizes = [...svg.matchAll(/<text[^>]* font-size="([\d.]+)"/g)].map((m) => Number(m[1]));
      expect(sizes.length, src).toBeGreaterThan(0);
      const smallest = (Math.min(...sizes) * shown) / drawn;
      expect(smallest, `${src}: smallest text as shown, in px`).toBeGreaterThanOrEqual(11);
    }
    await shot(page, `phone-charts${path.replace(/[^a-z0-9]+/gi, "-")}`);
  }
});

/** The trends page in a fresh context of the given width, with or without JavaScript. */
async function trendsIn(browser: Browser, width: number, javaScriptEnabled: boolean) {
  const context = await browser.newContext({ viewport: { width, height: 844 }, javaScriptEnabled });
  const page = await context.newPage();
  await login(page, "viewer");
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/p/payments-api/sprint-4-1/trends");
  if (javaScriptEnabled) await hydrated(page);
  return { context, page };
}

test("on a phone the trends page shows the phase score and folds the rest; wide screens and no JavaScript show all", async ({ browser }) => {
  const phone = await trendsIn(browser, 390, true);
  const folds = phone.page.locator("details.fold");
  expect(await folds.count()).toBeGreaterThan(3);
  await expect(phone.page.locator("section.chart", { has: phone.page.getByRole("heading", { name: "Phase score" }) }).locator("img")).toBeVisible();
  expect(await folds.evaluateAll((ds) => ds.filter((d) => (d as HTMLDetailsElement).open).length)).toBe(0);
  const height = await phone.page.evaluate(() => document.documentElement.scrollHeight);
  expect(height, "the folded page is a few screens tall").toBeLessThan(4 * 844);
  // A tap on a heading opens its section.
  await phone.page.getByText("Flaky checks", { exact: true }).click();
  await expect(phone.page.getByText(/Flip rate = flips/)).toBeVisible();
  await shot(phone.page, "phone-trends-folded");
  await phone.context.close();

  for (const [width, js] of [[1366, true], [390, false]] as const) {
    const { context, page } = await trendsIn(browser, width, js);
    const open = await page.locator("details.fold").evaluateAll((ds) => ds.map((d) => (d as HTMLDetailsElement).open));
    expect(open.length, `${width} px, JavaScript ${js}`).toBeGreaterThan(3);
    expect(open.every(Boolean), `${width} px, JavaScript ${js}: every section open`).toBe(true);
    await context.close();
  }
});

test("the scorecard's head fits a phone: score on one line, badge inside the card, who is signed in", async ({ page }) => {
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/p/prompt-studio/phase-4");
  await hydrated(page);
  const num = await page.locator(".hero .score-num").boundingBox();
  const max = await page.locator(".hero .score-max").boundingBox();
  expect(Math.abs(num!.y + num!.height - (max!.y + max!.height)), "“/ 100” on the score's line").toBeLessThan(12);
  expect(max!.height, "“/ 100” on one line").toBeLessThan(30);
  const card = await page.locator(".hero").evaluate((el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return { left: r.left + parseFloat(s.paddingLeft), right: r.right - parseFloat(s.paddingRight) };
  });
  const badge = await page.locator(".hero .verdict").boundingBox();
  expect(badge!.x, "badge inside the card's padding").toBeGreaterThanOrEqual(card.left - 0.5);
  expect(badge!.x + badge!.width, "badge inside the card's padding").toBeLessThanOrEqual(card.right + 0.5);
  await expect(page.locator(".who-name")).toBeVisible();
  await expect(page.locator(".who-name")).toHaveText("admin");
});
