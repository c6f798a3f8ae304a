import { test } from "@playwright/test";
import { expect, hydrated, login, shot, watchErrors } from "./helpers";

test("an approver records a NO-GO with a frozen snapshot, and a GO against the verdict needs an override", async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/p/prompt-studio/phase-4");
  await hydrated(page);
  await expect(page.getByText("No decision recorded yet.")).toBeVisible();

  await page.getByText("Record a go/no-go decision").click();
  const form = page.locator(".decide");
  await form.getByLabel("GO", { exact: true }).check();
  await form.getByLabel("Rationale").fill("Marketing wants the launch on Monday.");
  await form.getByRole("button", { name: "Record decision" }).click();
  await expect(form.getByRole("alert")).toContainText("needs an override reason");
  // The refusal is a 422 the browser logs; it is the expected answer, not a fault.
  expect(errors.splice(0).every((e) => e.includes("status of 422"))).toBe(true);

  await form.getByLabel("NO-GO", { exact: true }).check();
  await form.getByLabel("Rationale").fill("The WebSocket error under load is a critical blocker.");
  await form.getByRole("button", { name: "Record decision" }).click();
  await expect(page.getByRole("status")).toContainText(/NO-GO recorded as decision #\d+/);
  const latest = page.locator(".latest-decision");
  await expect(latest.locator(".decision")).toHaveText("Decision: NO-GO");
  await expect(latest).toContainText("by admin");
  await expect(latest).toContainText("Nothing has changed since");
  await shot(page, "decision-on-scorecard");

  await latest.getByRole("link", { name: "decision record" }).click();
  await expect(page).toHaveURL(/\/p\/prompt-studio\/phase-4\/decisions\/\d+$/);
  await expect(page.getByRole("heading", { name: /Decision #\d+/ })).toBeVisible();
  await expect(page.getByText("The WebSocket error under load is a critical blocker.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Evidence at the time" })).toBeVisible();
  await expect(page.locator("li", { hasText: "WebSocket internal error" }).first()).toBeVisible();
  await expect(page.locator("a", { hasText: /^#\d+$/ }).first()).toBeVisible();
  await shot(page, "decision-record");
  expect(errors).toEqual([]);
});

test("a viewer sees decisions but cannot record one", async ({ page }) => {
  await login(page, "viewer");
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/p/prompt-studio/phase-4");
  await expect(page.getByRole("heading", { name: "Go/no-go decision" })).toBeVisible();
  await expect(page.getByText("Record a go/no-go decision")).toHaveCount(0);
});
