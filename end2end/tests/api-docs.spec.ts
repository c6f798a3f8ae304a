import { test } from "@playwright/test";
import { expect, login, seriousViolations, shot } from "./helpers";

// The API reference is a page the server renders from the generated OpenAPI document: no
// script, the site's stylesheet, reached from the top bar.
test("the API reference opens from the top bar and lists every operation of the document", async ({ page }) => {
  // axe-core over the whole reference (every operation with its parameters and answers)
  // takes about 30 s on a 2-core machine, beyond the default timeout.
  test.setTimeout(90_000);
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await page.getByRole("link", { name: "API", exact: true }).click();
  await expect(page).toHaveURL(/\/api\/docs$/);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();

  const doc = await (await page.request.get("/api/v1/openapi.json")).json();
  const operations: string[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(item).filter((k) => ["get", "post", "put", "delete", "patch"].includes(k))) {
      operations.push(`${method.toUpperCase()} ${path}`);
    }
  }
  expect(operations.length).toBeGreaterThan(30);
  const text = (await page.locator("main").innerText()).replace(/\s+/g, " ");
  const missing = operations.filter((op) => {
    const [method, path] = op.split(" ");
    return !text.includes(`${method} ${path}`);
  });
  expect(missing, "operations of the document missing from the page").toEqual([]);
  expect(await seriousViolations(page), "serious or critical axe violations").toEqual([]);
  await shot(page, "api-docs");
});

test("the API reference fits a phone's screen", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/api/docs");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  const [scrollWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
  await shot(page, "phone-api-docs");
});
