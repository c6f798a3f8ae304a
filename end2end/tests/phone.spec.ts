// On a phone (390 × 844): no page is wider than the screen, and nothing sticks out past its
// right edge except inside a container that scrolls on purpose (wide tables).
import { Page, test } from "@playwright/test";
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
];

test("no page is wider than a phone's screen", async ({ page }) => {
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/p/payments-api/sprint-4-1");
  const report = await page.locator("a", { hasText: /^#\d+$/ }).first().getAttribute("href");
  for (const path of [...PAGES, report!]) {
    await page.goto(path);
    await hydrated(page);
    const [scrollWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(scrollWidth, `${path}: page width`).toBeLessThanOrEqual(innerWidth);
    expect(await overflowing(page), `${path}: elements past the right edge`).toEqual([]);
    await shot(page, `phone${path.replace(/[^a-z0-9]+/gi, "-")}`);
  }
});
