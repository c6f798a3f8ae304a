import { test } from "@playwright/test";
import { expect, hydrated, login, shot, watchErrors } from "./helpers";

// Webhooks on the project page: an admin registers an endpoint, an upload queues a delivery
// that the server sends at once, and what came of it is listed with a "Redeliver" button.
// The endpoint here is the server's own /healthz, which refuses a POST with 405: a real
// answer from a real HTTP server, and a failure to retry.
const CI_TOKEN = process.env.READYBOARD_E2E_CI_TOKEN ?? "";

test("an admin adds a webhook, sees its failed delivery and sends it again", async ({ page }) => {
  expect(CI_TOKEN, "scripts/test.sh passes a CI token").not.toBe("");
  const errors = watchErrors(page);
  await login(page, "admin");
  await page.goto("/p/prompt-studio");
  await hydrated(page);
  const section = page.locator("#webhooks");
  await expect(section.getByRole("heading", { name: "Webhooks" })).toBeVisible();
  await section.getByText("Add a webhook").click();
  const origin = new URL(page.url()).origin;
  await section.getByLabel("URL").fill(`${origin}/healthz`);
  await section.getByLabel("Format").selectOption("json");
  await expect(section.getByRole("checkbox", { name: /report\.ingested/ })).toBeChecked();
  await section.getByRole("button", { name: "Add webhook" }).click();
  await expect(section.locator(".alert-ok")).toContainText(/signing secret.*whsec_/);
  await expect(section.locator(".hooks li").filter({ hasText: "/healthz" })).toBeVisible();

  // A report arrives: a delivery is queued and sent; /healthz answers 405.
  const suite = `hooked-${Date.now()}`;
  const r = await fetch(`${origin}/api/v1/reports?project=prompt-studio&phase=phase-4&suite=${suite}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${CI_TOKEN}`, "Content-Type": "application/xml" },
    body: `<testsuite name="${suite}" tests="1"><testcase classname="hook" name="sent"/></testsuite>`,
  });
  expect(r.status).toBe(201);
  const row = section.locator("table.deliveries tbody tr").filter({ hasText: "report.ingested" }).first();
  await expect(async () => {
    await page.reload();
    await expect(row).toContainText("HTTP 405", { timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expect(row).toContainText(/pending · next try in \d+ seconds/);
  await expect(row.locator("td.num")).toHaveText("1");
  await shot(page, "webhooks");

  // Sent again now: a second attempt, answered the same way.
  await hydrated(page);
  await row.getByRole("button", { name: "Redeliver" }).click();
  await expect(section.locator(".alert-ok").last()).toContainText("will be sent again");
  await expect(async () => {
    await page.reload();
    await expect(row.locator("td.num")).toHaveText("2", { timeout: 500 });
  }).toPass({ timeout: 15_000 });

  // Removed, with its deliveries.
  await section.locator(".hooks li").filter({ hasText: "/healthz" }).getByRole("button", { name: "Remove" }).click();
  await expect(section.getByText("Webhook removed")).toBeVisible();
  await expect(section.locator(".hooks li").filter({ hasText: "/healthz" })).toHaveCount(0);
  expect(errors.filter((e) => !e.includes("405"))).toEqual([]);
});
