import { test } from "@playwright/test";
import { expect, login, shot } from "./helpers";

// A hand-written report as teams send it, including a line whose UTF-8 was read as
// Windows-1252 on the way ("âœ…" is a mangled ✅).
const REPORT = [
  "# Phase 3 Hardening Review",
  "",
  "**Date:** 2026-11-18",
  "",
  "## Operations",
  "",
  "| Item | Status |",
  "|---|---|",
  "| Health checks | \u2705 PASS |",
  "| Structured logging | \u00e2\u0153\u2026 PASS |",
  "| Backups restore-tested | \u274c FAIL |",
  "",
  "## Security",
  "",
  "- \u2705 TLS 1.3 everywhere",
  "- \u274c Rate limiting on login",
  "",
  "**Overall Score: 88/100**",
  "",
].join("\n");

test("an editor imports a pasted Markdown report and lands on it", async ({ page }) => {
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/p/prompt-studio/phase-3");
  await page.getByRole("link", { name: "Import a report →" }).click();
  await expect(page).toHaveURL(/\/p\/prompt-studio\/phase-3\/import$/);
  await page.getByLabel("Suite").fill("hardening-review");
  await page.getByLabel("Paste the report").fill(REPORT);
  await shot(page, "import-form");
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page).toHaveURL(/\/reports\/\d+$/);
  await expect(page.getByText("hardening-review").first()).toBeVisible();
  await expect(page.locator(".check", { hasText: "Backups restore-tested" })).toBeVisible();
  await expect(page.locator(".check", { hasText: "Structured logging" }).locator(".status")).toHaveText("pass");
  // The report's sections become categories, summed up in their own table.
  const cats = page.locator("table.categories tbody tr");
  await expect(cats).toHaveCount(2);
  await expect(cats.nth(0)).toContainText("Operations");
  await expect(cats.nth(1)).toContainText("Security");
  await shot(page, "import-result");
});

test("an unreadable paste comes back with the reason", async ({ page }) => {
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/p/prompt-studio/phase-3/import");
  await page.getByLabel("Paste the report").fill("just a sentence, not a report");
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page).toHaveURL(/\/import\?error=/);
  await expect(page.getByRole("alert")).toContainText(/format/i);
});
