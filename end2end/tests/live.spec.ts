import { Browser, Page, test } from "@playwright/test";
import { expect, hydrated, login, shot, watchErrors } from "./helpers";

// Live pages: an upload shows on an open scorecard without a reload. scripts/test.sh passes a
// CI token of prompt-studio for the server under test, and — when PostgreSQL is reachable —
// the addresses of two more servers sharing one PostgreSQL database, with a token there.
const CI_TOKEN = process.env.READYBOARD_E2E_CI_TOKEN ?? "";
const PG_A = process.env.READYBOARD_E2E_PG_A ?? "";
const PG_B = process.env.READYBOARD_E2E_PG_B ?? "";
const PG_TOKEN = process.env.READYBOARD_E2E_PG_TOKEN ?? "";
const SCORECARD = "/p/prompt-studio/phase-4";

/** Uploads a JUnit report of `cases` passing cases of suite `suite` to prompt-studio / phase-4
 * on `base` (passing only, so that the phase's verdict, blockers and reasons the other specs
 * look at stay as they are). */
async function upload(base: string, token: string, suite: string, cases = 1): Promise<number> {
  const passing = Array.from({ length: cases }, (_, i) => `<testcase classname="live" name="arrives ${i}"/>`);
  const body = `<testsuite name="${suite}" tests="${cases}">${passing.join("")}</testsuite>`;
  const query = `project=prompt-studio&phase=phase-4&suite=${suite}`;
  const r = await fetch(`${base}/api/v1/reports?${query}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/xml" },
    body,
  });
  expect(r.status, await r.clone().text()).toBe(201);
  return (await r.json()).id;
}

/** Opens the scorecard on `page` and waits until its event stream is open. */
async function openLive(page: Page) {
  const stream = page.waitForResponse((r) => r.url().includes("/api/v1/events?project=prompt-studio&phase=phase-4"));
  await page.goto(SCORECARD);
  await hydrated(page);
  const r = await stream;
  expect(r.status()).toBe(200);
  expect(r.headers()["content-type"]).toBe("text/event-stream");
  // The header says the page is live.
  await expect(page.locator(".live-status.live-on")).toHaveAttribute("title", /updates by itself/);
  // A reload would lose this.
  await page.evaluate(() => ((window as any).__notReloaded = true));
}

/** Asserts the page shows report `id` within two seconds, without having reloaded. */
async function showsWithinTwoSeconds(page: Page, id: number) {
  await expect(page.locator(`a[href="/reports/${id}"]`).first()).toBeVisible({ timeout: 2_000 });
  expect(await page.evaluate(() => (window as any).__notReloaded)).toBe(true);
}

test("an upload shows on an open scorecard within two seconds, without a reload", async ({ page }) => {
  expect(CI_TOKEN, "scripts/test.sh passes a CI token").not.toBe("");
  const errors = watchErrors(page);
  await login(page, "viewer");
  await openLive(page);
  await shot(page, "live-before");
  const base = new URL(page.url()).origin;
  const id = await upload(base, CI_TOKEN, `live-${Date.now()}`);
  await showsWithinTwoSeconds(page, id);
  await shot(page, "live-after");
  expect(errors).toEqual([]);
});

test("a page that goes elsewhere follows what the new page shows", async ({ page }) => {
  expect(CI_TOKEN, "scripts/test.sh passes a CI token").not.toBe("");
  await login(page, "viewer");
  await openLive(page);
  // Off to the overview: the stream there follows every project.
  const overview = page.waitForResponse((r) => /\/api\/v1\/events$/.test(r.url()));
  await page.locator("a.brand").click();
  expect((await overview).status()).toBe(200);
  await expect(page.locator(".live-status.live-on")).toBeVisible();
  // A reload would lose this.
  await page.evaluate(() => ((window as any).__notReloaded = true));
  const card = page.locator("article.project-card", { has: page.getByRole("link", { name: "Prompt Studio" }) });
  const before = await card.innerText();
  expect(before).toContain("Phase 4");
  const base = new URL(page.url()).origin;
  await upload(base, CI_TOKEN, `overview-${Date.now()}`, 12);
  // The card's phase scores move with the new passes.
  await expect.poll(() => card.innerText(), { timeout: 2_000 }).not.toBe(before);
  expect(await page.evaluate(() => (window as any).__notReloaded)).toBe(true);
});

async function pagesOn(browser: Browser, base: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: base });
  return context.newPage();
}

test("two instances on one PostgreSQL: an upload through one moves a page served by the other", async ({ browser }) => {
  test.skip(!PG_A || !PG_B, "SKIPPED: PostgreSQL was not reachable, so scripts/test.sh started no second instance");
  const page = await pagesOn(browser, PG_B);
  await login(page, "viewer");
  await openLive(page);
  const id = await upload(PG_A, PG_TOKEN, `other-instance-${Date.now()}`);
  await showsWithinTwoSeconds(page, id);
  await shot(page, "live-two-instances");
});

test("a live update waits while a form is being filled in, and follows once it is folded away as it was", async ({ page }) => {
  expect(CI_TOKEN, "scripts/test.sh passes a CI token").not.toBe("");
  await login(page, "admin");
  await openLive(page);
  await page.getByText("Phase settings").click();
  const weights = page.getByLabel("Category weights");
  const given = await weights.inputValue();
  await weights.fill("Security=3");
  const received = () => page.evaluate(() => Number(document.documentElement.dataset.liveReceived ?? "0"));
  const before = await received();
  const base = new URL(page.url()).origin;
  const id = await upload(base, CI_TOKEN, `while-typing-${Date.now()}`);
  // The server told the page, but the page keeps what was typed and waits.
  await expect.poll(received, { timeout: 2_000 }).toBeGreaterThan(before);
  await expect(weights).toHaveValue("Security=3");
  await expect(page.locator(`a[href="/reports/${id}"]`)).toHaveCount(0);
  // Put back as it was and folded away: the update follows within a couple of seconds.
  await weights.fill(given);
  await page.getByText("Phase settings").click();
  await expect(page.locator(`a[href="/reports/${id}"]`).first()).toBeVisible({ timeout: 3_000 });
  expect(await page.evaluate(() => (window as any).__notReloaded)).toBe(true);
});
