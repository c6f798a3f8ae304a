// Accessibility: axe-core finds no serious or critical violation on any page, at desktop width.
import { Page, test } from "@playwright/test";
import { expect, hydrated, login, seriousViolations } from "./helpers";

test.use({ viewport: { width: 1366, height: 900 } });

/** Opens `path` once hydrated and expects axe to find nothing serious or critical there. */
async function expectAccessible(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
  expect(await seriousViolations(page), `${path}: serious or critical axe violations`).toEqual([]);
}

/** The newest report of the demo's payments phase. */
async function reportPath(page: Page): Promise<string> {
  await page.goto("/p/payments-api/sprint-4-1");
  const href = await page.locator("a", { hasText: /^#\d+$/ }).first().getAttribute("href");
  expect(href).toMatch(/^\/reports\/\d+$/);
  return href!;
}

/** A recorded decision of phase 3 (recorded here when there is none yet). */
async function decisionPath(page: Page): Promise<string> {
  const phase = "/p/prompt-studio/phase-3";
  const list = await page.request.get(`/api/v1/projects/prompt-studio/phases/phase-3/decisions`);
  expect(list.ok()).toBe(true);
  const body = await list.json();
  const decisions: { id: number }[] = body.items;
  if (decisions.length > 0) return `${phase}/decisions/${decisions[0].id}`;
  await page.goto(phase);
  await hydrated(page);
  await page.getByText("Record a go/no-go decision").click();
  const form = page.locator(".decide");
  await form.getByLabel("NO-GO", { exact: true }).check();
  await form.getByLabel("Rationale").fill("The backup restore has not been tried yet.");
  await form.getByRole("button", { name: "Record decision" }).click();
  await expect(page.getByRole("status")).toContainText(/recorded as decision #\d+/);
  const href = await page.locator(".latest-decision").getByRole("link", { name: "decision record" }).getAttribute("href");
  return href!;
}

test("the login page has no serious or critical accessibility violation", async ({ page }) => {
  await expectAccessible(page, "/login");
});

const PAGES = [
  "/",
  "/p/prompt-studio",
  "/p/prompt-studio/phase-4",
  "/p/prompt-studio/phase-4/trends",
  "/p/payments-api/sprint-4-1/trends",
  "/p/prompt-studio/phase-4/checklist",
  "/p/prompt-studio/phase-4/blockers",
  "/blockers",
  "/p/prompt-studio/phase-4/import",
  "/audit",
  "/admin",
  "/account/tokens",
];

for (const path of PAGES) {
  test(`${path} has no serious or critical accessibility violation`, async ({ page }) => {
    await login(page, "admin");
    await expect(page).toHaveURL(/\/$/);
    await expectAccessible(page, path);
  });
}

test("the access tokens page with a new token listed has no serious or critical accessibility violation", async ({ page }) => {
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/account/tokens");
  await hydrated(page);
  await page.getByLabel("Name").fill(`a11y-${Date.now()}`);
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("new-token")).toBeVisible();
  await expect(page.locator("tbody tr").first()).toBeVisible();
  expect(await seriousViolations(page), "/account/tokens with a token: serious or critical axe violations").toEqual([]);
});

test("a report has no serious or critical accessibility violation", async ({ page }) => {
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await expectAccessible(page, await reportPath(page));
});

test("a decision record has no serious or critical accessibility violation", async ({ page }) => {
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await expectAccessible(page, await decisionPath(page));
});

test("in dark mode the pages with the most colour have no serious or critical violation", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  for (const path of ["/", "/p/prompt-studio/phase-4", "/p/payments-api/sprint-4-1/trends", await reportPath(page)]) {
    await expectAccessible(page, path);
  }
});
