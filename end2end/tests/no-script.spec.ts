// With JavaScript off (the "no-script" project): every page arrives complete from the
// server, every not-found is a 404 with one message, and every kind of form works — its
// confirmation, and its failure shown beside it with what was typed kept.
import { Page, Response, test } from "@playwright/test";
import { expect, login } from "./helpers";

/** Opens `path` and checks the answer's status. */
async function open(page: Page, path: string, status = 200): Promise<Response> {
  const resp = await page.goto(path);
  expect(resp, path).not.toBeNull();
  expect(resp!.status(), path).toBe(status);
  return resp!;
}

/** No page may fall back on a placeholder the browser would have to fill in. */
async function complete(page: Page) {
  await expect(page.locator(".loading")).toHaveCount(0);
  await expect(page.locator("header").first()).toBeVisible();
}

test.beforeEach(async ({ page }) => {
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
});

test("every page is complete in the HTML the server sends", async ({ page }) => {
  await open(page, "/");
  await complete(page);
  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: "Prompt Studio" }).first()).toBeVisible();

  await open(page, "/p/prompt-studio");
  await complete(page);
  await expect(page.locator(".phase-name")).toHaveText(["Phase 3 — Production hardening", "Phase 4 — Production deployment"]);

  await open(page, "/p/prompt-studio/phase-4");
  await complete(page);
  await expect(page.locator(".hero .verdict")).toHaveText("Evidence: NO-GO");

  await open(page, "/p/prompt-studio/phase-4/blockers");
  await complete(page);
  await expect(page.locator(".blocker-title").first()).toContainText("WebSocket");

  await open(page, "/blockers");
  await complete(page);
  await expect(page.getByRole("heading", { name: "Blockers across all phases" })).toBeVisible();
  await expect(page.locator(".blocker").first()).toBeVisible();

  await open(page, "/audit");
  await complete(page);
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await expect(page.locator("table tbody tr").first()).toBeVisible();

  await open(page, "/p/prompt-studio/phase-4/trends");
  await complete(page);
  await expect(page.getByRole("heading", { name: /^Trends · Phase 4/ })).toBeVisible();
  await expect(page.locator("section.chart, .chart").first()).toBeVisible();

  await open(page, "/p/prompt-studio/phase-4/checklist");
  await complete(page);
  await expect(page.getByRole("heading", { name: /^Checklist · Phase 4/ })).toBeVisible();

  await open(page, "/p/prompt-studio/phase-4/import");
  await complete(page);
  await expect(page.getByLabel("Paste the report")).toBeVisible();

  await open(page, "/admin");
  await complete(page);
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();

  await open(page, "/p/payments-api/sprint-4-1");
  const report = page.locator("a", { hasText: /^#\d+$/ }).first();
  await report.click();
  await expect(page).toHaveURL(/\/reports\/\d+$/);
  await complete(page);
  await expect(page.getByRole("heading", { name: "Checks" })).toBeVisible();
  await expect(page.locator("table").first()).toBeVisible();
});

test("every not-found answers 404 with one message", async ({ page }) => {
  for (const path of [
    "/no/such/page",
    "/p/no-such-project",
    "/p/prompt-studio/no-such-phase",
    "/p/prompt-studio/no-such-phase/blockers",
    "/p/prompt-studio/no-such-phase/trends",
    "/p/prompt-studio/no-such-phase/checklist",
    "/p/prompt-studio/no-such-phase/import",
    "/p/prompt-studio/phase-4/decisions/999999",
    "/reports/999999",
  ]) {
    await open(page, path, 404);
    await complete(page);
    await expect(page.getByRole("alert").or(page.getByRole("heading", { name: "Page not found" }))).toHaveCount(1);
  }
});

