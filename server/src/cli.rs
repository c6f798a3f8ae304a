//! Command-line interface. Every flag also reads `READYBOARD_<FLAG>`.

use clap::{Args, Parser, Subcommand};

/// readyboard: production-readiness evidence, scores and go/no-go decisions.
#[derive(Debug, Parser)]
#[command(name = "readyboard", version, about)]
pub struct Cli {
    /// Log format: `json` or `pretty` (default: pretty on a terminal, json otherwise).
    #[arg(long, global = true, env = "READYBOARD_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where the database is.
#[derive(Debug, Args, Clone)]
pub struct DbArgs {
    /// `sqlite://FILE` (created when missing) or `postgres://…`.
    #[arg(long, env = "READYBOARD_DATABASE_URL", default_value = "sqlite://readyboard.db")]
    pub database_url: String,
}

/// The subcommands.
// Parsed once per process: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (creates and migrates the database).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Load the demo dataset (two projects with a few weeks of history).
    Demo(DbArgs),
    /// Manage users.
    User {
        /// What to do with users.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        /// What to do with tokens.
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Upload report files to a readyboard server.
    Upload(UploadArgs),
    /// Read report files here, as the server would, without sending them: each file's
    /// format, counts and provenance, or why it cannot be read (exit status 1).
    Check {
        /// Force a format instead of detecting it.
        #[arg(long, env = "READYBOARD_FORMAT")]
        format: Option<String>,
        /// Files or glob patterns.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Write a consistent copy of the SQLite database to FILE.
    Backup {
        /// Database.
        #[command(flatten)]
        db: DbArgs,
        /// Destination file (must not exist).
        file: String,
    },
    /// Remove the check rows and raw files each project's retention lets go (the report
    /// counts, categories, history, blockers, decisions and each suite's latest report stay).
    Prune {
        /// Database.
        #[command(flatten)]
        db: DbArgs,
        /// Only say what would be removed.
        #[arg(long)]
        dry_run: bool,
    },
    /// Replace the SQLite database with a backup FILE (refused while a server runs on it).
    Restore {
        /// Database.
        #[command(flatten)]
        db: DbArgs,
        /// Backup file written by `readyboard backup`.
        file: String,
    },
}

/// `serve` options.
#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Database.
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "READYBOARD_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: String,
    /// Public base URL (links, cookie `Secure` flag and HSTS when https).
    #[arg(long, env = "READYBOARD_BASE_URL")]
    pub base_url: Option<String>,
    /// Directory with the built web assets (`pkg/`, favicon).
    #[arg(long, env = "READYBOARD_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Largest accepted report, in MiB after decompression.
    #[arg(long, env = "READYBOARD_MAX_UPLOAD_MB", default_value_t = 64)]
    pub max_upload_mb: u64,
    /// Reports parsed and stored at once (default: half the cores, at least one); the rest
    /// wait their turn, so uploads cannot take the CPU that pages need.
    #[arg(long, env = "READYBOARD_INGEST_CONCURRENCY")]
    pub ingest_concurrency: Option<usize>,
    /// Reports that may wait for their turn; beyond this an upload gets 503 with Retry-After.
    #[arg(long, env = "READYBOARD_INGEST_QUEUE", default_value_t = 64)]
    pub ingest_queue: usize,
    /// Page and API reads served at once (default: four per core); the rest wait in the
    /// order they arrived, so a crowd of readers waits alike on light and heavy pages.
    /// 0 serves every read at once.
    #[arg(long, env = "READYBOARD_READ_CONCURRENCY")]
    pub read_concurrency: Option<usize>,
    /// Milliseconds pages may lag behind a stream of stored reports: under back-to-back
    /// uploads, views are computed again at most once per window instead of after every
    /// report. The status gate is always exact; changes made in the browser show at once.
    #[arg(long, env = "READYBOARD_SETTLE_MS", default_value_t = 500)]
    pub settle_ms: u64,
    /// Seconds a client has to send a complete request header (and that an idle
    /// keep-alive connection stays open).
    #[arg(long, env = "READYBOARD_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds a request body may pause between chunks before the request is dropped.
    #[arg(long, env = "READYBOARD_BODY_TIMEOUT_SECS", default_value_t = 30)]
    pub body_timeout_secs: u64,
    /// Reverse proxies (IP addresses, comma-separated) whose `X-Forwarded-For` header names
    /// the client for login throttling; without this the header is ignored.
    #[arg(long, env = "READYBOARD_TRUSTED_PROXY", value_delimiter = ',')]
    pub trusted_proxy: Vec<std::net::IpAddr>,
    /// Who may read `/metrics`: `public`, `off`, or `token` (a bearer token equal to
    /// `--metrics-token`, which implies `token`).
    #[arg(long, env = "READYBOARD_METRICS", default_value = "public")]
    pub metrics: String,
    /// Bearer token a scraper must send to read `/metrics`.
    #[arg(long, env = "READYBOARD_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Minutes between retention passes (projects without a retention are never pruned);
    /// 0 turns the background pass off (`readyboard prune` still works).
    #[arg(long, env = "READYBOARD_PRUNE_EVERY_MINS", default_value_t = 60)]
    pub prune_every_mins: u64,
    /// Load the demo dataset at start when the database has no projects.
    #[arg(long, env = "READYBOARD_DEMO", default_value_t = false)]
    pub demo: bool,
    /// Company sign-in.
    #[command(flatten)]
    pub oidc: OidcArgs,
}

/// Company sign-in through an OpenID Connect provider (off unless `--oidc-issuer` is set).
#[derive(Debug, Args, Clone, Default)]
pub struct OidcArgs {
    /// Issuer URL of the OpenID Connect provider; turns company sign-in on. Register
    /// `<base URL>/auth/oidc/callback` as the redirect URI at the provider.
    #[arg(long, env = "READYBOARD_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// Client id readyboard has at the provider.
    #[arg(long, env = "READYBOARD_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// Client secret (prefer the environment variable to the command line).
    #[arg(long, env = "READYBOARD_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// Scopes asked for besides `openid`, comma-separated (add `groups` where the provider
    /// sends groups only for that scope).
    #[arg(long, env = "READYBOARD_OIDC_SCOPES", default_value = "profile,email", value_delimiter = ',')]
    pub oidc_scopes: Vec<String>,
    /// The claim holding groups or roles; dots reach into nested claims
    /// (`realm_access.roles`). Read from the ID token, else from the user info.
    #[arg(long, env = "READYBOARD_OIDC_ROLE_CLAIM", default_value = "groups")]
    pub oidc_role_claim: String,
    /// Claim values and the role each gives, `VALUE=ROLE,…`; the highest match wins, and
    /// the role is set again at every sign-in.
    #[arg(long, env = "READYBOARD_OIDC_ROLES", default_value = "")]
    pub oidc_roles: String,
    /// Role of people no rule matches: viewer, editor, approver, admin, or `none` to refuse
    /// them.
    #[arg(long, env = "READYBOARD_OIDC_DEFAULT_ROLE", default_value = "viewer")]
    pub oidc_default_role: String,
    /// The provider's name on the login page ("Sign in with …").
    #[arg(long, env = "READYBOARD_OIDC_NAME", default_value = "your company account")]
    pub oidc_name: String,
}

/// `user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user (password from READYBOARD_PASSWORD or a prompt).
    Add {
        /// Database.
        #[command(flatten)]
        db: DbArgs,
        /// Login name.
        username: String,
        /// viewer, editor, approver or admin.
        #[arg(long, default_value = "viewer")]
        role: String,
    },
    /// Set a user's password (from READYBOARD_PASSWORD or a prompt).
    Passwd {
        /// Database.
        #[command(flatten)]
        db: DbArgs,
        /// Login name.
        username: String,
    },
    /// Change a user's role.
    Role {
        /// Database.
        #[command(flatten)]
        db: DbArgs,
        /// Login name.
        username: String,
        /// viewer, editor, approver or admin.
        role: String,
    },
}

