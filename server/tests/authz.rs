//! The authorization matrix: every route the router serves and every server function,
//! called by each kind of caller, answers the status its declared access gives.
//!
//! Nothing here is a hand-kept list of routes. REST, operational and form routes come from
//! [`readyboard_server::router::endpoints`], the table the router itself is built from;
//! pages from the Leptos route list the router mounts; server functions from the registry
//! the router serves them from. A new route is therefore called by every caller the moment
//! it exists, and a new server function fails [`every_server_function_has_a_row`] until
//! its required role is written down below.

use std::collections::{BTreeMap, BTreeSet};

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use readyboard_app::components::create_forms::{CreatePhase, CreateProject};
use readyboard_app::components::header::GetMe;
use readyboard_app::pages::account::{CreatePersonalToken, GetPersonalTokens, RevokePersonalToken};
use readyboard_app::pages::admin::{CreateToken, CreateUser, GetAdmin, RevokeToken, SetUserDisabled, SetUserRole};
use readyboard_app::pages::audit::GetAudit;
use readyboard_app::pages::blockers::{
    AddBlocker, AssignBlocker, GetBlockers, ReopenBlocker, ResolveBlocker, WaiveBlocker,
};
use readyboard_app::pages::checklist::{
    AddItem, ApplyTemplate, CopyChecklist, DeleteItem, GetChecklist, MoveItem, SaveTemplate, SignItem, UpdateItem,
};
use readyboard_app::pages::decision::{GetDecision, RecordDecision};
use readyboard_app::pages::import::GetImportContext;
use readyboard_app::pages::login::GetCompanySignIn;
use readyboard_app::pages::overview::ListProjectCards;
use readyboard_app::pages::phase::{GetPhase, SavePhaseSettings};
use readyboard_app::pages::project::{GetProject, SetRetention};
use readyboard_app::pages::report::{GetChecks, GetDiff, GetReport};
use readyboard_app::pages::trends::GetTrends;
use readyboard_app::pages::webhooks::{AddWebhook, DeleteWebhook, Redeliver};
use readyboard_domain::role::Role;
use readyboard_server::api::{Access, Endpoint};
use readyboard_server::cli::{DbArgs, ServeArgs};
use readyboard_store::{Actor, Store};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery staple";
const PROJECT: &str = "shop";
/// The sample phase's slug holds a dot, as slugs may ("Sprint 4.1"): a page about it must
/// not pass for a static file that anyone may fetch.
const PHASE: &str = "sprint-4.1";

/// Everyone who can call readyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    Viewer,
    Editor,
    Approver,
    Admin,
    /// A token of the project every sample request is about.
    OwnToken,
    /// A valid token of another project.
    OtherToken,
    /// A token of the project that has been revoked.
    RevokedToken,
    /// Personal access tokens of a viewer, an editor and an approver: they act as the person.
    ViewerPat,
    EditorPat,
    ApproverPat,
    /// A personal access token that has been revoked.
    RevokedPat,
}

const EVERYONE: [Who; 12] = [
    Who::Anonymous,
    Who::Viewer,
    Who::Editor,
    Who::Approver,
    Who::Admin,
    Who::OwnToken,
    Who::OtherToken,
    Who::RevokedToken,
    Who::ViewerPat,
    Who::EditorPat,
    Who::ApproverPat,
    Who::RevokedPat,
];

impl Who {
    /// The role of a person with a session; `None` for everyone else.
    fn role(self) -> Option<Role> {
        match self {
            Who::Viewer => Some(Role::Viewer),
            Who::Editor => Some(Role::Editor),
            Who::Approver => Some(Role::Approver),
            Who::Admin => Some(Role::Admin),
            _ => None,
        }
    }

    /// The role of a person, by session or by personal token; `None` for everyone else.
    fn person_role(self) -> Option<Role> {
        match self {
            Who::ViewerPat => Some(Role::Viewer),
            Who::EditorPat => Some(Role::Editor),
            Who::ApproverPat => Some(Role::Approver),
            _ => self.role(),
        }
    }

    /// The person a personal token acts as.
    fn pat_user(self) -> Option<&'static str> {
        match self {
            Who::ViewerPat => Some("viewer"),
            Who::EditorPat => Some("editor"),
            Who::ApproverPat | Who::RevokedPat => Some("approver"),
            _ => None,
        }
    }

    /// A name usable in usernames, slugs and titles.
    fn slug(self) -> &'static str {
        match self {
            Who::Anonymous => "anonymous",
            Who::Viewer => "viewer",
            Who::Editor => "editor",
            Who::Approver => "approver",
            Who::Admin => "admin",
            Who::OwnToken => "own-token",
            Who::OtherToken => "other-token",
            Who::RevokedToken => "revoked-token",
            Who::ViewerPat => "viewer-pat",
            Who::EditorPat => "editor-pat",
            Who::ApproverPat => "approver-pat",
            Who::RevokedPat => "revoked-pat",
        }
    }

    /// Whether a person with this caller's session holds `needed`.
    fn holds(self, needed: Role) -> bool {
        self.role().is_some_and(|r| r.allows(needed))
    }
}

