//! Talking to the OpenID Connect provider: discovery (kept for an hour), the authorization
//! URL with PKCE, and the code exchange with the ID token verified.

use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken,
    CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, StandardErrorResponse,
    StandardTokenResponse, UserInfoClaims, core::CoreResponseType,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::Mutex;

/// The claims beyond the standard ones (groups, roles…), as the provider sent them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OtherClaims(pub Map<String, Value>);

impl AdditionalClaims for OtherClaims {}

type TokenFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type TokenResponse = StandardTokenResponse<TokenFields, CoreTokenType>;
type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// How long discovered metadata (endpoints and signing keys) is used before asking again.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// How long one request to the provider may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the provider is and who readyboard is to it.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Issuer URL.
    pub issuer: String,
    /// Client id.
    pub client_id: String,
    /// Client secret (none for a public client); never logged.
    pub client_secret: Option<SecretString>,
    /// This site's callback URL.
    pub redirect_url: String,
    /// Scopes besides `openid`.
    pub scopes: Vec<String>,
}

/// A sign-in on its way to the provider: what the callback must check it against.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    /// The `state` sent (CSRF protection of the callback).
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier of the challenge sent.
    pub verifier: String,
    /// Where to go after signing in.
    pub next: String,
    /// When it started, unix ms.
    pub started_ms: i64,
}

/// A verified person, as the provider describes them.
#[derive(Debug, Clone)]
pub struct Person {
    /// Stable subject identifier.
    pub subject: String,
    /// Preferred username, when sent.
    pub preferred_username: Option<String>,
    /// Email, when sent.
    pub email: Option<String>,
    /// Every other claim of the ID token, and of the user info when asked for.
    pub claims: Map<String, Value>,
}

/// Why talking to the provider failed.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// Discovery or a request did not get through.
    #[error("the provider cannot be reached: {0}")]
    Unreachable(String),
    /// The provider answered something that does not verify.
    #[error("the provider's answer was refused: {0}")]
    Refused(String),
}

/// The provider, discovered on first use and again once [`METADATA_TTL`] has passed (so a
/// provider that is down at start does not stop local sign-in, and rotated keys are seen).
pub struct Provider {
    registration: Registration,
    /// The issuer and callback URLs, parsed once when the flags are read.
    issuer_url: IssuerUrl,
    redirect_url: RedirectUrl,
    http: openidconnect::reqwest::Client,
    client: Mutex<Option<(Instant, Arc<OidcClient>)>>,
}

impl Provider {
    /// A provider for `registration`; nothing is fetched yet.
    pub fn new(registration: Registration) -> Result<Provider, String> {
        let issuer_url = IssuerUrl::new(registration.issuer.clone()).map_err(|e| format!("--oidc-issuer: {e}"))?;
        let redirect_url =
            RedirectUrl::new(registration.redirect_url.clone()).map_err(|e| format!("the callback URL: {e}"))?;
        let http = openidconnect::reqwest::Client::builder()
            // The provider's answers are read as they come: a redirect is an error (SSRF).
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| format!("the HTTP client: {e}"))?;
        Ok(Provider { registration, issuer_url, redirect_url, http, client: Mutex::new(None) })
    }

    /// The issuer URL.
    pub fn issuer(&self) -> &str {
        &self.registration.issuer
    }

    async fn client(&self) -> Result<Arc<OidcClient>, ProviderError> {
        let mut cached = self.client.lock().await;
        if let Some((at, client)) = cached.as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(client.clone());
        }
        let metadata = CoreProviderMetadata::discover_async(self.issuer_url.clone(), &self.http)
            .await
            .map_err(|e| ProviderError::Unreachable(chain(&e)))?;
        let client = OidcClient::from_provider_metadata(
            metadata,
            ClientId::new(self.registration.client_id.clone()),
            self.registration.client_secret.as_ref().map(|s| ClientSecret::new(s.expose_secret().to_string())),
        )
        .set_redirect_uri(self.redirect_url.clone());
        let client = Arc::new(client);
        *cached = Some((Instant::now(), client.clone()));
        Ok(client)
    }

    /// Forgets the discovered metadata, e.g. after a signature that did not verify.
    pub async fn forget(&self) {
        *self.client.lock().await = None;
    }

    /// Fetches the metadata now (at start, so a wrong issuer shows in the log at once).
    pub async fn check(&self) -> Result<(), ProviderError> {
        self.client().await.map(|_| ())
    }

    /// The provider's authorization URL for a new sign-in, and what the callback checks.
    pub async fn start(&self, next: String, now_ms: i64) -> Result<(String, Pending), ProviderError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in &self.registration.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        let pending = Pending {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            next,
            started_ms: now_ms,
        };
        Ok((url.to_string(), pending))
    }

    /// Exchanges the code for tokens, verifies the ID token against the pending sign-in,
    /// and reads the user info when `want_user_info` says the ID token lacks a claim.
    pub async fn finish(
        &self,
        code: String,
        pending: &Pending,
        want_user_info: impl Fn(&Map<String, Value>) -> bool,
    ) -> Result<Person, ProviderError> {
        let client = self.client().await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| ProviderError::Refused(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| ProviderError::Refused(chain(&e)))?;
        let id_token =
            tokens.extra_fields().id_token().ok_or_else(|| ProviderError::Refused("no ID token was sent".into()))?;
        let verified = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce.clone()))
            .map_err(|e| ProviderError::Refused(chain(&e)))?;
        let mut person = Person {
            subject: verified.subject().to_string(),
            preferred_username: verified.preferred_username().map(|u| u.to_string()),
            email: verified.email().map(|e| e.to_string()),
            claims: verified.additional_claims().0.clone(),
        };
        if want_user_info(&person.claims)
            && let Ok(request) = client.user_info(tokens.access_token().clone(), Some(verified.subject().clone()))
        {
            let info: UserInfoClaims<OtherClaims, CoreGenderClaim> =
                request.request_async(&self.http).await.map_err(|e| ProviderError::Refused(chain(&e)))?;
            person.preferred_username = person.preferred_username.or(info.preferred_username().map(|u| u.to_string()));
            person.email = person.email.or(info.email().map(|e| e.to_string()));
            for (key, value) in &info.additional_claims().0 {
                person.claims.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
        Ok(person)
    }
}

/// An error with its causes, for the log.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