test("a decision: the refusal comes back beside the form with the text kept, then it is recorded", async ({ page }) => {
  await open(page, "/p/prompt-studio/phase-4");
  const form = page.locator(".decide");
  await form.getByText("Record a go/no-go decision").click();
  await form.getByLabel("GO", { exact: true }).check();
  await form.getByLabel("Rationale").fill("Shipping on Monday without JavaScript.");
  const refused = page.waitForResponse((r) => r.request().method() === "GET" && r.url().endsWith("/p/prompt-studio/phase-4"));
  await form.getByRole("button", { name: "Record decision" }).click();
  expect((await refused).status()).toBe(422);
  await expect(page).toHaveURL(/\/p\/prompt-studio\/phase-4$/);
  await expect(form.getByRole("alert")).toContainText("needs an override reason");
  await expect(form.getByRole("alert")).not.toContainText("ServerError");
  await expect(form.getByLabel("Rationale")).toHaveValue("Shipping on Monday without JavaScript.");
  await expect(form.getByLabel("GO", { exact: true })).toBeChecked();

  await form.getByLabel("NO-GO", { exact: true }).check();
  await form.getByRole("button", { name: "Record decision" }).click();
  await expect(page).toHaveURL(/\/p\/prompt-studio\/phase-4$/);
  await expect(form.getByRole("status")).toContainText(/NO-GO recorded as decision #\d+/);
  const latest = page.locator(".latest-decision");
  await expect(latest).toContainText("Shipping on Monday without JavaScript.");
  await latest.getByRole("link", { name: "decision record" }).click();
  await expect(page.getByRole("heading", { name: /Decision #\d+/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Evidence at the time" })).toBeVisible();
});

test("phase settings: a bad weight is explained and the input kept", async ({ page }) => {
  await open(page, "/p/prompt-studio/phase-3");
  const form = page.locator(".settings");
  await form.getByText("Phase settings").click();
  await form.getByLabel("Category weights").fill("Security");
  await form.getByRole("button", { name: "Save settings" }).click();
  await expect(form.getByRole("alert")).toContainText("Check the weights: `Security` is not `Category=weight`");
  await expect(form.getByLabel("Category weights")).toHaveValue("Security");
  await form.getByLabel("Category weights").fill("Security=2");
  await form.getByRole("button", { name: "Save settings" }).click();
  await expect(form.getByRole("alert")).toHaveCount(0);
  await expect(form.getByRole("status")).toBeVisible();
  await expect(form.getByLabel("Category weights")).toHaveValue("Security=2");
});

test("blockers: adding, filtering, and a refusal with what was typed kept", async ({ page }) => {
  await open(page, "/p/prompt-studio/phase-3/blockers");
  const add = page.locator(".add-blocker");
  await add.getByText("Add a blocker").click();
  await add.getByLabel("Title").fill("   ");
  await add.getByLabel("Details").fill("Typed without JavaScript.");
  await add.getByRole("button", { name: "Add blocker" }).click();
  await expect(page.getByRole("alert")).toContainText("Check the title: between 1 and 200 characters");
  await expect(add.getByLabel("Details")).toHaveValue("Typed without JavaScript.");

  await add.getByLabel("Title").fill("Restore drill never rehearsed");
  await add.getByLabel("Severity").selectOption("critical");
  await add.getByRole("button", { name: "Add blocker" }).click();
  await expect(page.getByRole("status")).toContainText(/Blocker #\d+ added/);
  await expect(page.locator(".blocker-title", { hasText: "Restore drill never rehearsed" })).toBeVisible();

  await page.getByLabel("Severity").first().selectOption("critical");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/severity=critical/);
  await expect(page.locator(".blocker .sev").first()).toHaveText("critical");

  const row = page.locator(".blocker", { hasText: "Restore drill never rehearsed" });
  await row.getByText("Manage").click();
  await row.getByLabel("Owner").selectOption("viewer");
  await row.getByLabel("Due").fill("2026-12-24");
  await row.getByRole("button", { name: "Save" }).click();
  const saved = page.locator(".blocker", { hasText: "Restore drill never rehearsed" });
  await expect(saved).toContainText("due 2026-12-24");
  await expect(saved).toContainText("owner: viewer");
});

test("checklist: an item is added, a rejection without a reason is refused, then signed", async ({ page }) => {
  await open(page, "/p/prompt-studio/phase-3/checklist");
  const add = page.locator(".add-item");
  await add.getByText("Add an item").click();
  await add.getByLabel("Title").fill("Runbook reviewed without JavaScript");
  await add.getByRole("button", { name: "Add item" }).click();
  await expect(page.getByRole("status")).toContainText("Runbook reviewed without JavaScript");
  const item = page.locator(".checklist-item", { hasText: "Runbook reviewed without JavaScript" });
  await expect(item).toBeVisible();

  await item.getByText("Sign off").click();
  await item.getByLabel("Decision").selectOption("reject");
  await item.getByRole("button", { name: "Sign" }).click();
  await expect(page.getByRole("alert")).toContainText("Check the comment: say why the item is rejected");
  await expect(item.getByLabel("Decision")).toHaveValue("reject");

  await item.getByLabel("Decision").selectOption("approve");
  await item.getByLabel("Comment").fill("Read it end to end.");
  await item.getByRole("button", { name: "Sign" }).click();
  await expect(page.getByRole("status")).toContainText("Approved.");
  await expect(page.locator(".checklist-item", { hasText: "Runbook reviewed without JavaScript" })).toContainText("Read it end to end.");
});

test("import: a report that cannot be read comes back with the pasted text, a good one is stored", async ({ page }) => {
  await open(page, "/p/payments-api/sprint-4-1/import");
  await page.getByLabel("Suite").fill("no-script-review");
  await page.getByLabel("Paste the report").fill("just some words that are no report");
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page).toHaveURL(/\/import/);
  await expect(page.getByRole("alert")).toContainText("could not tell which kind of report this is");
  await expect(page.getByRole("alert")).not.toContainText("Unrecognised report format: unrecognised");
  await expect(page.getByLabel("Paste the report")).toHaveValue("just some words that are no report");
  await expect(page.getByLabel("Suite")).toHaveValue("no-script-review");

  const markdown = [
    "# Sprint 4.1 Readiness Report",
    "",
    "| Check | Status |",
    "|---|---|",
    "| Health checks | ✅ PASS |",
    "| Rollback rehearsed | ❌ FAIL |",
  ].join("\n");
  await page.getByLabel("Paste the report").fill(markdown);
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page).toHaveURL(/\/reports\/\d+$/);
  await expect(page.getByRole("heading", { name: /no-script-review/ })).toBeVisible();
});

test("admin: a taken project slug is refused with the input kept; a token is shown once", async ({ page }) => {
  await open(page, "/admin");
  const projects = page.locator("details.create-form");
  await projects.getByLabel("Slug").fill("prompt-studio");
  await projects.getByLabel("Name").fill("Second studio");
  await projects.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByRole("alert")).toContainText("already taken");
  await expect(projects.getByLabel("Name")).toHaveValue("Second studio");

  await projects.getByLabel("Slug").fill("no-script-shop");
  await projects.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByRole("status")).toContainText("Project “Second studio” created at /p/no-script-shop.");
  await expect(page.getByRole("link", { name: "Second studio" })).toBeVisible();

  const tokens = page.locator("section", { has: page.getByRole("heading", { name: "Create a token" }) });
  await tokens.getByLabel("Name").fill("ci-no-script");
  await tokens.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("new-token")).toHaveText(/^rb/);
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
});

