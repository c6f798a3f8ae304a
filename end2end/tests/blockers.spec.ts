import { test } from "@playwright/test";
import { expect, hydrated, login, shot, watchErrors } from "./helpers";

test("the blockers page lists every phase's blockers and filters them", async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await page.getByRole("link", { name: "Blockers", exact: true }).click();
  await expect(page).toHaveURL(/\/blockers$/);
  await expect(page.getByRole("heading", { name: "Blockers across all phases" })).toBeVisible();
  await hydrated(page);
  // Each blocker names the project and phase it holds back.
  await expect(page.locator(".blocker-meta a", { hasText: "Prompt Studio · Phase 4" }).first()).toBeVisible();
  await expect(page.locator(".blocker .chip-open").first()).toBeVisible();
  await shot(page, "blockers-all");

  await page.getByLabel("Severity").selectOption("critical");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/severity=critical/);
  // The list is replaced when the filtered one arrives: wait for it, then read it.
  await expect
    .poll(async () => [...new Set(await page.locator(".blocker-head .sev").allTextContents())])
    .toEqual(["critical"]);
  expect(errors).toEqual([]);
});

test("editors add and assign, approvers waive and reopen, on a phase's blockers", async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, "admin");
  await page.goto("/p/prompt-studio/phase-4");
  await page.getByRole("link", { name: "Manage blockers →" }).click();
  await expect(page).toHaveURL(/\/p\/prompt-studio\/phase-4\/blockers$/);
  await hydrated(page);

  // Add one by hand.
  await page.getByText("Add a blocker").click();
  const add = page.locator(".add-blocker");
  await add.getByLabel("Title").fill("Restore from backup never rehearsed");
  await add.getByLabel("Details").fill("The last drill stopped at the WAL replay.");
  // Owners are chosen from the users, "nobody" first.
  await expect(add.getByLabel("Owner").locator("option").first()).toHaveText("nobody");
  await add.getByLabel("Owner").selectOption("viewer");
  await add.getByLabel("Due date").fill("2026-12-01");
  await add.getByRole("button", { name: "Add blocker" }).click();
  await expect(page.getByRole("status")).toContainText(/Blocker #\d+ added/);
  const mine = page.locator(".blocker", { hasText: "Restore from backup never rehearsed" });
  await expect(mine).toContainText("owner: viewer");
  await expect(mine).toContainText("added by hand");
  await expect(add.getByLabel("Title")).toHaveValue("");

  // Hand it to someone else from the same menu; the current owner is chosen in it.
  await mine.getByText("Manage").click();
  await expect(mine.getByLabel("Owner")).toHaveValue("viewer");
  await mine.getByLabel("Owner").selectOption("admin");
  await mine.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toContainText("updated");
  await expect(page.locator(".blocker", { hasText: "Restore from backup never rehearsed" })).toContainText("owner: admin");

  // Waive the critical WebSocket blocker with a rationale: the verdict is no longer held by it.
  const ws = page.locator(".blocker", { hasText: "WebSocket" }).first();
  await ws.getByText("Manage").click();
  await ws.getByLabel("Rationale").fill("Chat is behind a feature flag that stays off at launch.");
  await ws.getByRole("button", { name: "Waive" }).click();
  await expect(page.getByRole("status")).toContainText("waived");
  await expect(page.locator(".blocker", { hasText: "WebSocket" })).toHaveCount(0); // default filter: open
  await page.getByLabel("Status").selectOption("waived");
  await page.getByRole("button", { name: "Filter" }).click();
  const waived = page.locator(".blocker", { hasText: "WebSocket" }).first();
  await expect(waived).toContainText("Waived by admin");
  await expect(waived).toContainText("feature flag");
  await shot(page, "blockers-phase-waived");

  // Reopen it so the rest of the suite sees the demo as it was; resolve our own.
  await waived.getByText("Manage").click();
  await waived.getByRole("button", { name: "Reopen" }).click();
  await expect(page.getByRole("status")).toContainText("reopened");
  await page.getByLabel("Status").selectOption("open");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.locator(".blocker", { hasText: "WebSocket" }).first()).toBeVisible();
  const own = page.locator(".blocker", { hasText: "Restore from backup never rehearsed" });
  await own.getByText("Manage").click();
  await own.getByRole("button", { name: "Mark resolved" }).click();
  await expect(page.getByRole("status")).toContainText("resolved");
  await expect(page.locator(".blocker", { hasText: "Restore from backup never rehearsed" })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a viewer sees blockers but no forms to change them", async ({ page }) => {
  await login(page, "viewer");
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/p/prompt-studio/phase-4/blockers");
  await expect(page.locator(".blocker").first()).toBeVisible();
  await expect(page.getByText("Add a blocker")).toHaveCount(0);
  await expect(page.getByText("Manage", { exact: true })).toHaveCount(0);
  await shot(page, "blockers-viewer");
});

test("the blockers page narrows to a project, then to one of its phases", async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/blockers?status=all");
  await hydrated(page);
  const places = () => page.locator(".blocker-meta > a").allTextContents();
  expect(new Set((await places()).map((p) => p.split(" · ")[0]))).toEqual(new Set(["Prompt Studio", "Payments API"]));

  await page.getByLabel("Project").selectOption("prompt-studio");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/project=prompt-studio/);
  await expect(page.getByLabel("Project")).toHaveValue("prompt-studio");
  await expect(page.locator(".blocker-meta > a", { hasText: "Payments API" })).toHaveCount(0);
  expect((await places()).every((p) => p.startsWith("Prompt Studio · "))).toBe(true);
  // Once a project is chosen, the phase menu offers its phases only.
  await expect(page.getByLabel("Phase").locator("option")).toHaveText([
    "all phases",
    "Prompt Studio · Phase 3 — Production hardening",
    "Prompt Studio · Phase 4 — Production deployment",
  ]);

  await page.getByLabel("Phase").selectOption("prompt-studio/phase-4");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/phase=prompt-studio%2Fphase-4/);
  await expect(page.getByLabel("Phase")).toHaveValue("prompt-studio/phase-4");
  await expect(page.locator(".blocker-meta > a", { hasText: "Phase 3" })).toHaveCount(0);
  await expect(page.locator(".blocker").first()).toBeVisible();
  expect((await places()).every((p) => p.startsWith("Prompt Studio · Phase 4"))).toBe(true);
  await expect(page.getByLabel("Project")).toHaveValue("prompt-studio");
  await shot(page, "blockers-narrowed");
  expect(errors).toEqual([]);
});