/// What a caller gets back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// This status.
    Status(StatusCode),
    /// 303 See Other to a location starting with this.
    Redirect(&'static str),
}

const OK: Expect = Expect::Status(StatusCode::OK);
const UNAUTHORIZED: Expect = Expect::Status(StatusCode::UNAUTHORIZED);
const FORBIDDEN: Expect = Expect::Status(StatusCode::FORBIDDEN);
const NOT_FOUND: Expect = Expect::Status(StatusCode::NOT_FOUND);
const TO_LOGIN: Expect = Expect::Redirect("/login?next=");

impl Expect {
    /// Whether this answer refuses the caller of a route that is not public.
    fn refuses(self) -> bool {
        match self {
            Expect::Status(s) => matches!(s.as_u16(), 401 | 403 | 404),
            Expect::Redirect(to) => to.starts_with("/login") || to.contains("error="),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------------------

/// What `who` gets from a REST, operational or form route, from its declared access.
fn endpoint_expectation(e: &Endpoint, who: Who) -> Expect {
    use Who::*;
    // Exceptions to the rules by access below, each for a reason.
    match (e.path, who) {
        // Lists filter what the caller may read instead of refusing: another project's
        // token sees an empty list (and the event stream of every project, its own project's
        // changes only; `a_live_page_hears_of_the_changes_it_shows_and_no_others`).
        ("/api/v1/projects" | "/api/v1/blockers" | "/api/v1/events", OtherToken) => return OK,
        // The forms answer a browser with a redirect, never with an error status.
        ("/login", _) => return Expect::Redirect("/login?error=1"),
        ("/logout", _) => return Expect::Redirect("/login?bye=1"),
        ("/setup", _) => return Expect::Redirect("/setup?token="),
        // Company sign-in is not configured in this app: its routes say so to everybody. A
        // real provider signs people in through them in end2end/tests/oidc.spec.ts.
        ("/auth/oidc/start" | "/auth/oidc/callback", _) => return NOT_FOUND,
        ("/import/{project}/{phase}", _) if who.role().is_none() => {
            return Expect::Redirect("/login");
        }
        ("/import/{project}/{phase}", _) if !who.holds(Role::Editor) => {
            return Expect::Redirect("/p/shop/sprint-4.1/import?error=");
        }
        ("/import/{project}/{phase}", _) => return Expect::Redirect("/reports/"),
        _ => {}
    }
    match (e.access, who) {
        (Access::Public, _) => OK,
        // `/metrics` is public unless configured otherwise (the default, as here).
        (Access::Metrics, _) => OK,
        (Access::Nobody, _) => NOT_FOUND,
        (Access::Read | Access::Status, Anonymous | RevokedToken | RevokedPat) => UNAUTHORIZED,
        // Another project's resources do not exist for its token.
        (Access::Read | Access::Status, OtherToken) => NOT_FOUND,
        (Access::Read | Access::Status, _) => OK,
        (Access::Upload, Anonymous | RevokedToken | RevokedPat) => UNAUTHORIZED,
        (Access::Upload, OwnToken) => Expect::Status(StatusCode::CREATED),
        // A person's session, or a token of another project, may not upload.
        (Access::Upload, _) => FORBIDDEN,
        (Access::Session(_), _) if who.role().is_none() => UNAUTHORIZED,
        (Access::Session(needed), _) if !who.holds(needed) => FORBIDDEN,
        (Access::Session(_), _) => OK,
        (Access::Person(_), Anonymous | RevokedToken | RevokedPat) => UNAUTHORIZED,
        // Project tokens only upload.
        (Access::Person(_), OwnToken | OtherToken) => FORBIDDEN,
        (Access::Person(needed), _) if !who.person_role().is_some_and(|r| r.allows(needed)) => FORBIDDEN,
        (Access::Person(_), _) => match e.method {
            Some(Method::DELETE) => Expect::Status(StatusCode::NO_CONTENT),
            Some(Method::PUT) => OK,
            _ if e.path.starts_with("/api/v1/blockers/") => OK,
            _ => Expect::Status(StatusCode::CREATED),
        },
    }
}

/// The role a page needs beyond being logged in, or `None` for public pages.
fn page_role(path: &str) -> Option<Role> {
    match path {
        "/login" | "/setup" => None,
        "/admin" => Some(Role::Admin),
        "/audit" => Some(Role::Approver),
        _ => Some(Role::Viewer),
    }
}

/// What `who` gets from a page. Pages know only sessions: a token is an anonymous visitor.
fn page_expectation(path: &str, who: Who) -> Expect {
    match page_role(path) {
        None => OK,
        Some(_) if who.role().is_none() => TO_LOGIN,
        Some(needed) if !who.holds(needed) => FORBIDDEN,
        Some(_) => OK,
    }
}

/// One server function: the role it requires (`None`: anyone) and a form that succeeds for
/// a caller holding it. `{name}` placeholders are filled from [`Fixture::values`].
struct ServerFnRow {
    path: &'static str,
    needs: Option<Role>,
    form: &'static str,
}

fn server_fn_rows() -> Vec<ServerFnRow> {
    use Role::{Admin, Approver, Editor, Viewer};
    let row = |path, needs, form| ServerFnRow { path, needs, form };
    vec![
        row(GetMe::PATH, None, ""),
        // Reads.
        row(ListProjectCards::PATH, Some(Viewer), ""),
        row(GetProject::PATH, Some(Viewer), "slug=shop&range="),
        row(GetPhase::PATH, Some(Viewer), "project=shop&phase=sprint-4.1"),
        row(GetTrends::PATH, Some(Viewer), "project=shop&phase=sprint-4.1&range="),
        row(GetReport::PATH, Some(Viewer), "id={report}"),
        row(GetChecks::PATH, Some(Viewer), "id={report}&page=1"),
        row(GetDiff::PATH, Some(Viewer), "id={report}"),
        row(GetBlockers::PATH, Some(Viewer), ""),
        row(GetChecklist::PATH, Some(Viewer), "project=shop&phase=sprint-4.1"),
        row(GetDecision::PATH, Some(Viewer), "project=shop&phase=sprint-4.1&id={decision}"),
        row(GetImportContext::PATH, Some(Viewer), "project=shop&phase=sprint-4.1"),
        row(GetAudit::PATH, Some(Approver), ""),
        row(GetAdmin::PATH, Some(Admin), ""),
        // Blockers.
        row(
            AddBlocker::PATH,
            Some(Editor),
            "project=shop&phase=sprint-4.1&severity=high&title=Added+by+{who}&details=&owner=&due_date=",
        ),
        row(AssignBlocker::PATH, Some(Editor), "id={blocker_assign}&owner={who}&due_date=2030-01-01"),
        row(ResolveBlocker::PATH, Some(Editor), "id={blocker_resolve}"),
        row(WaiveBlocker::PATH, Some(Approver), "id={blocker_waive}&rationale=Accepted+for+the+pilot+release"),
        row(ReopenBlocker::PATH, Some(Approver), "id={blocker_reopen}"),
        // Checklist.
        row(
            AddItem::PATH,
            Some(Editor),
            "project=shop&phase=sprint-4.1&title=Added+by+{who}&description=&category=&owner=&status=todo\
             &due_date=&evidence_suite=&evidence_check=",
        ),
        row(
            UpdateItem::PATH,
            Some(Editor),
            "id={item_update}&version=1&title=Changed+by+{who}&description=&category=&owner=&status=todo\
             &due_date=&evidence_suite=&evidence_check=",
        ),
        row(MoveItem::PATH, Some(Editor), "id={item_move}&direction=up"),
        row(DeleteItem::PATH, Some(Editor), "id={item_delete}&version=1&confirm=yes"),
        row(ApplyTemplate::PATH, Some(Editor), "project=shop&phase=sprint-4.1&template=Production+readiness"),
        row(CopyChecklist::PATH, Some(Editor), "project=shop&phase=sprint-4.1&from=release-0"),
        row(SignItem::PATH, Some(Approver), "id={item_sign}&verdict=approve&comment=ok"),
        row(SaveTemplate::PATH, Some(Admin), "project=shop&phase=sprint-4.1&name=Template+of+{who}"),
        // Decisions and phase settings.
        row(
            RecordDecision::PATH,
            Some(Approver),
            "project=shop&phase=sprint-4.1&decision=no_go&rationale=Blockers+are+still+open&conditions=\
             &override_reason=",
        ),
        row(
            SavePhaseSettings::PATH,
            Some(Admin),
            "project=shop&phase=sprint-4.1&ready=90&conditional=70&freshness_days=14&weights=",
        ),
        // Projects and phases.
        row(CreateProject::PATH, Some(Editor), "slug=project-{who}&name=Project+{who}&description="),
        row(
            CreatePhase::PATH,
            Some(Editor),
            "project=shop&name=Phase+of+{who}&slug=&ready=90&conditional=70&freshness_days=14",
        ),
        row(SetRetention::PATH, Some(Admin), "project=shop&days=400"),
        // Webhooks.
        row(
            AddWebhook::PATH,
            Some(Admin),
            "project=shop&url=http%3A%2F%2F127.0.0.1%3A9%2F{who}&format=json&events%5B%5D=decision.recorded",
        ),
        row(DeleteWebhook::PATH, Some(Admin), "project=shop&id={webhook_delete}"),
        row(Redeliver::PATH, Some(Admin), "project=shop&id={delivery}"),
        // The login page asks which sign-ins there are before anyone is logged in.
        row(GetCompanySignIn::PATH, None, ""),
        // Administration.
        row(CreateUser::PATH, Some(Admin), "username=new-{who}&password=a+long+enough+password&role=viewer"),
        row(SetUserRole::PATH, Some(Admin), "username={target_user}&role=editor"),
        row(SetUserDisabled::PATH, Some(Admin), "username={target_user}&disabled=false"),
        row(CreateToken::PATH, Some(Admin), "project=shop&name=ci-{who}"),
        row(RevokeToken::PATH, Some(Admin), "id={token_revoke}"),
        // A person's own access tokens.
        row(GetPersonalTokens::PATH, Some(Viewer), ""),
        row(CreatePersonalToken::PATH, Some(Viewer), "name=made-by-{who}"),
        row(RevokePersonalToken::PATH, Some(Viewer), "id={pat_revoke}"),
    ]
}

/// What `who` gets from a server function. Server functions know only sessions: a token
/// is an anonymous caller.
fn server_fn_expectation(needs: Option<Role>, who: Who) -> Expect {
    match needs {
        None => OK,
        Some(_) if who.role().is_none() => UNAUTHORIZED,
        Some(needed) if !who.holds(needed) => FORBIDDEN,
        Some(_) => OK,
    }
}

// ---------------------------------------------------------------------------------------
// The application under test
// ---------------------------------------------------------------------------------------

/// A real argon2id hash with tiny parameters, so that logins verify quickly.
fn cheap_hash(password: &str) -> String {
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8, 1, 1, None).expect("params"));
    let salt = SaltString::encode_b64(b"fixed-test-salt!").expect("salt");
    argon.hash_password(password.as_bytes(), &salt).expect("hash").to_string()
}

/// Objects of the sample project, some of them one per caller so that a caller allowed to
/// change one leaves the others as they were.
struct Fixture {
    report: i64,
    decision: i64,
    per_caller: BTreeMap<Who, BTreeMap<String, String>>,
}

impl Fixture {
    /// The placeholder values for `who`'s requests.
    fn values(&self, who: Who) -> BTreeMap<String, String> {
        let mut v = self.per_caller[&who].clone();
        v.insert("who".into(), who.slug().to_string());
        v.insert("report".into(), self.report.to_string());
        v.insert("decision".into(), self.decision.to_string());
        v
    }
}

/// Replaces every `{name}` in `template`; panics on a name it has no value for.
fn fill(template: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').map(|e| start + e).expect("closing brace");
        let name = &rest[start + 1..end];
        let value = values.get(name).unwrap_or_else(|| panic!("no value for `{{{name}}}` in `{template}`"));
        out.push_str(&rest[..start]);
        out.push_str(value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A request path for a route template, about the sample project's objects. A route with
/// a parameter not known here fails the matrix, naming it: add a sample for it.
fn sample_path(template: &str, fixture: &Fixture) -> String {
    path_about(template, fixture, false)
}

/// The same request about a project and a report that do not exist.
fn ghost_path(template: &str, fixture: &Fixture) -> String {
    path_about(template, fixture, true)
}

fn path_about(template: &str, fixture: &Fixture, ghost: bool) -> String {
    let segments: Vec<&str> = template.split('/').collect();
    let mut out = Vec::with_capacity(segments.len());
    for (i, seg) in segments.iter().enumerate() {
        let Some(param) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            out.push(seg.to_string());
            continue;
        };
        let value = match (param, segments[i - 1]) {
            ("p" | "project" | "slug", _) if ghost => "no-such-project".to_string(),
            ("p" | "project" | "slug", _) => PROJECT.to_string(),
            ("ph" | "phase", _) => PHASE.to_string(),
            ("id", "reports") if ghost => "999999".to_string(),
            ("id", "reports") => fixture.report.to_string(),
            ("id", "decisions") => fixture.decision.to_string(),
            ("chart", _) => "score.svg".to_string(),
            // Objects a caller changes through the REST writes: one per caller and action.
            ("id", "blockers") => format!("{{api_blocker_{}}}", segments[i + 1]),
            ("id", "checklist") => match segments.get(i + 1) {
                Some(action) => format!("{{api_item_{action}}}"),
                None => "{api_item}".to_string(),
            },
            ("*rest", _) => "v1/no-such-endpoint".to_string(),
            _ => panic!("route `{template}` has a parameter `{{{param}}}` the matrix has no sample value for"),
        };
        out.push(value);
    }
    out.join("/")
}

/// JUnit with one passing and one failing test.
fn junit(suite: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><testsuite name="{suite}" tests="2"><testcase classname="api" name="ok"/><testcase classname="api" name="bad"><failure message="expected 200"/></testcase></testsuite>"#
    )
}

const MARKDOWN_REPORT: &str = "# Release 1 Readiness Report\n\n## Security\n\n| Check | Status |\n|---|---|\n\
                               | TLS everywhere | \u{2705} PASS |\n| Rate limiting | \u{274c} FAIL |\n";

/// A router on its own database with users of every role, project `shop` with evidence,
/// blockers, a checklist and a decision, and project `other`.
struct App {
    router: Router,
    store: Store,
    cookies: BTreeMap<Who, String>,
    tokens: BTreeMap<Who, String>,
    fixture: Fixture,
    site_root: std::path::PathBuf,
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.site_root);
    }
}