test("audit: the filter form works", async ({ page }) => {
  await open(page, "/audit");
  const filter = page.locator("form.filters");
  await expect(filter).toBeVisible();
  await filter.getByRole("button").first().click();
  await expect(page).toHaveURL(/\/audit\?/);
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await expect(page.locator("table tbody tr").first()).toBeVisible();
  const actions = page.locator("table.audit tbody tr td:nth-child(3)");
  expect((await actions.allTextContents()).some((a) => a.startsWith("auth."))).toBe(false);

  // Sign-ins are one link away, and the filters keep to them.
  await page.getByRole("link", { name: "Sign-ins" }).click();
  await expect(page).toHaveURL(/kind=signins/);
  await expect(page.locator(".audit-count")).toContainText("sign-in");
  expect((await actions.allTextContents()).every((a) => a.startsWith("auth."))).toBe(true);
  await filter.getByRole("combobox", { name: /^Who/ }).selectOption("admin");
  await filter.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/kind=signins.*actor=admin/);
  await expect(actions.first()).toHaveText(/^auth\./);
  expect((await actions.allTextContents()).every((a) => a.startsWith("auth."))).toBe(true);
  await page.getByRole("link", { name: "Changes" }).click();
  await expect(page).toHaveURL(/kind=changes/);
  expect((await actions.allTextContents()).some((a) => a.startsWith("auth."))).toBe(false);
});

