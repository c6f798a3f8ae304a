// Charts read right: every label of every chart lies inside its picture, in the wide picture
// and in the phone one, measured by the browser's own text layout.
import { Page, test } from "@playwright/test";
import { expect, login } from "./helpers";

const CHART_PAGES = ["/p/payments-api/sprint-4-1/trends?range=all", "/p/prompt-studio/phase-4/trends?range=all", "/p/prompt-studio?range=all"];

/** Every chart picture a page offers: the wide `<img>` and the phone `<source>` of each. */
async function chartUrls(page: Page, path: string): Promise<string[]> {
  await page.goto(path);
  const wide = await page.locator("img.chart-img").evaluateAll((imgs) => imgs.map((i) => i.getAttribute("src")!));
  const narrow = await page.locator("picture source").evaluateAll((ss) => ss.map((s) => s.getAttribute("srcset")!));
  return [...wide, ...narrow];
}

/** Texts of the SVG, laid out by the browser, that reach outside its view box. */
async function textsOutside(page: Page, svg: string): Promise<string[]> {
  await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
  return page.evaluate(() => {
    const root = document.querySelector("svg")!;
    const box = root.viewBox.baseVal;
    const [w, h] = box && box.width ? [box.width, box.height] : [root.width.baseVal.value, root.height.baseVal.value];
    const out: string[] = [];
    for (const t of Array.from(root.querySelectorAll("text"))) {
      const b = t.getBBox();
      if (!t.textContent?.trim()) continue;
      if (b.x < 0 || b.y < 0 || b.x + b.width > w || b.y + b.height > h) {
        out.push(`"${t.textContent.trim()}" at ${b.x.toFixed(1)},${b.y.toFixed(1)} ${b.width.toFixed(1)}×${b.height.toFixed(1)} in ${w}×${h}`);
      }
    }
    return out;
  });
}

test("every label of every chart lies inside its picture, wide and on a phone", async ({ page }) => {
  await login(page, "viewer");
  await expect(page).toHaveURL(/\/$/);
  const urls = new Set<string>();
  for (const path of CHART_PAGES) for (const u of await chartUrls(page, path)) urls.add(u);
  expect(urls.size).toBeGreaterThan(10);
  expect([...urls].some((u) => u.includes("width=340"))).toBe(true);
  const problems: string[] = [];
  for (const url of urls) {
    const resp = await page.request.get(url);
    expect(resp.ok(), url).toBe(true);
    const svg = await resp.text();
    expect(svg, url).toContain("<text");
    for (const p of await textsOutside(page, svg)) problems.push(`${url}: ${p}`);
  }
  expect(problems).toEqual([]);
});

test("a metric's axis shows its values whole and its caption has no placeholder words", async ({ page }) => {
  await login(page, "viewer");
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/p/payments-api/sprint-4-1/trends?range=all");
  const svg = await (await page.request.get("/api/v1/projects/payments-api/phases/sprint-4-1/trends/metric.svg?suite=load-50-workers&metric=throughput&range=all&width=340")).text();
  const labels = [...svg.matchAll(/<text[^>]*>\s*([^<]*?)\s*<\/text>/g)].map((m) => m[1]);
  const axis = labels.filter((l) => / req\/s$/.test(l));
  expect(axis.length).toBeGreaterThan(1);
  for (const l of axis) expect(l, "a value label is a whole number").toMatch(/^\d+(\.\d)? req\/s$/);
  const captions = await page.locator("figcaption").allInnerTexts();
  for (const c of captions) expect(c).not.toMatch(/target no target|\bTBD\b|lorem|placeholder|undefined|NaN/i);
});
