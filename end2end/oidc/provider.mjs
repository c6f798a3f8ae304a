// A local OpenID Connect identity provider for the browser tests (oidc-provider 9.x).
// Test accounts only; nothing here is a real secret.
//
//   OIDC_PORT=4555 OIDC_REDIRECT_URI=http://127.0.0.1:4000/auth/oidc/callback node end2end/oidc/provider.mjs
//
// Environment:
//   OIDC_PORT                  required; the issuer is exactly http://127.0.0.1:$OIDC_PORT (no trailing slash)
//   OIDC_REDIRECT_URI          required; the client's single redirect URI (plain http is accepted)
//   OIDC_CLIENT_ID             default "readyboard"
//   OIDC_CLIENT_SECRET         default "readyboard-e2e-secret"
//   OIDC_CLIENT_AUTH_METHOD    default "client_secret_basic" (or "client_secret_post")
// Prints "oidc provider ready <issuer>" on stdout once listening; exits 0 on SIGTERM or SIGINT.
//
// What a browser test does after the app redirects it to the authorization endpoint:
//   1. Login page (title "Sign-in"): fill the field labelled "Login" (name="login") with one of
//      ada, grace, linus or mallory, fill "Password" (name="password") with anything, and click
//      the button "Sign-in". Any other login name shows the same form again, with status 400
//      and the alert (role="alert") "Unknown user", and no one is signed in.
//   2. Consent page (title "Authorize"): click the button "Continue" (or "Cancel", which sends
//      error=access_denied to the redirect URI and leaves the user signed in at the provider).
//   The browser then goes to OIDC_REDIRECT_URI?code=...&state=...&iss=...
//   Within one browser context the session and the grant are remembered: a second sign-in
//   there shows neither page unless the app sends prompt=login or asks for more scopes.
//
// Claims: scope "openid" gives sub; "profile" gives name, preferred_username and groups;
// "email" gives email and email_verified. They are in the ID token and at the userinfo endpoint.
// PKCE with S256 is required of every authorization request; the code flow is the only one.

import { generateKeyPairSync } from "node:crypto";
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT);
const redirectUri = process.env.OIDC_REDIRECT_URI;
if (!port || !redirectUri) {
  console.error("OIDC_PORT and OIDC_REDIRECT_URI must be set");
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

// Keyed by login name; `sub` is the stable opaque id the app sees.
const ACCOUNTS = {
  ada: { sub: "acc-ada", name: "Ada Lovelace", email: "ada@example.test", groups: ["readyboard-admins"] },
  grace: { sub: "acc-grace", name: "Grace Hopper", email: "grace@example.test", groups: ["readyboard-editors", "staff"] },
  linus: { sub: "acc-linus", name: "Linus Viewer", email: "linus@example.test", groups: ["staff"] },
  mallory: { sub: "acc-mallory", name: "Mallory", email: "mallory@example.test", groups: [] },
};
const bySub = new Map(Object.entries(ACCOUNTS).map(([login, a]) => [a.sub, { ...a, preferred_username: login }]));

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID || "readyboard",
    client_secret: process.env.OIDC_CLIENT_SECRET || "readyboard-e2e-secret",
    redirect_uris: [redirectUri],
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: process.env.OIDC_CLIENT_AUTH_METHOD || "client_secret_basic",
  }],
  // A fresh signing key per run, so the library's shared development keys are not used.
  jwks: { keys: [{ ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }), kid: "e2e", use: "sig", alg: "RS256" }] },
  cookies: { keys: ["readyboard-e2e-cookie-key"] }, // not `secure`: the issuer is plain http
  scopes: ["openid", "profile", "email"],
  claims: {
    openid: ["sub"],
    profile: ["name", "preferred_username", "groups"],
    email: ["email", "email_verified"],
  },
  conformIdTokenClaims: false, // put the scopes' claims in the ID token too, not only at userinfo
  pkce: { required: () => true }, // only S256 is supported in 9.x
  features: { devInteractions: { enabled: false } }, // ours below: known logins only, no web fonts
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const account = bySub.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        const { name, email, preferred_username, groups } = account;
        return { sub, name, preferred_username, groups, email, email_verified: true };
      },
    };
  },
  ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 86400, Grant: 86400 },
  async renderError(ctx, out) {
    ctx.type = "html";
    ctx.body = page("Error", `<p role="alert">${esc(out.error)}: ${esc(out.error_description ?? "")}</p>`);
  },
});

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
const loginPage = (uid, error) => page("Sign-in", `${error ? `<p role="alert">${esc(error)}</p>` : ""}
<form method="post" action="/interaction/${uid}/login" autocomplete="off">
  <label>Login <input name="login" required autofocus></label>
  <label>Password <input name="password" type="password" required></label>
  <button type="submit">Sign-in</button>
</form>`);
const consentPage = (uid, client, scope) => page("Authorize", `<p>${esc(client)} asks for: ${esc(scope)}</p>
<form method="post" action="/interaction/${uid}/confirm"><button type="submit">Continue</button></form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>`);
async function formBody(req) {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  return Object.fromEntries(new URLSearchParams(raw));
}

// The interaction pages, served by the provider's own Koa app in front of its routes.
provider.use(async (ctx, next) => {
  const m = ctx.path.match(/^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/);
  if (!m) return next();
  const [, uid, action] = m;
  ctx.set("cache-control", "no-store");
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { prompt, params, session } = details;
  if (details.uid !== uid) ctx.throw(400, "interaction mismatch");
  const html = (status, body) => { ctx.status = status; ctx.type = "html"; ctx.body = body; };

  if (ctx.method === "GET" && !action) {
    if (prompt.name === "login") return html(200, loginPage(uid));
    return html(200, consentPage(uid, params.client_id, params.scope));
  }
  if (ctx.method !== "POST") ctx.throw(405);
  if (action === "login") {
    const { login } = await formBody(ctx.req);
    const account = Object.hasOwn(ACCOUNTS, login) ? ACCOUNTS[login] : undefined;
    if (prompt.name !== "login" || !account) return html(400, loginPage(uid, "Unknown user"));
    // Any password is accepted.
    return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  }
  if (action === "confirm") {
    if (prompt.name !== "consent") ctx.throw(400, "nothing to consent to");
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingOIDCClaims } = prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(" "));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    return provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }
  return provider.interactionFinished(ctx.req, ctx.res,
    { error: "access_denied", error_description: "End-User aborted interaction" }, { mergeWithLastSubmission: false });
});

const server = provider.listen(port, "127.0.0.1", () => console.log(`oidc provider ready ${issuer}`));
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
