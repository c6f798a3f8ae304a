import { Page, test } from "@playwright/test";
import { expect, hydrated, login, seriousViolations, shot, watchErrors } from "./helpers";

const PHASE = "/p/payments-api/sprint-4-1";

/** A load report for the linked suite with the given p95 latency (target: under 100 ms). */
function loadReport(p95: number, run: number): string {
  return JSON.stringify({
    schema: "readyboard/v1",
    project: "payments-api",
    phase: "sprint-4-1",
    suite: "load-50-workers",
    kind: "load",
    run: { id: `review-${run}` },
    checks: [{ id: "smoke", name: "smoke", status: "pass" }],
    metrics: [{ name: "http_req_duration_p95", value: p95, unit: "ms", target: { op: "<", value: 100 } }],
  });
}

async function importReport(page: Page, body: string) {
  await page.goto(`${PHASE}/import`);
  await page.getByLabel("Suite").fill("load-50-workers");
  await page.getByLabel("Paste the report").fill(body);
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page).toHaveURL(/\/reports\/\d+$/);
}

async function decide(page: Page, kind: "GO" | "NO-GO", rationale: string, override = "") {
  await page.goto(PHASE);
  await hydrated(page);
  await page.getByText("Record a go/no-go decision").click();
  const form = page.locator(".decide");
  await form.getByLabel(kind, { exact: true }).check();
  await form.getByLabel("Rationale").fill(rationale);
  if (override) await form.getByLabel(/Override reason/).fill(override);
  await form.getByRole("button", { name: "Record decision" }).click();
  await expect(page.getByRole("status")).toContainText(`${kind} recorded as decision`);
}

