// Personal access tokens: a person makes one on their own page, it acts as them (with their
// role) on the REST API, and once revoked it is refused. Also without JavaScript.
import { APIRequestContext, Page, test } from "@playwright/test";
import { expect, hydrated, login, shot, watchErrors } from "./helpers";

const BLOCKERS = "/api/v1/projects/prompt-studio/phases/phase-4/blockers";

/** Adds a low blocker through the REST API with `token`; the answer's status. */
async function addBlocker(request: APIRequestContext, token: string, title: string): Promise<number> {
  const resp = await request.post(BLOCKERS, {
    headers: { Authorization: `Bearer ${token}` },
    data: { severity: "low", title },
  });
  return resp.status();
}

/** Creates a token named `name` with the page's form; returns the token shown once. */
async function createToken(page: Page, name: string): Promise<string> {
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByTestId("new-token");
  await expect(shown).toHaveText(/^rbp_[0-9a-f]{64}$/);
  return (await shown.textContent())!;
}

/** The row of the token named `name`. */
function row(page: Page, name: string) {
  return page.locator("tbody tr", { hasText: name });
}

test("a person creates a token, uses it with their role, and revokes it", async ({ page, browser }) => {
  const errors = watchErrors(page);
  await login(page, "editor");
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);
  await page.getByRole("link", { name: "Access tokens" }).click();
  await expect(page).toHaveURL(/\/account\/tokens$/);
  await expect(page.getByRole("heading", { name: "Your access tokens", level: 1 })).toBeVisible();
  await expect(page.getByText(/use the REST API as you, with your role/)).toBeVisible();

  const name = `e2e-editor-${Date.now()}`;
  const token = await createToken(page, name);
  await expect(row(page, name)).toContainText(`${token.slice(0, 12)}…`);
  await expect(row(page, name)).toContainText("active");
  await expect(page.locator("pre.snippet")).toContainText("/api/v1/projects/PROJECT/phases/PHASE/decisions");
  await shot(page, "personal-tokens");

  // The editor's token may add a blocker; a viewer's, acting as the viewer, may not.
  expect(await addBlocker(page.request, token, `Added with ${name}`)).toBe(201);
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await login(viewer, "viewer");
  await expect(viewer).toHaveURL(/\/$/);
  await viewer.goto("/account/tokens");
  await hydrated(viewer);
  const viewerToken = await createToken(viewer, `e2e-viewer-${Date.now()}`);
  expect(await addBlocker(viewer.request, viewerToken, "Added by a viewer's token")).toBe(403);
  // A person sees their own tokens only.
  await expect(row(viewer, name)).toHaveCount(0);
  await viewerContext.close();

  await row(page, name).getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(page.getByText("Token revoked.")).toBeVisible();
  await expect(row(page, name)).toContainText("revoked");
  await expect(row(page, name).getByRole("button")).toHaveCount(0);
  expect(await addBlocker(page.request, token, `Added with revoked ${name}`)).toBe(401);
  expect(errors).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("creating a token shows it once; a refusal keeps what was typed; revoking works", async ({ page }) => {
    await login(page, "editor");
    await expect(page).toHaveURL(/\/$/);
    await page.getByRole("link", { name: "Access tokens" }).click();
    await expect(page).toHaveURL(/\/account\/tokens$/);

    // Only spaces: refused in plain words beside the form.
    await page.getByLabel("Name").fill("   ");
    await page.getByRole("button", { name: "Create token" }).click();
    await expect(page).toHaveURL(/\/account\/tokens$/);
    await expect(page.getByRole("alert")).toContainText("A token needs a name of 1 to 100 characters.");
    await expect(page.getByRole("alert")).not.toContainText("ServerError");
    await expect(page.getByLabel("Name")).toHaveValue("   ");
    await expect(page.getByTestId("new-token")).toHaveCount(0);

    const name = `e2e-noscript-${Date.now()}`;
    const token = await createToken(page, name);
    await expect(page).toHaveURL(/\/account\/tokens$/);
    await expect(row(page, name)).toContainText("active");
    expect(await addBlocker(page.request, token, `Added with ${name}`)).toBe(201);

    // Shown once: the same page again no longer holds it.
    await page.reload();
    await expect(page.getByTestId("new-token")).toHaveCount(0);
    expect(await page.content()).not.toContain(token);

    await row(page, name).getByRole("button", { name: `Revoke ${name}` }).click();
    await expect(page).toHaveURL(/\/account\/tokens$/);
    await expect(page.getByText("Token revoked.")).toBeVisible();
    await expect(row(page, name)).toContainText("revoked");
    expect(await addBlocker(page.request, token, `Added with revoked ${name}`)).toBe(401);
  });
});
