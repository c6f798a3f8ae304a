// Checks provider.mjs end to end: starts it on a free port, signs in as "grace" in Chromium
// through the login and consent pages with PKCE, exchanges the code, and checks the ID token
// and userinfo; then checks that an unknown login name is refused and that PKCE is required.
//   node end2end/oidc/selfcheck.mjs    (from any folder; exit code 0 when every check passes)
// CHROMIUM_PATH overrides /usr/bin/chromium, as in playwright.config.ts.

import { spawn } from "node:child_process";
import { createHash, createPublicKey, randomBytes, verify } from "node:crypto";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { strict as assert } from "node:assert";
import { chromium } from "@playwright/test";

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer().listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  s.on("error", reject);
});
const b64url = (buf) => Buffer.from(buf).toString("base64url");

const [port, rpPort] = [await freePort(), await freePort()];
const issuer = `http://127.0.0.1:${port}`;
const redirectUri = `http://127.0.0.1:${rpPort}/auth/oidc/callback`; // nothing listens there
const clientId = "readyboard", clientSecret = "readyboard-e2e-secret";

const op = spawn(process.execPath, [fileURLToPath(new URL("provider.mjs", import.meta.url))], {
  env: { ...process.env, OIDC_PORT: String(port), OIDC_REDIRECT_URI: redirectUri },
  stdio: ["ignore", "pipe", "inherit"],
});

let browser;
let passed = 0;
const check = (what, fn) => { fn(); passed++; console.log(`ok - ${what}`); };
try {
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("provider did not start")), 15_000);
    op.on("exit", (code) => reject(new Error(`provider exited with ${code}`)));
    op.stdout.on("data", (d) => {
      if (String(d).includes(`oidc provider ready ${issuer}`)) { clearTimeout(timer); resolve(); }
    });
  });

  const conf = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  check("discovery names the issuer exactly", () => assert.equal(conf.issuer, issuer));
  check("discovery offers S256 only", () => assert.deepEqual(conf.code_challenge_methods_supported, ["S256"]));

  // An authorization request for the given PKCE challenge (omitted when null).
  const authorizeUrl = (challenge, state, nonce) => {
    const u = new URL(conf.authorization_endpoint);
    const p = { response_type: "code", client_id: clientId, redirect_uri: redirectUri, scope: "openid profile email", state, nonce };
    if (challenge) Object.assign(p, { code_challenge: challenge, code_challenge_method: "S256" });
    for (const [k, v] of Object.entries(p)) u.searchParams.set(k, v);
    return u.href;
  };

  const noPkce = await fetch(authorizeUrl(null, "s0", "n0"), { redirect: "manual" });
  const noPkceLoc = new URL(noPkce.headers.get("location"));
  check("an authorization request without PKCE is refused", () => {
    assert.equal(noPkceLoc.origin + noPkceLoc.pathname, redirectUri);
    assert.equal(noPkceLoc.searchParams.get("error"), "invalid_request");
  });

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox"] });

  // Unknown login name: the form comes back with an alert, nobody is signed in.
  {
    const page = await (await browser.newContext()).newPage();
    await page.goto(authorizeUrl(b64url(randomBytes(32)), "s1", "n1"));
    await page.getByLabel("Login").fill("eve");
    await page.getByLabel("Password").fill("whatever");
    const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.getByRole("button", { name: "Sign-in" }).click()]);
    await page.getByRole("alert").waitFor();
    const alert = await page.getByRole("alert").textContent();
    check("an unknown login name is refused on the login form", () => {
      assert.equal(res.status(), 400);
      assert.equal(alert, "Unknown user");
      assert.equal(new URL(page.url()).origin, issuer);
    });
    await page.context().close();
  }

  // grace: login, consent, redirect with a code.
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash("sha256").update(verifier).digest());
  const state = b64url(randomBytes(12)), nonce = b64url(randomBytes(12));
  const page = await (await browser.newContext()).newPage();
  await page.goto(authorizeUrl(challenge, state, nonce));
  assert.equal(await page.title(), "Sign-in");
  await page.getByLabel("Login").fill("grace");
  await page.getByLabel("Password").fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.waitForURL(/\/interaction\//);
  await page.getByRole("button", { name: "Continue" }).waitFor();
  assert.equal(await page.title(), "Authorize");
  const [callback] = await Promise.all([
    page.waitForRequest((r) => r.url().startsWith(redirectUri)), // its load fails: nothing listens
    page.getByRole("button", { name: "Continue" }).click(),
  ]);
  const cb = new URL(callback.url());
  check("the redirect carries code, state and iss", () => {
    assert.ok(cb.searchParams.get("code"));
    assert.equal(cb.searchParams.get("state"), state);
    assert.equal(cb.searchParams.get("iss"), issuer);
  });

  const tokenRes = await fetch(conf.token_endpoint, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "authorization_code", code: cb.searchParams.get("code"), redirect_uri: redirectUri, code_verifier: verifier }),
  });
  const tokens = await tokenRes.json();
  check("the code is exchanged with client_secret_basic and the verifier", () => assert.equal(tokenRes.status, 200, JSON.stringify(tokens)));

  const [h, p, sig] = tokens.id_token.split(".");
  const header = JSON.parse(Buffer.from(h, "base64url"));
  const claims = JSON.parse(Buffer.from(p, "base64url"));
  const { keys } = await (await fetch(conf.jwks_uri)).json();
  const jwk = keys.find((k) => k.kid === header.kid);
  check("the ID token is signed (RS256) by a key from jwks_uri", () => {
    assert.equal(header.alg, "RS256");
    assert.ok(verify("sha256", Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: "jwk" }), Buffer.from(sig, "base64url")));
  });
  check("the ID token carries grace's claims and the nonce", () => {
    assert.equal(claims.iss, issuer);
    assert.equal(claims.aud, clientId);
    assert.equal(claims.nonce, nonce);
    assert.equal(claims.sub, "acc-grace");
    assert.equal(claims.name, "Grace Hopper");
    assert.equal(claims.preferred_username, "grace");
    assert.equal(claims.email, "grace@example.test");
    assert.equal(claims.email_verified, true);
    assert.deepEqual(claims.groups, ["readyboard-editors", "staff"]);
  });

  const userinfo = await (await fetch(conf.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json();
  check("userinfo carries the same claims", () => assert.deepEqual(userinfo, {
    sub: "acc-grace", name: "Grace Hopper", preferred_username: "grace", groups: ["readyboard-editors", "staff"],
    email: "grace@example.test", email_verified: true,
  }));
  console.log(`${passed} passed, 0 failed`);
} catch (err) {
  console.error(err);
  console.log(`${passed} passed, 1 failed`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  op.removeAllListeners("exit");
  const code = op.exitCode ?? await new Promise((resolve) => { op.once("exit", resolve); op.kill("SIGTERM"); });
  if (code !== 0) { console.error(`provider exited with ${code} on SIGTERM`); process.exitCode = 1; }
}