test("a release manager runs the whole review: template, evidence, sign-off, NO-GO, fix, re-sign, GO", async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await page.goto(PHASE);
  await page.getByRole("link", { name: "Checklist and sign-off →" }).click();
  await expect(page).toHaveURL(new RegExp(`${PHASE}/checklist$`));
  await hydrated(page);

  // 1. Start from the built-in template.
  await page.getByRole("combobox", { name: /^Template/ }).selectOption("Production readiness");
  await page.getByRole("button", { name: "Add from template" }).click();
  await expect(page.getByRole("status")).toContainText("Added 17 items");
  await expect(page.locator("li.checklist-item")).toHaveCount(17);
  await expect(page.getByText("0 of 16 required items done and signed off.")).toBeVisible();

  // 2. Link "Load test" to the p95 latency of the load suite and mark it done.
  const item = page.locator("li.checklist-item", { has: page.getByRole("heading", { name: "Load test", exact: true }) });
  await item.getByText("Edit", { exact: true }).click();
  await item.getByLabel("Evidence suite").selectOption("load-50-workers");
  // The field offers the names of the phase's checks and metrics; one the suite lacks is
  // refused beside the item, with the edit form still open as typed.
  await expect(page.locator("datalist#evidence-names option[value='http_req_duration_p95']")).toHaveCount(1);
  await item.getByLabel("Check or metric (optional)").fill("http_req_duration_p96");
  await item.getByLabel("Owner").selectOption("admin");
  await item.getByLabel("Status").selectOption("done");
  await item.getByRole("button", { name: "Save", exact: true }).click();
  await expect(item.getByRole("alert")).toContainText("has no check or metric named `http_req_duration_p96`");
  expect(errors.splice(0).every((e) => e.includes("status of 422"))).toBe(true);
  await expect(item.getByLabel("Status")).toHaveValue("done");
  await item.getByLabel("Check or metric (optional)").fill("http_req_duration_p95");
  await item.getByRole("button", { name: "Save", exact: true }).click();
  // The confirmation is beside the item, and its edit form has closed.
  await expect(item.getByRole("status")).toContainText("Saved “Load test”");
  await expect(item.locator("details.edit")).not.toHaveAttribute("open", /.*/);
  await expect(item.locator(".chip", { hasText: "passing: load-50-workers › http_req_duration_p95" })).toBeVisible();

  // 3. Sign it off.
  await item.getByText("Sign off", { exact: true }).click();
  await item.getByLabel("Comment").fill("p95 68.7 ms at 50 workers.");
  await item.getByRole("button", { name: "Sign", exact: true }).click();
  await expect(item.locator(".chip", { hasText: "signed off" })).toBeVisible();
  await expect(item.locator(".signoffs")).toContainText("Approved by admin");
  await expect(page.getByText("1 of 16 required items done and signed off.")).toBeVisible();
  await shot(page, "checklist-signed");

  // 4. A failing load report arrives: the sign-off lapses.
  await importReport(page, loadReport(140, 1));
  await page.goto(`${PHASE}/checklist`);
  await expect(item.locator(".chip", { hasText: "failing: load-50-workers" })).toBeVisible();
  await expect(item.locator(".chip", { hasText: "needs re-sign" })).toBeVisible();
  await expect(item.locator(".signoffs li.lapsed")).toHaveCount(1);
  await shot(page, "checklist-needs-resign");

  // 5. NO-GO.
  await decide(page, "NO-GO", "p95 latency is back over 100 ms under load.");

  // 6. The fix lands; the approver re-signs.
  await importReport(page, loadReport(82, 2));
  await page.goto(`${PHASE}/checklist`);
  await hydrated(page);
  await expect(item.locator(".chip", { hasText: "passing: load-50-workers" })).toBeVisible();
  await item.getByText("Sign off", { exact: true }).click();
  await item.getByLabel("Comment").fill("Fixed: p95 82 ms.");
  await item.getByRole("button", { name: "Sign", exact: true }).click();
  await expect(item.locator(".chip", { hasText: "signed off" })).toBeVisible();

  // 7. GO, recorded as an override while other required items are open.
  await decide(page, "GO", "Latency fixed and load test signed off again.", "Remaining items are tracked in the launch plan.");
  const latest = page.locator(".latest-decision");
  await expect(latest.locator(".decision")).toHaveText("Decision: GO");
  await expect(latest.getByText("override")).toBeVisible();
  await shot(page, "checklist-review-go");

  // 8. The record and the readiness report download as Markdown with the figures behind them.
  await latest.getByRole("link", { name: "decision record" }).click();
  const link = page.getByRole("link", { name: "Download this record as Markdown" });
  const record = await page.request.get((await link.getAttribute("href"))!);
  expect(record.headers()["content-type"]).toContain("text/markdown");
  const md = await record.text();
  expect(md).toMatch(/^# Decision #\d+ — Decision: GO \(override\) — Sprint 4\.1/);
  expect(md).toContain("## Override");
  expect(md).toMatch(/- Load test — done, required, signed by admin/);
  const report = await page.request.get("/api/v1/projects/payments-api/phases/sprint-4-1/export.md");
  const text = await report.text();
  expect(text).toContain("## Checklist (1 of 16 required items done and signed off)");
  expect(text).toMatch(/\| Load test \| done \| yes \| admin \| passing: load-50-workers › http_req_duration_p95 \| approved by admin/);
  expect(text).toMatch(/\*\*#\d+ Decision: GO \(override\)\*\* by admin /);
  // The checklist in full (items, evidence, sign-offs) is as accessible as the empty one.
  await page.goto(`${PHASE}/checklist`);
  await hydrated(page);
  expect(await seriousViolations(page), "serious or critical axe violations").toEqual([]);
  expect(errors).toEqual([]);
});

test("a viewer reads the checklist but gets no editing or sign-off controls", async ({ page }) => {
  await login(page, "viewer");
  await expect(page).toHaveURL(/\/$/);
  await page.goto(`${PHASE}/checklist`);
  await expect(page.getByRole("heading", { name: /^Checklist · / })).toBeVisible();
  await expect(page.getByRole("button", { name: "Add from template" })).toHaveCount(0);
  await expect(page.getByText("Sign off", { exact: true })).toHaveCount(0);
  await expect(page.getByText("Edit", { exact: true })).toHaveCount(0);
});
