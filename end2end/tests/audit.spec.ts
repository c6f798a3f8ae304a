import { test } from "@playwright/test";
import { expect, hydrated, login, shot } from "./helpers";

test("admins read the audit log and filter it by action", async ({ page }) => {
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  const rows = page.locator("table.audit tbody tr");
  expect(await rows.count()).toBeGreaterThan(0);
  await hydrated(page);
  await page.getByRole("combobox", { name: /^Action/ }).selectOption("report");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=report/);
  // The filtered list replaces the full one once it has arrived.
  await expect(page.locator("table.audit tbody tr td:nth-child(3)").first()).toHaveText(/^report\./);
  const actions = await page.locator("table.audit tbody tr td:nth-child(3)").allTextContents();
  expect(actions.length).toBeGreaterThan(0);
  expect(actions.every((a) => a.startsWith("report."))).toBe(true);
  await shot(page, "audit-log");
});

test("viewers are refused the audit log", async ({ page }) => {
  await login(page, "viewer");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("link", { name: "Audit log" })).toHaveCount(0);
  await page.goto("/audit");
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page.locator("table.audit")).toHaveCount(0);
});
