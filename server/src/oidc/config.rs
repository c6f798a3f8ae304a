//! Company sign-in as the flags configure it: the provider, how claims map to roles, and the
//! name on the login page.

use super::claims::RoleMap;
use super::provider::{Provider, Registration};
use crate::cli::OidcArgs;

/// The path the provider sends people back to.
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";

/// Company sign-in as configured.
pub struct Oidc {
    /// The provider.
    pub provider: Provider,
    /// How claims map to roles.
    pub roles: RoleMap,
    /// The provider's name on the login page.
    pub label: String,
}

impl Oidc {
    /// Company sign-in from the flags, `None` when no issuer is set; refuses half a setup.
    pub fn from_args(args: &OidcArgs, base_url: &str) -> Result<Option<Oidc>, String> {
        let Some(issuer) = args.oidc_issuer.as_deref().map(str::trim).filter(|i| !i.is_empty()) else {
            return Ok(None);
        };
        let client_id = args
            .oidc_client_id
            .clone()
            .filter(|c| !c.trim().is_empty())
            .ok_or("--oidc-issuer needs --oidc-client-id (READYBOARD_OIDC_CLIENT_ID) as well")?;
        let roles = RoleMap::parse(&args.oidc_role_claim, &args.oidc_roles, &args.oidc_default_role)?;
        let mut scopes: Vec<String> =
            args.oidc_scopes.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty() && s != "openid").collect();
        scopes.dedup();
        let provider = Provider::new(Registration {
            issuer: issuer.trim_end_matches('/').to_string(),
            client_id,
            client_secret: args.oidc_client_secret.as_deref().filter(|s| !s.is_empty()).map(Into::into),
            redirect_url: format!("{base_url}{CALLBACK_PATH}"),
            scopes,
        })?;
        Ok(Some(Oidc { provider, roles, label: args.oidc_name.trim().to_string() }))
    }
}
