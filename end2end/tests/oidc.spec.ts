// Company sign-in through a real OpenID Connect provider (end2end/oidc/provider.mjs, started
// by scripts/test.sh with an instance of readyboard of its own): groups become roles, people
// outside every mapped group are refused, a cancelled or replayed sign-in says so, and the
// whole round trip works without JavaScript too. Local accounts keep working beside it.
import { Page, test } from "@playwright/test";
import { expect, hydrated, login, seriousViolations, shot } from "./helpers";

const OIDC_URL = process.env.READYBOARD_E2E_OIDC_URL;

test.skip(!OIDC_URL, "READYBOARD_E2E_OIDC_URL is not set: scripts/test.sh starts the provider and this instance");
test.use({ baseURL: OIDC_URL });

/** From the readyboard login page through the provider's login and consent pages. */
async function signInAtProvider(page: Page, login: string, consent: "Continue" | "Cancel" = "Continue") {
  await page.getByRole("link", { name: "Sign in with Test IdP" }).click();
  await expect(page).toHaveTitle("Sign-in");
  await page.getByLabel("Login").fill(login);
  await page.getByLabel("Password").fill("anything at all");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await expect(page).toHaveTitle("Authorize");
  await page.getByRole("button", { name: consent }).click();
}

test("an editor by group signs in through the provider and lands where they were going", async ({ page }) => {
  // The provider's own pages are not ours to judge: failures of readyboard's responses only.
  const failures: string[] = [];
  page.on("response", (r) => {
    if (r.url().startsWith(OIDC_URL!) && r.status() >= 400) failures.push(`${r.status()} ${r.url()}`);
  });
  page.on("pageerror", (e) => failures.push(e.message));
  await page.goto("/blockers");
  await expect(page).toHaveURL(/\/login\?next=(%2F|\/)blockers$/);
  await expect(page.getByRole("link", { name: "Sign in with Test IdP" })).toBeVisible();
  await shot(page, "oidc-login");
  expect(await seriousViolations(page)).toEqual([]);
  await signInAtProvider(page, "grace");
  await expect(page).toHaveURL(/\/blockers$/);
  await hydrated(page);
  await expect(page.locator(".who-name")).toHaveText("grace");
  // grace is in readyboard-editors and staff: the higher role wins.
  await expect(page.locator(".role-chip")).toHaveText("editor");
  expect(failures).toEqual([]);
});

test("an admin by group gets the admin pages, and sees how the accounts were made", async ({ page }) => {
  await page.goto("/login");
  await signInAtProvider(page, "ada");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator(".role-chip")).toHaveText("admin");
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Admin", level: 1 })).toBeVisible();
  const ada = page.getByRole("row").filter({ has: page.getByRole("button", { name: "Disable ada", exact: true }) });
  await expect(ada.getByRole("combobox")).toHaveValue("admin");
  await expect(ada).toContainText("company sign-in");
  await expect(page.getByText(/get their role from the provider's groups at each sign-in/)).toBeVisible();
  await shot(page, "oidc-admin");
  await page.goto("/audit");
  await expect(page.locator("td", { hasText: /sign-in through http:\/\/127\.0\.0\.1:\d+/ }).first()).toBeVisible();
});

test("a person in no mapped group is refused with a reason", async ({ page }) => {
  await page.goto("/login");
  await signInAtProvider(page, "mallory");
  await expect(page).toHaveURL(/\/login\?error=sso-no-role/);
  await expect(page.getByRole("alert")).toHaveText(/not in a group allowed to use readyboard/);
  // Still not signed in.
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});

test("cancelling at the provider, or replaying the callback, signs nobody in", async ({ page }) => {
  await page.goto("/login");
  await signInAtProvider(page, "linus", "Cancel");
  await expect(page.getByRole("alert")).toHaveText(/cancelled at your company's sign-in page/);

  // A successful sign-in's callback URL works once: replayed, it is refused.
  const callback = page.waitForRequest((r) => r.url().includes("/auth/oidc/callback"));
  await page.getByRole("link", { name: "Sign in with Test IdP" }).click();
  // The provider remembers linus: no login page this time, only the consent.
  await expect(page).toHaveTitle("Authorize");
  await page.getByRole("button", { name: "Continue" }).click();
  const used = (await callback).url();
  await expect(page.locator(".role-chip")).toHaveText("viewer");
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login\?bye=1$/);
  await page.goto(used);
  await expect(page).toHaveURL(/\/login\?error=sso-expired/);
  await expect(page.getByRole("alert")).toHaveText(/took too long or was already used/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});

test("local accounts still log in beside the provider", async ({ page }) => {
  await login(page, "admin");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator(".who-name")).toHaveText("admin");
});

test("the round trip works without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: OIDC_URL, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/login");
  await signInAtProvider(page, "grace");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator(".who-name")).toHaveText("grace");
  await context.close();
});

test("an admin disables a company account: the provider's word does not let it back in", async ({ browser }) => {
  const admin = await browser.newContext({ baseURL: OIDC_URL });
  const adminPage = await admin.newPage();
  await adminPage.goto("/login");
  await signInAtProvider(adminPage, "ada");
  await adminPage.goto("/admin");
  await hydrated(adminPage);
  const access = (verb: string) => adminPage.getByRole("button", { name: `${verb} grace`, exact: true });
  await access("Disable").click();
  await expect(adminPage.getByText("grace is disabled: their sessions and tokens stop working now.")).toBeVisible();
  await expect(access("Enable")).toBeVisible();
  await shot(adminPage, "oidc-admin-disabled");

  const grace = await browser.newContext({ baseURL: OIDC_URL });
  const gracePage = await grace.newPage();
  await gracePage.goto("/login");
  await signInAtProvider(gracePage, "grace");
  await expect(gracePage).toHaveURL(/\/login\?error=disabled/);
  await expect(gracePage.getByRole("alert")).toHaveText(/This account is disabled/);

  await access("Enable").click();
  await expect(adminPage.getByText("grace can sign in again.")).toBeVisible();
  await gracePage.getByRole("link", { name: "Sign in with Test IdP" }).click();
  // The provider remembers grace: straight back, signed in.
  await expect(gracePage.locator(".who-name")).toHaveText("grace");
  await admin.close();
  await grace.close();
});
