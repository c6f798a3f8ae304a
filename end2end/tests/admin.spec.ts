import { test } from "@playwright/test";
import { expect, hydrated, login, shot } from "./helpers";

test("an admin creates a user and an API token shown once", async ({ page }) => {
  await login(page, "admin");
  await page.goto("/admin");
  await hydrated(page);
  const name = `e2e-${Date.now()}`;
  const addUser = page.locator("form", { has: page.getByRole("button", { name: "Add user" }) });
  await addUser.getByLabel("Username").fill(name);
  await addUser.getByLabel("Password").fill("a-long-password-1");
  await addUser.getByLabel("Role").selectOption("editor");
  await addUser.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByText(`User ${name} created.`)).toBeVisible();
  await expect(page.getByRole("cell", { name, exact: true })).toBeVisible();

  const addToken = page.locator("form", { has: page.getByRole("button", { name: "Create token" }) });
  await addToken.getByLabel("Name").fill("ci-e2e");
  await addToken.getByRole("button", { name: "Create token" }).click();
  const token = page.getByTestId("new-token");
  await expect(token).toHaveText(/^rbt_[0-9a-f]{64}$/);
  await expect(page.getByRole("cell", { name: "ci-e2e" }).first()).toBeVisible();
  await shot(page, "admin");
});