/// `token` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a project; prints the token alone on the last line.
    Create {
        /// Database.
        #[command(flatten)]
        db: DbArgs,
        /// Project slug (created when missing).
        #[arg(long)]
        project: String,
        /// A name to recognise the token by.
        #[arg(long, default_value = "ci")]
        name: String,
    },
    /// Create a personal access token acting as USER with their role (for REST writes: a
    /// pipeline recording a decision, a bot waiving a blocker); prints it on the last line.
    CreatePersonal {
        /// Database.
        #[command(flatten)]
        db: DbArgs,
        /// The person the token acts as.
        #[arg(long)]
        user: String,
        /// A name to recognise the token by.
        #[arg(long, default_value = "api")]
        name: String,
    },
    /// Revoke a personal access token by id.
    RevokePersonal {
        /// Database.
        #[command(flatten)]
        db: DbArgs,
        /// Token id.
        id: i64,
    },
    /// Revoke a token by id.
    Revoke {
        /// Database.
        #[command(flatten)]
        db: DbArgs,
        /// Token id (see the admin page).
        id: i64,
    },
}

/// `upload` options.
#[derive(Debug, Args, Clone)]
pub struct UploadArgs {
    /// Server base URL.
    #[arg(long, env = "READYBOARD_URL", default_value = "http://127.0.0.1:3000")]
    pub url: String,
    /// API token.
    #[arg(long, env = "READYBOARD_TOKEN", hide_env_values = true)]
    pub token: String,
    /// Project slug.
    #[arg(long, env = "READYBOARD_PROJECT")]
    pub project: Option<String>,
    /// Phase slug.
    #[arg(long, env = "READYBOARD_PHASE")]
    pub phase: Option<String>,
    /// Suite name.
    #[arg(long, env = "READYBOARD_SUITE")]
    pub suite: Option<String>,
    /// Force a format instead of detecting it.
    #[arg(long, env = "READYBOARD_FORMAT")]
    pub format: Option<String>,
    /// CI run id.
    #[arg(long, env = "READYBOARD_RUN_ID")]
    pub run_id: Option<String>,
    /// Environment name.
    #[arg(long, env = "READYBOARD_ENVIRONMENT")]
    pub environment: Option<String>,
    /// Commit.
    #[arg(long, env = "READYBOARD_COMMIT")]
    pub commit: Option<String>,
    /// Branch.
    #[arg(long, env = "READYBOARD_BRANCH")]
    pub branch: Option<String>,
    /// CI URL.
    #[arg(long, env = "READYBOARD_CI_URL")]
    pub ci_url: Option<String>,
    /// Exit non-zero when the phase score is below this.
    #[arg(long, env = "READYBOARD_FAIL_UNDER")]
    pub fail_under: Option<f64>,
    /// Exit non-zero unless the phase verdict is at least this (ready, conditional, not_ready).
    #[arg(long, env = "READYBOARD_REQUIRE_VERDICT")]
    pub require_verdict: Option<String>,
    /// Attempts per file on 5xx or connection errors.
    #[arg(long, env = "READYBOARD_RETRIES", default_value_t = 4)]
    pub retries: u32,
    /// Append a Markdown summary of the run to FILE (e.g. `$GITHUB_STEP_SUMMARY`): the
    /// phase's score and verdict and how they moved, new failures, fixed, new blockers.
    #[arg(long, env = "READYBOARD_SUMMARY")]
    pub summary: Option<String>,
    /// Print the run's summary as JSON on stdout (the per-file lines go to stderr).
    #[arg(long)]
    pub json: bool,
    /// Files or glob patterns.
    #[arg(required = true)]
    pub files: Vec<String>,
}
