import { test } from "@playwright/test";
import { expect, hydrated, login, shot } from "./helpers";

test("admins read the audit log and filter it by action", async ({ page }) => {
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  const rows = page.locator("table.audit tbody tr");
  await expect(rows.first()).toBeVisible();
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

test("the audit log names what changed and keeps sign-ins apart", async ({ page }) => {
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/audit");
  await hydrated(page);
  // Changes by default: no logins among them, and the count says what is shown.
  await expect(page.getByRole("link", { name: "Changes" })).toHaveAttribute("aria-current", "page");
  await expect(page.locator(".audit-count")).toContainText(/changes/);
  const actions = page.locator("table.audit tbody tr td:nth-child(3)");
  await expect(actions.first()).toBeVisible();
  expect((await actions.allTextContents()).some((a) => a.startsWith("auth."))).toBe(false);
  // Entries name their subject: a report by number and suite, linking to it.
  const report = page.locator("table.audit tbody tr", { hasText: "report.create" }).first().locator("td.audit-what a");
  await expect(report).toHaveText(/^#\d+ · \S+/);
  const href = await report.getAttribute("href");
  expect(href).toMatch(/^\/reports\/\d+$/);
  const where = page.locator("table.audit tbody tr", { hasText: "report.create" }).first().locator("td:nth-child(5) a");
  await expect(where).toHaveText(/ · /);
  await expect(page.locator("table.audit")).not.toContainText(/\breport \d+\b/);
  await shot(page, "audit-changes");

  await page.getByRole("link", { name: "Sign-ins" }).click();
  await expect(page).toHaveURL(/kind=signins/);
  await expect(page.locator(".audit-count")).toContainText("sign-in");
  await expect(actions.first()).toHaveText(/^auth\./);
  expect((await actions.allTextContents()).every((a) => a.startsWith("auth."))).toBe(true);
  await expect(page.locator("table.audit tbody tr", { hasText: "auth.login" }).first()).toContainText("admin");
  // Sign-ins belong to no phase: no phase menu; the filters keep to sign-ins.
  await expect(page.getByRole("combobox", { name: /^Phase/ })).toHaveCount(0);
  await page.getByRole("combobox", { name: /^Action/ }).selectOption("auth.login");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/kind=signins.*action=auth.login/);
  await expect(actions.first()).toHaveText("auth.login");
  await shot(page, "audit-signins");

  await page.goto(href!);
  await expect(page.locator("h1")).toBeVisible();
});

test("viewers are refused the audit log", async ({ page }) => {
  await login(page, "viewer");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("link", { name: "Audit log" })).toHaveCount(0);
  await page.goto("/audit");
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page.locator("table.audit")).toHaveCount(0);
});
