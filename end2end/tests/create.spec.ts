// A new team's first steps, in the browser only: create a project and a phase, import a
// report into it, record a decision — no API token, no command line.
import { test } from "@playwright/test";
import { expect, hydrated, login, shot, watchErrors } from "./helpers";

const REPORT = [
  "# Release 1 Readiness Review",
  "",
  "## Operations",
  "",
  "| Item | Status |",
  "|---|---|",
  "| Health checks | \u2705 PASS |",
  "| Backups restore-tested | \u274c FAIL |",
  "",
  "**Overall Score: 50/100**",
  "",
].join("\n");

test("project, phase, import and decision, all from the browser", async ({ page }) => {
  const errors = watchErrors(page);
  const stamp = Date.now().toString(36);
  const name = `Checkout ${stamp}`;
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);

  await page.getByText("New project", { exact: true }).click();
  const projectForm = page.locator("details.create-form");
  await projectForm.getByLabel("Name").fill(name);
  await projectForm.getByLabel("Description").fill("The new checkout flow");
  await projectForm.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByRole("status")).toContainText(`Project “${name}” created at /p/checkout-${stamp}`);
  // The form folds and empties once the project is made.
  await expect(projectForm).not.toHaveAttribute("open", /.*/);
  await expect(projectForm.getByLabel("Name")).toHaveValue("");
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/p/checkout-${stamp}$`));
  await hydrated(page);
  await expect(page.getByText("No phases yet. Create the first one below")).toBeVisible();

  // The form is open on a project without phases.
  const phaseForm = page.locator("details.create-form");
  await phaseForm.getByLabel("Name").fill("Release 1");
  await phaseForm.getByLabel("Ready at score ≥").fill("85");
  await phaseForm.getByLabel("Evidence stale after (days)").fill("7");
  await shot(page, "create-phase-form");
  await phaseForm.getByRole("button", { name: "Create phase" }).click();
  await expect(page.getByRole("status")).toContainText(`Phase “Release 1” created in ${name}.`);
  await page.locator(".phase-row", { hasText: "Release 1" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/checkout-${stamp}/release-1$`));
  await expect(page.getByText("No evidence yet.")).toBeVisible();
  await shot(page, "create-empty-phase");

  // The settings typed at creation are the phase's.
  await page.getByText("Phase settings").click();
  await expect(page.getByLabel("Ready at ≥")).toHaveValue("85");
  await expect(page.getByLabel("Stale after (days)")).toHaveValue("7");

  await page.getByRole("link", { name: "Import a report", exact: true }).click();
  await expect(page).toHaveURL(/\/release-1\/import$/);
  await page.getByLabel("Suite").fill("readiness-review");
  await page.getByLabel("Paste the report").fill(REPORT);
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page).toHaveURL(/\/reports\/\d+$/);

  await page.goto(`/p/checkout-${stamp}/release-1`);
  await hydrated(page);
  await expect(page.locator(".hero .verdict")).toBeVisible();
  await page.getByText("Record a go/no-go decision").click();
  const decide = page.locator(".decide");
  await decide.getByLabel("NO-GO", { exact: true }).check();
  await decide.getByLabel("Rationale").fill("Backups were never restore-tested.");
  await decide.getByRole("button", { name: "Record decision" }).click();
  await expect(page.getByRole("status")).toContainText(/NO-GO recorded as decision #\d+/);
  expect(errors).toEqual([]);
});

test("importing into a phase that does not exist offers to create it", async ({ page }) => {
  const stamp = Date.now().toString(36);
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);
  await page.getByText("New project", { exact: true }).click();
  await page.locator("details.create-form").getByLabel("Name").fill(`Scale ${stamp}`);
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByRole("status")).toContainText(`created at /p/scale-${stamp}`);

  const resp = await page.goto(`/p/scale-${stamp}/phase-5/import`);
  expect(resp!.status()).toBe(404);
  await hydrated(page);
  await expect(page.getByRole("alert")).toHaveText(`Scale ${stamp} has no phase “phase-5” yet.`);
  const form = page.locator("details.create-form");
  await expect(form.getByLabel("Name")).toHaveValue("phase-5");
  await form.getByLabel("Name").fill("Phase 5 — Scale-out");
  await form.getByRole("button", { name: "Create phase" }).click();
  await expect(page.getByRole("status")).toContainText(`Phase “Phase 5 — Scale-out” created in Scale ${stamp}.`);
  await expect(page.getByRole("heading", { name: "Import a report" })).toBeVisible();
  await expect(page.getByLabel("Paste the report")).toBeVisible();
  await expect(page.getByRole("link", { name: "Phase 5 — Scale-out" })).toBeVisible();
});

test("a viewer is told who creates projects and phases, and gets no forms", async ({ page }) => {
  await login(page, "viewer");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText("New project", { exact: true })).toHaveCount(0);
  await page.goto("/p/prompt-studio");
  await expect(page.locator("details.create-form")).toHaveCount(0);
  const resp = await page.goto("/p/prompt-studio/phase-9/import");
  expect(resp!.status()).toBe(404);
  await expect(page.getByText("An editor can create it")).toBeVisible();
  await expect(page.locator("details.create-form")).toHaveCount(0);
});

test("an editor creates a phase; a taken slug is refused beside the form with the input kept", async ({ page }) => {
  await login(page, "editor");
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/p/prompt-studio");
  await hydrated(page);
  await page.getByText("New phase", { exact: true }).click();
  const form = page.locator("details.create-form");
  await form.getByLabel("Name").fill("Another phase 4");
  await form.getByLabel("Slug (in addresses)").fill("phase-4");
  await form.getByRole("button", { name: "Create phase" }).click();
  await expect(page.getByRole("alert")).toContainText("That phase is already taken.");
  await expect(form.getByLabel("Name")).toHaveValue("Another phase 4");
});

test("an admin sets how long a project keeps check details; a viewer reads it", async ({ page }) => {
  const stamp = Date.now().toString(36);
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);
  await page.getByText("New project", { exact: true }).click();
  await page.locator("details.create-form").getByLabel("Name").fill(`Kept ${stamp}`);
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByRole("status")).toContainText(`created at /p/kept-${stamp}`);
  await page.goto(`/p/kept-${stamp}`);
  await hydrated(page);
  await expect(page.getByTestId("retention")).toHaveText("Check details and raw files are kept forever.");
  await page.getByText("Change the retention", { exact: true }).click();
  const days = page.getByLabel("Keep check details and raw files for (days)");
  await days.fill("90");
  await page.getByRole("button", { name: "Save retention" }).click();
  await expect(page.getByRole("status")).toContainText("older than 90 days will be pruned");
  await expect(page.getByTestId("retention")).toContainText("kept 90 days");
  await expect(page.locator("details", { hasText: "Change the retention" })).not.toHaveAttribute("open", /.*/);
  await shot(page, "project-retention");

  await page.context().clearCookies();
  await login(page, "viewer");
  await page.goto(`/p/kept-${stamp}`);
  await expect(page.getByTestId("retention")).toContainText("kept 90 days");
  await expect(page.getByText("Save retention")).toHaveCount(0);
});
