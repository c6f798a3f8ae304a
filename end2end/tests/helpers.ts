import AxeBuilder from "@axe-core/playwright";
import { expect, Page } from "@playwright/test";

/** Passwords of the users scripts/test.sh creates. */
export const PASSWORD = process.env.READYBOARD_E2E_PASSWORD ?? "e2e-password-123";

/** Logs in through the form, as a person would. */
export async function login(page: Page, username: string, password = PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** Collects console errors and failed page loads so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  return errors;
}

/** Waits until the wasm bundle runs on the page (its islands hydrate from then on). */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as any).__READYBOARD_HYDRATED === true, null, { timeout: 15_000 });
}

/** Saves a full-page screenshot for review. */
export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

/** Runs axe on the page as it stands; returns the serious and critical violations, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  // Every finding, whatever its impact, goes to the log: the less severe ones are worth fixing too.
  const all = results.violations.map((v) => `${v.impact} ${v.id} ×${v.nodes.length}`);
  console.log(`axe ${new URL(page.url()).pathname}: ${all.length ? all.join(", ") : "no violations"}`);
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => {
      const where = v.nodes.slice(0, 5).map((n) => n.target.join(" ")).join(" | ");
      return `${v.impact} ${v.id} ×${v.nodes.length}: ${v.help} — ${where}`;
    });
}

export { expect };
