import { test } from "@playwright/test";
import { expect, hydrated, login, shot, watchErrors } from "./helpers";

test("anonymous visitors are sent to the login page", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=%2F|\/login\?next=\//);
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await shot(page, "login");
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await login(page, "admin", "not-the-password");
  await expect(page).toHaveURL(/\/login\?error=1/);
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");
});

test("an admin logs in, sees every project, and logs out", async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Projects" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Prompt Studio" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Payments API" })).toBeVisible();
  await expect(page.locator(".project-card .verdict").first()).toBeVisible();
  await expect(page.getByRole("link", { name: "Admin" })).toBeVisible();
  await shot(page, "overview");

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login\?bye=1/);
  await expect(page.getByText("You are logged out.")).toBeVisible();
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  expect(errors).toEqual([]);
});

test("a viewer is denied the admin page", async ({ page }) => {
  await login(page, "viewer");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
  const resp = await page.goto("/admin");
  expect(resp?.status()).toBe(403);
  await expect(page.getByRole("alert")).toContainText("needs the admin role");
  await expect(page.getByRole("heading", { name: "Users" })).toHaveCount(0);
  await shot(page, "viewer-denied-admin");
  await page.goto("/p/prompt-studio/phase-3");
  await expect(page.locator(".hero .verdict")).toBeVisible();
  await expect(page.getByText("Phase settings")).toHaveCount(0);
});