test("blockers of every phase: narrowed to a project, then a phase", async ({ page }) => {
  await open(page, "/blockers?status=all");
  const filter = page.locator("form.filters");
  await filter.getByLabel("Project").selectOption("prompt-studio");
  await filter.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/project=prompt-studio/);
  const places = page.locator(".blocker-meta > a");
  await expect(places.first()).toBeVisible();
  expect((await places.allTextContents()).every((p) => p.startsWith("Prompt Studio · "))).toBe(true);
  await filter.getByLabel("Phase").selectOption("prompt-studio/phase-3");
  await filter.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/phase=prompt-studio%2Fphase-3/);
  await expect(places.first()).toBeVisible();
  expect((await places.allTextContents()).every((p) => p.startsWith("Prompt Studio · Phase 3"))).toBe(true);
});

test("the remaining forms: roles, token revocation, waiving and reopening, checklist tools", async ({ page }) => {
  await open(page, "/admin");
  const userRow = (name: string) => page.locator("tr", { has: page.locator("td.strong", { hasText: new RegExp(`^${name}$`) }) });
  // Refused, and said why: an admin cannot demote themself.
  await userRow("admin").getByRole("combobox").selectOption("viewer");
  await userRow("admin").getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert")).toContainText("You cannot remove your own admin role.");
  await userRow("viewer").getByRole("combobox").selectOption("editor");
  await userRow("viewer").getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").first()).toContainText("viewer is now editor");
  await userRow("viewer").getByRole("combobox").selectOption("viewer");
  await userRow("viewer").getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").first()).toContainText("viewer is now viewer");
  const revoke = page.getByRole("button", { name: "Revoke" }).first();
  if (await revoke.count()) {
    await revoke.click();
    await expect(page.getByRole("status").first()).toContainText("Token revoked.");
  }

  await open(page, "/p/prompt-studio/phase-3/blockers");
  const row = page.locator(".blocker", { hasText: "Restore drill never rehearsed" });
  await row.getByText("Manage").click();
  await row.getByLabel("Rationale").fill("Rehearsed by hand last week; the drill is booked.");
  await row.getByRole("button", { name: "Waive" }).click();
  await expect(page.getByRole("status")).toContainText("waived");
  await page.getByLabel("Status").first().selectOption("waived");
  await page.getByRole("button", { name: "Filter" }).click();
  const waived = page.locator(".blocker", { hasText: "Restore drill never rehearsed" });
  await waived.getByText("Manage").click();
  await waived.getByRole("button", { name: "Reopen" }).click();
  await expect(page.getByRole("status")).toContainText("reopened");

  await open(page, "/p/prompt-studio/phase-3/checklist");
  await page.getByRole("button", { name: "Add from template" }).click();
  await expect(page.getByRole("status")).toContainText(/Added \d+ items?/);
  const first = page.locator(".checklist-item").first();
  const title = (await first.locator(".item-title").textContent())!;
  await page.locator(".checklist-item").nth(1).getByRole("button", { name: /^Move up/ }).click();
  await expect(page.locator(".checklist-item").nth(1).locator(".item-title")).toHaveText(title);
  const moved = page.locator(".checklist-item", { hasText: title }).first();
  await moved.locator("details.delete summary").click();
  await moved.getByLabel("Yes, delete this item").check();
  await moved.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("status")).toContainText("Deleted");
});