/// A response, read whole.
struct Resp {
    status: StatusCode,
    location: String,
    body: String,
}

impl App {
    async fn new() -> App {
        let store = Store::open("sqlite::memory:").await.expect("open store");
        let site_root = std::env::temp_dir().join(format!("rb_authz_{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(site_root.join("pkg")).expect("site root");
        std::fs::write(site_root.join("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").expect("file");
        std::fs::write(site_root.join("pkg/readyboard.css"), "body{}").expect("file");
        let args = ServeArgs {
            db: DbArgs { database_url: "sqlite::memory:".into() },
            addr: "127.0.0.1:0".into(),
            base_url: Some("http://rb.test".into()),
            site_root: site_root.display().to_string(),
            max_upload_mb: 8,
            ingest_concurrency: None,
            ingest_queue: 64,
            read_concurrency: None,
            settle_ms: 0,
            header_timeout_secs: 10,
            body_timeout_secs: 30,
            trusted_proxy: Vec::new(),
            metrics: "public".into(),
            metrics_token: None,
            prune_every_mins: 0,
            demo: false,
            oidc: Default::default(),
        };
        let state = readyboard_server::state(store.clone(), &args, "http://rb.test".into());
        let router = readyboard_server::router(state);
        let mut app = App {
            router,
            store: store.clone(),
            cookies: BTreeMap::new(),
            tokens: BTreeMap::new(),
            fixture: Fixture { report: 0, decision: 0, per_caller: BTreeMap::new() },
            site_root,
        };

        let cli = Actor::system("test");
        let hash = cheap_hash(PASSWORD);
        let mut admin = None;
        for who in EVERYONE {
            if let Some(role) = who.role() {
                let user = store.create_user(&cli, who.slug(), &hash, role).await.expect("user");
                if role == Role::Admin {
                    admin = Some(Actor::user(user.id, &user.username));
                }
            }
            // Whose login form each caller posts (with a wrong password): one account each,
            // so the failures stay under the lock-out threshold.
            store.create_user(&cli, &format!("probe-{}", who.slug()), &hash, Role::Viewer).await.expect("user");
        }
        let shop = store.create_project(&cli, PROJECT, "Shop", "").await.expect("project");
        let other = store.create_project(&cli, "other", "Other", "").await.expect("project");
        for (who, project) in [(Who::OwnToken, shop.id), (Who::OtherToken, other.id), (Who::RevokedToken, shop.id)] {
            let (token, hash, prefix) = readyboard_auth::new_token("t");
            let row = store.create_token(&cli, project, who.slug(), &hash, &prefix).await.expect("token");
            if who == Who::RevokedToken {
                store.revoke_token(&cli, row.id).await.expect("revoke");
            }
            app.tokens.insert(who, token);
        }
        for who in EVERYONE {
            let Some(user) = who.pat_user() else { continue };
            let (token, hash, prefix) = readyboard_auth::new_token("p");
            let row = store.create_personal_token(&cli, user, who.slug(), &hash, &prefix).await.expect("token");
            if who == Who::RevokedPat {
                store.revoke_personal_token(&cli, row.id).await.expect("revoke");
            }
            app.tokens.insert(who, token);
        }

        // Evidence, a decision and an earlier phase of the sample project.
        let r = app
            .request(
                Who::OwnToken,
                Method::POST,
                "/api/v1/reports?project=shop&phase=sprint-4.1&suite=api",
                junit("api"),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        app.fixture.report = serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["id"].as_i64().unwrap();
        let phase = store.phase(shop.id, PHASE).await.expect("phase");
        store.create_phase(&cli, shop.id, "release-0", "Release 0").await.expect("phase");
        let decision = readyboard_store::NewDecision {
            decision: "no_go".into(),
            rationale: "Failing tests block the release".into(),
            conditions: Vec::new(),
            override_reason: None,
        };
        let admin = admin.expect("an admin");
        app.fixture.decision = store.record_decision(&admin, &phase, &decision).await.expect("decision").id;

        // One object per caller for every action that changes one.
        let item = |title: String| readyboard_store::ItemInput {
            title,
            status: "todo".into(),
            required: true,
            ..Default::default()
        };
        store.add_checklist_item(&cli, &phase, &item("First item".into())).await.expect("item");
        // An endpoint told of new blockers: each blocker below queues a delivery to it.
        let told = vec!["blocker.opened".to_string()];
        let shared = store.create_webhook(&cli, shop.id, "http://127.0.0.1:9/told", "json", &told, "s").await;
        let shared = shared.expect("webhook").id;
        for who in EVERYONE {
            let mut values = BTreeMap::new();
            let url = format!("http://127.0.0.1:9/{}", who.slug());
            let hook = store.create_webhook(&cli, shop.id, &url, "json", &told, "s").await.expect("webhook");
            values.insert("webhook_delete".into(), hook.id.to_string());
            for action in ["assign", "resolve", "waive", "reopen"] {
                let b = readyboard_store::NewBlocker {
                    severity: "high".into(),
                    title: format!("To {action} as {}", who.slug()),
                    ..Default::default()
                };
                let b = store.add_blocker(&cli, phase.id, &b).await.expect("blocker");
                if action == "reopen" {
                    store.waive_blocker(&admin, b.row.id, "Waived to be reopened").await.expect("waive");
                }
                values.insert(format!("blocker_{action}"), b.row.id.to_string());
            }
            for action in ["update", "move", "delete", "sign"] {
                let title = format!("To {action} as {}", who.slug());
                let i = store.add_checklist_item(&cli, &phase, &item(title)).await.expect("item");
                values.insert(format!("item_{action}"), i.id.to_string());
            }
            for action in ["assign", "resolve", "waive", "reopen"] {
                let title = format!("To {action} through the API as {}", who.slug());
                let b = readyboard_store::NewBlocker { severity: "high".into(), title, ..Default::default() };
                let b = store.add_blocker(&cli, phase.id, &b).await.expect("blocker");
                if action == "reopen" {
                    store.waive_blocker(&admin, b.row.id, "Waived to be reopened").await.expect("waive");
                }
                values.insert(format!("api_blocker_{action}"), b.row.id.to_string());
            }
            for action in ["update", "delete", "signoffs"] {
                let title = format!("To {action} through the API as {}", who.slug());
                let i = store.add_checklist_item(&cli, &phase, &item(title)).await.expect("item");
                values.insert(format!("api_item_{action}"), i.id.to_string());
            }
            let (_, hash, prefix) = readyboard_auth::new_token("t");
            let t = store.create_token(&cli, shop.id, &format!("revoke-{}", who.slug()), &hash, &prefix).await;
            values.insert("token_revoke".into(), t.expect("token").id.to_string());
            let target = format!("target-{}", who.slug());
            store.create_user(&cli, &target, &hash, Role::Viewer).await.expect("user");
            values.insert("target_user".into(), target);
            // A personal token to revoke: the caller's own, or for a caller who is no person
            // the approver's, which they must leave alone.
            let owner = if who.role().is_some() { who.slug() } else { "approver" };
            let (_, pat_hash, pat_prefix) = readyboard_auth::new_token("p");
            let name = format!("revoke-{}", who.slug());
            let pat = store.create_personal_token(&cli, owner, &name, &pat_hash, &pat_prefix).await;
            values.insert("pat_revoke".into(), pat.expect("personal token").id.to_string());
            // One to the endpoint no caller removes.
            let queued = store.deliveries(shop.id, 100).await.expect("deliveries");
            let newest = queued.iter().find(|d| d.webhook_id == shared).expect("a delivery");
            values.insert("delivery".into(), newest.id.to_string());
            app.fixture.per_caller.insert(who, values);
        }

        for who in EVERYONE {
            if who.role().is_some() {
                let cookie = app.log_in(who.slug()).await;
                app.cookies.insert(who, cookie);
            }
        }
        app
    }

    /// Logs `username` in and returns the `name=value` session cookie.
    async fn log_in(&self, username: &str) -> String {
        let form = format!("username={username}&password={}&next=/", PASSWORD.replace(' ', "+"));
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        let resp = self.router.clone().oneshot(req).await.expect("router answers");
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{username} logs in");
        let set = resp.headers().get(header::SET_COOKIE).expect("a session cookie").to_str().unwrap();
        set.split(';').next().unwrap().trim().to_string()
    }

    /// Sends a request as `who`, the way a browser on this site (with its session) or CI
    /// (with its token) would.
    async fn request(&self, who: Who, method: Method, uri: &str, body: impl Into<Body>) -> Resp {
        self.send(who, Request::builder().method(method).uri(uri), body.into()).await
    }

    async fn send(&self, who: Who, mut req: axum::http::request::Builder, body: Body) -> Resp {
        if let Some(cookie) = self.cookies.get(&who) {
            req = req.header(header::COOKIE, cookie).header("sec-fetch-site", "same-origin");
        }
        if let Some(token) = self.tokens.get(&who) {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let resp = self.router.clone().oneshot(req.body(body).unwrap()).await.expect("router answers");
        let status = resp.status();
        let location = resp.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        // A live page's event stream never ends: its status is the answer.
        let streams = resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes() == b"text/event-stream");
        let bytes =
            if streams { Default::default() } else { resp.into_body().collect().await.expect("read body").to_bytes() };
        Resp { status, location, body: String::from_utf8_lossy(&bytes).chars().take(300).collect() }
    }

    /// A sign that anything at all changed in the store: its change counter and the newest
    /// audit entry (every change by a person or a token is audited).
    async fn change_marker(&self) -> (u64, Option<i64>) {
        let last = self.store.audit_recent(1).await.expect("audit").first().map(|a| a.id);
        (self.store.generation(), last)
    }
}

/// A request of the matrix: which route, as whom, and what must come back.
struct Row {
    route: String,
    who: Who,
    method: Method,
    uri: String,
    content_type: Option<String>,
    body: Vec<u8>,
    expect: Expect,
    /// Whether the caller is refused, so that nothing may change.
    refused: bool,
}

/// A multipart import form with the suite and pasted text.
fn import_form(suite: &str) -> (String, Vec<u8>) {
    let boundary = "authzmatrixboundary";
    let mut body = String::new();
    for (name, value) in [("suite", suite), ("format", "auto"), ("text", MARKDOWN_REPORT)] {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body.into_bytes())
}

/// The request body a route's sample call sends as `who`.
fn endpoint_body(path: &str, who: Who) -> (Option<String>, Vec<u8>) {
    let form = |s: String| (Some("application/x-www-form-urlencoded".to_string()), s.into_bytes());
    match path {
        "/api/v1/reports" => (Some("application/xml".into()), junit(&format!("upload-{}", who.slug())).into_bytes()),
        "/login" => form(format!("username=probe-{}&password=not+the+password&next=/", who.slug())),
        "/logout" => (None, Vec::new()),
        // Refused before the (slow) password hashing: the password is too short.
        "/setup" => form("token=not-a-setup-token&username=mallory&password=short".into()),
        "/import/{project}/{phase}" => {
            let (ct, body) = import_form(&format!("import-{}", who.slug()));
            (Some(ct), body)
        }
        _ => match rest_body(path, who) {
            Some(json) => (Some("application/json".into()), json.to_string().into_bytes()),
            None => (None, Vec::new()),
        },
    }
}

/// The JSON a REST write's sample call sends as `who` (`None`: no body).
fn rest_body(path: &str, who: Who) -> Option<serde_json::Value> {
    use serde_json::json;
    let me = who.slug();
    Some(match path {
        "/api/v1/projects/{p}/phases/{ph}/decisions" => {
            json!({"decision": "no_go", "rationale": format!("Recorded through the API by {me}")})
        }
        "/api/v1/projects/{p}/phases/{ph}/blockers" => {
            json!({"severity": "high", "title": format!("API blocker by {me}")})
        }
        "/api/v1/blockers/{id}/assign" => json!({"owner": "editor", "due_date": "2030-01-01"}),
        "/api/v1/blockers/{id}/waive" => json!({"rationale": "Accepted for the pilot release"}),
        "/api/v1/projects/{p}/phases/{ph}/checklist" => json!({"title": format!("API item by {me}")}),
        "/api/v1/checklist/{id}" => json!({"title": format!("API edit by {me}"), "version": 1}),
        "/api/v1/checklist/{id}/signoffs" => json!({"verdict": "approve", "comment": "Checked through the API"}),
        _ => return None,
    })
}

/// Every row of the matrix, from the router's own listings.
fn matrix(app: &App) -> Vec<Row> {
    let mut rows = Vec::new();
    let fixture = &app.fixture;
    for e in readyboard_server::router::endpoints() {
        let uri = sample_path(e.path, fixture);
        let uri = if e.path == "/api/v1/reports" { format!("{uri}?project=shop&phase=sprint-4.1") } else { uri };
        let method = e.method.clone().unwrap_or(Method::GET);
        // An item is edited and deleted by different rows: each changes its own.
        let uri = match e.method {
            Some(Method::PUT) => uri.replace("{api_item}", "{api_item_update}"),
            Some(Method::DELETE) => uri.replace("{api_item}", "{api_item_delete}") + "?version=1",
            _ => uri,
        };
        for who in EVERYONE {
            let (content_type, body) = endpoint_body(e.path, who);
            let route = format!("{} {}", e.method.as_ref().map(Method::as_str).unwrap_or("ANY"), e.path);
            let uri = fill(&uri, &fixture.values(who));
            let uri = if e.path == "/api/v1/reports" { format!("{uri}&suite=upload-{}", who.slug()) } else { uri };
            let expect = endpoint_expectation(&e, who);
            let refused = e.access != Access::Public && expect.refuses();
            rows.push(Row { route, who, method: method.clone(), uri, content_type, body, expect, refused });
        }
        // A caller who may not read a project or report cannot tell whether it exists: the
        // same request about one that does not exist gets the same answer.
        if method == Method::GET && ghost_path(e.path, fixture) != sample_path(e.path, fixture) {
            let ghost = ghost_path(e.path, fixture);
            for who in [Who::Anonymous, Who::OtherToken, Who::RevokedToken] {
                let expect = endpoint_expectation(&e, who);
                let route = format!("GET {} (none such)", e.path);
                let uri = ghost.clone();
                rows.push(Row {
                    route,
                    who,
                    method: Method::GET,
                    uri,
                    content_type: None,
                    body: Vec::new(),
                    expect,
                    refused: true,
                });
            }
        }
    }
    // HEAD renders a page as GET does, without the body: it is held to the same login.
    for page in readyboard_server::router::page_routes() {
        let uri = sample_path(page.path(), fixture);
        for (method, who) in [Method::GET, Method::HEAD].into_iter().flat_map(|m| EVERYONE.map(|w| (m.clone(), w))) {
            let expect = page_expectation(page.path(), who);
            let route = format!("page {method} {}", page.path());
            let (uri, refused) = (uri.clone(), expect.refuses());
            rows.push(Row { route, who, method, uri, content_type: None, body: Vec::new(), expect, refused });
        }
    }
    for f in server_fn_rows() {
        for who in EVERYONE {
            let form = fill(f.form, &fixture.values(who));
            rows.push(Row {
                route: format!("server fn {}", f.path),
                who,
                method: Method::POST,
                uri: f.path.to_string(),
                content_type: Some("application/x-www-form-urlencoded".into()),
                body: form.into_bytes(),
                expect: server_fn_expectation(f.needs, who),
                refused: server_fn_expectation(f.needs, who).refuses(),
            });
        }
    }
    // Static files are served from the site root to anyone.
    for path in ["/favicon.svg", "/pkg/readyboard.css"] {
        for who in EVERYONE {
            rows.push(Row {
                route: format!("static {path}"),
                who,
                method: Method::GET,
                uri: path.into(),
                content_type: None,
                body: Vec::new(),
                expect: OK,
                refused: false,
            });
        }
    }
    // Logging out ends the caller's session, which the other rows still use: last.
    rows.sort_by_key(|r| r.route == "POST /logout");
    rows
}

// ---------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn every_route_and_server_function_answers_each_caller_as_its_access_says() {
    let app = App::new().await;
    let rows = matrix(&app);
    let mut failures = Vec::new();
    for row in &rows {
        let before = app.change_marker().await;
        let mut req =
            Request::builder().method(row.method.clone()).uri(&row.uri).header(header::ACCEPT, "application/json");
        if let Some(ct) = &row.content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let r = app.send(row.who, req, Body::from(row.body.clone())).await;
        let got_it = match row.expect {
            Expect::Status(s) => r.status == s,
            Expect::Redirect(to) => r.status == StatusCode::SEE_OTHER && r.location.starts_with(to),
        };
        if !got_it {
            failures.push(format!(
                "{} as {:?}: expected {:?}, got {} {} {}",
                row.route, row.who, row.expect, r.status, r.location, r.body
            ));
        } else if row.refused && app.change_marker().await != before {
            failures.push(format!("{} as {:?}: refused, but the store changed", row.route, row.who));
        }
    }
    assert!(failures.is_empty(), "{} of {} rows failed:\n{}", failures.len(), rows.len(), failures.join("\n"));
    eprintln!("authorization matrix: {} rows asserted", rows.len());
}

#[test]
fn every_server_function_has_a_row() {
    let registered: BTreeSet<(String, String)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (path.to_string(), method.to_string()))
        .collect();
    let listed: BTreeSet<(String, String)> =
        server_fn_rows().iter().map(|r| (r.path.to_string(), "POST".to_string())).collect();
    let missing: Vec<_> = registered.difference(&listed).collect();
    assert!(missing.is_empty(), "server functions with no row in the authorization matrix: {missing:?}");
    let stale: Vec<_> = listed.difference(&registered).collect();
    assert!(stale.is_empty(), "matrix rows for server functions the router does not serve: {stale:?}");
}