test("logging in and out without JavaScript, wrong password first", async ({ page }) => {
  await page.context().clearCookies();
  await page.goto("/login");
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByText("You are logged out.")).toBeVisible();
});

test("a project and a phase are created without JavaScript; a missing phase's import page offers it", async ({ page }) => {
  await open(page, "/");
  await page.getByText("New project", { exact: true }).click();
  const projectForm = page.locator("details.create-form");
  await projectForm.getByLabel("Name").fill("Plain Forms Inc");
  await projectForm.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByRole("status")).toContainText("Project “Plain Forms Inc” created at /p/plain-forms-inc.");

  await open(page, "/p/plain-forms-inc");
  const phaseForm = page.locator("details.create-form");
  await phaseForm.getByLabel("Name").fill("Go-live");
  await phaseForm.getByLabel("Conditional at score ≥").fill("95");
  await phaseForm.getByRole("button", { name: "Create phase" }).click();
  // The conditional threshold may not exceed the ready one: said beside the form, input kept.
  await expect(page.getByRole("alert")).toContainText("cannot exceed the ready threshold");
  await expect(phaseForm.getByLabel("Name")).toHaveValue("Go-live");
  await expect(phaseForm.getByLabel("Conditional at score ≥")).toHaveValue("95");
  await phaseForm.getByLabel("Conditional at score ≥").fill("75");
  await phaseForm.getByRole("button", { name: "Create phase" }).click();
  await expect(page.getByRole("status")).toContainText("Phase “Go-live” created in Plain Forms Inc.");
  await expect(page.locator(".phase-name")).toHaveText(["Go-live"]);

  await open(page, "/p/plain-forms-inc/pilot/import", 404);
  await expect(page.getByRole("alert")).toHaveText("Plain Forms Inc has no phase “pilot” yet.");
  await page.locator("details.create-form").getByRole("button", { name: "Create phase" }).click();
  await expect(page.getByRole("status")).toContainText("Phase “pilot” created in Plain Forms Inc.");
  await expect(page.getByLabel("Paste the report")).toBeVisible();
});

test("retention is set without JavaScript and said on the project page", async ({ page }) => {
  await open(page, "/p/plain-forms-inc");
  await expect(page.getByTestId("retention")).toHaveText("Check details and raw files are kept forever.");
  await page.getByText("Change the retention", { exact: true }).click();
  await page.getByLabel("Keep check details and raw files for (days)").fill("45");
  await page.getByRole("button", { name: "Save retention" }).click();
  await expect(page.getByRole("status")).toContainText("older than 45 days will be pruned");
  await expect(page.getByTestId("retention")).toContainText("kept 45 days");
});

test("a webhook is added and removed without JavaScript, its events checked as sent", async ({ page }) => {
  await open(page, "/p/payments-api");
  const section = page.locator("#webhooks");
  await section.getByText("Add a webhook", { exact: true }).click();
  await section.getByLabel("URL").fill("https://hooks.example.com/plain");
  await section.getByLabel("Format").selectOption("slack");
  // Only two of the events: the repeated `events[]` fields arrive as a list.
  for (const box of await section.getByRole("checkbox").all()) await box.uncheck();
  await section.getByRole("checkbox", { name: /report\.ingested/ }).check();
  await section.getByRole("checkbox", { name: /decision\.recorded/ }).check();
  await section.getByRole("button", { name: "Add webhook" }).click();
  await expect(page.getByRole("status")).toContainText(/Webhook added.*whsec_/);
  const hook = page.locator("#webhooks .hooks li").filter({ hasText: "hooks.example.com/plain" });
  await expect(hook).toContainText("slack");
  await expect(hook).toContainText("report.ingested, decision.recorded");
  await hook.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("status")).toContainText("Webhook removed");
  await expect(page.locator("#webhooks .hooks li").filter({ hasText: "hooks.example.com/plain" })).toHaveCount(0);
});
