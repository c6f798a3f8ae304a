//! HTTP behaviour of the whole router, driven in-process with `oneshot` on a fresh
//! in-memory SQLite store per test.

use readyboard_domain::checklist::SignoffVerdict;
use std::io::Write;

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use readyboard_domain::role::Role;
use readyboard_server::cli::{DbArgs, ServeArgs};
use readyboard_server::page_cache;
use readyboard_store::{Actor, Store};
use serde_json::{Value, json};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery staple";

/// A router on its own database, with project `shop` (token `token`), project `other`
/// (token `other_token`) and user `alice`.
struct TestApp {
    router: Router,
    store: Store,
    token: String,
    other_token: String,
    shop_id: i64,
    site_root: std::path::PathBuf,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.site_root);
    }
}

/// A real argon2id hash with tiny parameters, so that logins verify quickly in tests.
fn cheap_hash(password: &str) -> String {
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8, 1, 1, None).expect("params"));
    let salt = SaltString::encode_b64(b"fixed-test-salt!").expect("salt");
    argon.hash_password(password.as_bytes(), &salt).expect("hash").to_string()
}

async fn app_with_limit(max_upload_mb: u64) -> TestApp {
    app_with(|args| args.max_upload_mb = max_upload_mb).await
}

/// A test app whose serve options `configure` adjusts.
async fn app_with(configure: impl FnOnce(&mut ServeArgs)) -> TestApp {
    let store = Store::open("sqlite::memory:").await.expect("open store");
    let site_root = std::env::temp_dir().join(format!("rb_site_{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&site_root).expect("site root");
    let mut args = ServeArgs {
        db: DbArgs { database_url: "sqlite::memory:".into() },
        addr: "127.0.0.1:0".into(),
        base_url: Some("http://rb.test".into()),
        site_root: site_root.display().to_string(),
        max_upload_mb: 64,
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
    configure(&mut args);
    let state = readyboard_server::state(store.clone(), &args, "http://rb.test".into());
    let router = readyboard_server::router(state);

    let cli = Actor::system("test");
    store.create_user(&cli, "alice", &cheap_hash(PASSWORD), Role::Viewer).await.expect("user");
    let shop = store.create_project(&cli, "shop", "Shop", "").await.expect("project");
    let other = store.create_project(&cli, "other", "Other", "").await.expect("project");
    let (token, hash, prefix) = readyboard_auth::new_token("t");
    store.create_token(&cli, shop.id, "ci", &hash, &prefix).await.expect("token");
    let (other_token, hash, prefix) = readyboard_auth::new_token("t");
    store.create_token(&cli, other.id, "ci", &hash, &prefix).await.expect("token");
    TestApp { router, store, token, other_token, shop_id: shop.id, site_root }
}

async fn app() -> TestApp {
    app_with_limit(64).await
}

/// A response, read whole.
struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: impl header::AsHeaderName) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn location(&self) -> &str {
        self.header(header::LOCATION)
    }

    /// Asserts an RFC 9457 problem with `status` and returns its body.
    fn problem(&self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "body: {}", String::from_utf8_lossy(&self.body));
        assert_eq!(self.header(header::CONTENT_TYPE), "application/problem+json");
        let v = self.json();
        assert_eq!(v["status"], status.as_u16());
        assert!(v["title"].as_str().is_some_and(|t| !t.is_empty()), "a problem has a title: {v}");
        v
    }
}

impl TestApp {
    async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.expect("router answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.expect("read body").to_bytes();
        Resp { status, headers, body }
    }

    async fn get(&self, uri: &str, token: Option<&str>) -> Resp {
        let mut req = Request::get(uri);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    async fn upload(&self, query: &str, token: Option<&str>, extra: &[(&str, &str)], body: impl Into<Body>) -> Resp {
        let mut req = Request::post(format!("/api/v1/reports?{query}"));
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        self.send(req.body(body.into()).unwrap()).await
    }

    async fn login(&self, username: &str, password: &str, next: &str) -> Resp {
        let form = format!("username={username}&password={}&next={next}", password.replace(' ', "+"));
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        self.send(req).await
    }

    async fn report_count(&self) -> usize {
        let mut n = 0;
        for p in self.store.list_projects().await.unwrap() {
            for ph in self.store.phases(p.id).await.unwrap() {
                n += self.store.phase_reports(ph.id, 10_000).await.unwrap().len();
            }
        }
        n
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// JUnit with 8 passes, 2 failures, 1 error and 1 skip: score 8/11 = 72.7 → conditional.
fn junit(extra_case: &str) -> String {
    let mut cases = String::new();
    for i in 0..8 {
        cases.push_str(&format!(r#"<testcase classname="api" name="ok_{i}" time="0.01"/>"#));
    }
    cases.push_str(
        r#"<testcase classname="api" name="bad_1"><failure message="expected 200">trace 1</failure></testcase>"#,
    );
    cases.push_str(
        r#"<testcase classname="api" name="bad_2"><failure message="expected 201">trace 2</failure></testcase>"#,
    );
    cases.push_str(r#"<testcase classname="api" name="broken"><error message="timeout">trace 3</error></testcase>"#);
    cases.push_str(r#"<testcase classname="api" name="later"><skipped/></testcase>"#);
    cases.push_str(extra_case);
    format!(r#"<?xml version="1.0" encoding="UTF-8"?><testsuite name="api" tests="12">{cases}</testsuite>"#)
}

const UPLOAD_Q: &str = "project=shop&phase=release-1&suite=api";

// ---------------------------------------------------------------------------------------
// Operational endpoints and headers
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn healthz_and_readyz_answer_json_ok() {
    let app = app().await;
    let r = app.get("/healthz", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header(header::CONTENT_TYPE).starts_with("application/json"));
    assert_eq!(r.json()["status"], "ok");
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
    assert_eq!(r.json()["database"], "ok");
}

#[tokio::test]
async fn readyz_reports_unavailable_when_the_database_is_gone() {
    let app = app().await;
    app.store.close().await;
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.json()["database"], "unreachable");
}

#[tokio::test]
async fn every_response_carries_security_headers_and_a_request_id() {
    let app = app().await;
    for uri in ["/healthz", "/api/v1/nope", "/p/shop"] {
        let r = app.get(uri, None).await;
        assert_eq!(r.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{uri}");
        assert_eq!(r.header(header::X_FRAME_OPTIONS), "DENY", "{uri}");
        assert_eq!(r.header(header::REFERRER_POLICY), "strict-origin-when-cross-origin", "{uri}");
        assert!(r.header(header::CONTENT_SECURITY_POLICY).contains("frame-ancestors 'none'"), "{uri}");
        assert!(!r.header("x-request-id").is_empty(), "{uri}");
        assert!(r.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS over plain http");
    }
}

#[tokio::test]
async fn metrics_are_prometheus_text() {
    let app = app().await;
    assert_eq!(app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await.status, StatusCode::CREATED);
    assert_eq!(app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await.status, StatusCode::OK);
    assert_eq!(app.upload(UPLOAD_Q, Some(&app.token), &[], "not a report").await.status.as_u16(), 415);
    let status = app.get("/api/v1/projects/shop/phases/release-1/status", Some(&app.token)).await.json();
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header(header::CONTENT_TYPE).starts_with("application/openmetrics-text"));
    let text = String::from_utf8(r.body.to_vec()).unwrap();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("a valid exposition");
    let value = |metric: &str, labels: &[(&str, &str)]| -> Option<f64> {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .map(|s| match &s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => *v,
                prometheus_parse::Value::Histogram(buckets) => buckets.last().map_or(0.0, |b| b.count),
                prometheus_parse::Value::Summary(_) => f64::NAN,
            })
    };
    let upload = [("route", "/api/v1/reports"), ("method", "POST")];
    assert_eq!(value("readyboard_http_requests_total", &[upload[0], upload[1], ("class", "2xx")]), Some(2.0));
    assert_eq!(value("readyboard_http_requests_total", &[upload[0], upload[1], ("class", "4xx")]), Some(1.0));
    assert_eq!(value("readyboard_http_request_duration_seconds", &upload), Some(3.0), "the +Inf bucket counts all");
    assert_eq!(value("readyboard_ingest_reports_total", &[("format", "junit"), ("outcome", "created")]), Some(1.0));
    assert_eq!(value("readyboard_ingest_reports_total", &[("format", "junit"), ("outcome", "duplicate")]), Some(1.0));
    assert_eq!(value("readyboard_ingest_reports_total", &[("outcome", "rejected")]), Some(1.0));
    assert_eq!(value("readyboard_ingest_report_bytes", &[("format", "junit")]), Some(1.0));
    let phase = [("project", "shop"), ("phase", "release-1")];
    assert_eq!(value("readyboard_phase_score", &phase), status["score"].as_f64());
    let verdict = status["verdict"].as_str().unwrap();
    assert_eq!(value("readyboard_phase_verdict", &[phase[0], phase[1], ("verdict", verdict)]), Some(1.0));
    assert_eq!(value("readyboard_phase_verdict", &[phase[0], phase[1], ("verdict", "ready")]), Some(0.0));
    assert!(value("readyboard_db_pool_connections", &[("state", "idle")]).is_some());
    assert_eq!(value("readyboard_reports_created_total", &[]), Some(1.0));
}

#[tokio::test]
async fn unknown_api_path_is_a_json_404_problem() {
    let app = app().await;
    let r = app.get("/api/v1/does-not-exist", None).await;
    let p = r.problem(StatusCode::NOT_FOUND);
    assert!(p["detail"].as_str().unwrap().contains("openapi.json"));
    let r = app.send(Request::delete("/api/v2/anything").body(Body::empty()).unwrap()).await;
    r.problem(StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------
// Upload: authentication and authorisation
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn upload_without_token_is_401_problem() {
    let app = app().await;
    let r = app.upload(UPLOAD_Q, None, &[], junit("")).await;
    r.problem(StatusCode::UNAUTHORIZED);
    assert_eq!(app.report_count().await, 0);
}

#[tokio::test]
async fn upload_with_malformed_authorization_header_is_401() {
    let app = app().await;
    let r = app.upload(UPLOAD_Q, None, &[("authorization", "Basic YWxpY2U6eA==")], junit("")).await;
    r.problem(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn upload_with_revoked_token_is_401() {
    let app = app().await;
    let token = app.store.list_tokens().await.unwrap().into_iter().find(|t| t.project_slug == "shop").unwrap();
    app.store.revoke_token(&Actor::system("test"), token.id).await.unwrap();
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    let p = r.problem(StatusCode::UNAUTHORIZED);
    assert!(p["detail"].as_str().unwrap().contains("revoked"));
    assert_eq!(app.report_count().await, 0);
}

#[tokio::test]
async fn upload_with_unknown_token_is_401() {
    let app = app().await;
    let r = app.upload(UPLOAD_Q, Some("rbt_not-a-real-token"), &[], junit("")).await;
    r.problem(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn upload_with_token_of_another_project_is_403_and_stores_nothing() {
    let app = app().await;
    let r = app.upload(UPLOAD_Q, Some(&app.other_token), &[], junit("")).await;
    let p = r.problem(StatusCode::FORBIDDEN);
    assert!(p["detail"].as_str().unwrap().contains("other"));
    assert_eq!(app.report_count().await, 0);
    assert!(app.store.phases(app.shop_id).await.unwrap().is_empty());
}

#[tokio::test]
async fn upload_with_a_session_instead_of_a_token_is_403() {
    let app = app().await;
    let cookie = session_cookie(&app).await;
    let req = Request::post(format!("/api/v1/reports?{UPLOAD_Q}"))
        .header(header::COOKIE, cookie)
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(junit("")))
        .unwrap();
    app.send(req).await.problem(StatusCode::FORBIDDEN);
    assert_eq!(app.report_count().await, 0);
}

// ---------------------------------------------------------------------------------------
// Upload: storing, idempotency, compression
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn junit_upload_is_201_with_counts_score_and_verdict() {
    let app = app().await;
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    let id = v["id"].as_i64().expect("numeric id");
    assert_eq!(v["url"], format!("http://rb.test/reports/{id}"));
    assert_eq!(r.location(), format!("/api/v1/reports/{id}"));
    assert_eq!(v["project"], "shop");
    assert_eq!(v["phase"], "release-1");
    assert_eq!(v["suite"], "api");
    assert_eq!(v["format"], "junit");
    let c = &v["counts"];
    assert_eq!((c["tests"].as_u64(), c["passed"].as_u64()), (Some(12), Some(8)));
    assert_eq!((c["failed"].as_u64(), c["errors"].as_u64(), c["skipped"].as_u64()), (Some(2), Some(1), Some(1)));
    assert_eq!(v["score"].as_f64(), Some(72.7), "8 of 11 scorable checks pass");
    assert_eq!(v["verdict"], "conditional");
    assert_eq!(app.report_count().await, 1);
    // Where the time went: reading the body, waiting for a turn, parsing, then the store's
    // tally and its transaction.
    let timing = r.headers.get("server-timing").and_then(|v| v.to_str().ok()).expect("a Server-Timing header");
    let parts: Vec<(&str, f64)> = timing
        .split(", ")
        .map(|p| {
            (p.split(';').next().unwrap_or(""), p.rsplit("dur=").next().and_then(|d| d.parse().ok()).unwrap_or(-1.0))
        })
        .collect();
    assert_eq!(
        parts.iter().map(|p| p.0).collect::<Vec<_>>(),
        ["receive", "wait", "parse", "store", "encode", "write"],
        "{timing}"
    );
    assert!(parts.iter().all(|p| p.1 >= 0.0), "every part has a duration: {timing}");
    assert!(
        parts[5].1 > 0.0 && parts[5].1 <= parts[3].1,
        "the transaction is timed, within the store's share: {timing}"
    );
}

#[tokio::test]
async fn exact_reupload_is_200_with_the_same_id_and_stores_nothing_new() {
    let app = app().await;
    let first = app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json(), first.json(), "an exact re-upload answers with the same body");
    assert_eq!(app.report_count().await, 1);
}

#[tokio::test]
async fn same_idempotency_key_with_a_different_body_is_200_with_the_same_id() {
    let app = app().await;
    let key = [("idempotency-key", "ci-run-42")];
    let first = app.upload(UPLOAD_Q, Some(&app.token), &key, junit("")).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let other_body = junit(r#"<testcase name="extra"/>"#);
    let replay = app.upload(UPLOAD_Q, Some(&app.token), &key, other_body.clone()).await;
    assert_eq!(replay.status, StatusCode::OK);
    assert_eq!(replay.json()["id"], first.json()["id"]);
    assert_eq!(replay.json()["counts"]["tests"], 12, "the stored report, not the replayed body");
    assert_eq!(app.report_count().await, 1);
    // Without the key, that body is a new report.
    let fresh = app.upload(UPLOAD_Q, Some(&app.token), &[], other_body).await;
    assert_eq!(fresh.status, StatusCode::CREATED);
    assert_ne!(fresh.json()["id"], first.json()["id"]);
    assert_eq!(app.report_count().await, 2);
}

#[tokio::test]
async fn gzip_encoded_upload_is_accepted_and_deduplicates_with_the_plain_body() {
    let app = app().await;
    let body = junit("");
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[("content-encoding", "gzip")], gzip(body.as_bytes())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["counts"]["tests"], 12);
    // The content hash is of the decompressed artifact.
    let plain = app.upload(UPLOAD_Q, Some(&app.token), &[], body.clone()).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.json()["id"], r.json()["id"]);
    // The raw artifact downloads as a .gz file that inflates to the uploaded bytes.
    let id = r.json()["id"].as_i64().unwrap();
    let raw = app.get(&format!("/api/v1/reports/{id}/raw"), Some(&app.token)).await;
    assert_eq!(raw.status, StatusCode::OK);
    assert_eq!(raw.header(header::CONTENT_TYPE), "application/gzip");
    assert!(raw.header(header::CONTENT_DISPOSITION).contains(&format!("report-{id}.xml.gz")));
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&raw.body[..]), &mut bytes).unwrap();
    assert_eq!(bytes, body.as_bytes());
}

#[tokio::test]
async fn gzip_bomb_is_refused_with_413() {
    let app = app_with_limit(1).await;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..100 {
        enc.write_all(&zeros).unwrap();
    }
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 1024 * 1024, "the compressed bomb fits under the limit");
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[("content-encoding", "gzip")], bomb).await;
    r.problem(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.report_count().await, 0);
}

#[tokio::test]
async fn plain_body_over_the_limit_is_refused_with_413() {
    let app = app_with_limit(1).await;
    let mut big = junit("").into_bytes();
    big.extend(std::iter::repeat_n(b' ', 2 * 1024 * 1024));
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[], big).await;
    r.problem(StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn invalid_gzip_body_is_400() {
    let app = app().await;
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[("content-encoding", "gzip")], "not gzip at all").await;
    r.problem(StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------------------------------
// Upload: rejected artifacts
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_xml_is_400_with_line_and_column() {
    let app = app().await;
    let body = "<?xml version=\"1.0\"?>\n<testsuite name=\"x\">\n  <testcase name=\"a\">\n</testsuite>\n";
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[], body).await;
    let p = r.problem(StatusCode::BAD_REQUEST);
    let line = p["line"].as_u64().expect("line in the problem body");
    let column = p["column"].as_u64().expect("column in the problem body");
    assert_eq!(line, 4, "the mismatched end tag is on line 4: {p}");
    assert!(column >= 1);
    assert!(p["detail"].as_str().unwrap().contains(&format!("line {line}, column {column}")));
    assert_eq!(app.report_count().await, 0);
}

#[tokio::test]
async fn doctype_with_external_entity_is_400_and_nothing_is_stored() {
    let app = app().await;
    let body = r#"<?xml version="1.0"?>
<!DOCTYPE testsuite [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<testsuite name="x"><testcase name="&xxe;"/></testsuite>"#;
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[], body).await;
    let p = r.problem(StatusCode::BAD_REQUEST);
    assert!(!String::from_utf8_lossy(&r.body).contains("root:"), "no file content leaks: {p}");
    assert_eq!(app.report_count().await, 0);
    assert!(app.store.phases(app.shop_id).await.unwrap().is_empty(), "not even the phase was created");
    let audit = app.store.audit_recent(100).await.unwrap();
    assert!(audit.iter().all(|a| a.action != "report.create" && a.action != "phase.create"));
}

#[tokio::test]
async fn unknown_format_is_415_listing_supported_formats() {
    let app = app().await;
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[], "just some text, not a report").await;
    let p = r.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let supported: Vec<&str> = p["supported"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(supported.contains(&"junit") && supported.contains(&"readyboard") && supported.contains(&"ctrf"));
    let r = app.upload(&format!("{UPLOAD_Q}&format=excel"), Some(&app.token), &[], junit("")).await;
    let p = r.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(p["supported"].is_array());
    assert_eq!(app.report_count().await, 0);
}

#[tokio::test]
async fn readyboard_json_without_suite_is_422() {
    let app = app().await;
    let body = r#"{"schema": "readyboard/v1", "project": "shop", "phase": "release-1",
                   "checks": [{"id": "a", "status": "pass"}]}"#;
    let r = app.upload("", Some(&app.token), &[], body).await;
    let p = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p["detail"].as_str().unwrap().contains("suite"), "{p}");
    assert_eq!(app.report_count().await, 0);
}

#[tokio::test]
async fn junit_without_phase_is_422_naming_the_field() {
    let app = app().await;
    let r = app.upload("suite=api", Some(&app.token), &[], junit("")).await;
    let p = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "phase");
}

#[tokio::test]
async fn readyboard_json_places_itself_and_a_critical_finding_means_no_go() {
    let app = app().await;
    let body = r#"{"schema": "readyboard/v1", "project": "shop", "phase": "release-1", "suite": "security",
                   "checks": [{"id": "a", "status": "pass"}],
                   "findings": [{"id": "CVE-1", "severity": "critical", "title": "RCE"}]}"#;
    let r = app.upload("", Some(&app.token), &[], body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    assert_eq!(
        (v["project"].as_str(), v["phase"].as_str(), v["suite"].as_str()),
        (Some("shop"), Some("release-1"), Some("security"))
    );
    assert_eq!(v["verdict"], "no_go");
    let id = v["id"].as_i64().unwrap();
    let report = app.get(&format!("/api/v1/reports/{id}"), Some(&app.token)).await.json();
    assert_eq!(report["findings"][0]["id"], "CVE-1");
    assert_eq!(report["findings"][0]["severity"], "critical");
    assert_eq!(report["findings"][0]["status"], "open");
    let blockers = app.get("/api/v1/projects/shop/phases/release-1/blockers", Some(&app.token)).await;
    assert_eq!(blockers.status, StatusCode::OK);
    assert_eq!(blockers.json()["items"].as_array().unwrap().len(), 1);
}

// ---------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------

async fn uploaded_junit(app: &TestApp) -> i64 {
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    assert_eq!(r.status, StatusCode::CREATED);
    r.json()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn report_reads_back_with_counts_run_and_claims() {
    let app = app().await;
    let id = uploaded_junit(&app).await;
    let r = app.get(&format!("/api/v1/reports/{id}"), Some(&app.token)).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["id"], id);
    assert_eq!(v["format"], "junit");
    assert_eq!(v["counts"]["tests"], 12);
    assert_eq!(v["counts"]["failed"], 2);
    assert_eq!(v["score"].as_f64(), Some(72.7));
    assert_eq!(v["verdict"], "conditional");
    assert!(v["run"].is_object());
    assert!(v["claimed"].is_null());
    assert!(v["findings"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn report_of_another_project_reads_as_404() {
    let app = app().await;
    let id = uploaded_junit(&app).await;
    app.get(&format!("/api/v1/reports/{id}"), Some(&app.other_token)).await.problem(StatusCode::NOT_FOUND);
    app.get(&format!("/api/v1/reports/{id}/checks"), Some(&app.other_token)).await.problem(StatusCode::NOT_FOUND);
    app.get(&format!("/api/v1/reports/{id}"), None).await.problem(StatusCode::UNAUTHORIZED);
    app.get("/api/v1/reports/999999", Some(&app.token)).await.problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn checks_are_paged_failures_first_and_filter_by_status() {
    let app = app().await;
    let id = uploaded_junit(&app).await;
    let all = app.get(&format!("/api/v1/reports/{id}/checks?per_page=4"), Some(&app.token)).await;
    assert_eq!(all.status, StatusCode::OK);
    let v = all.json();
    assert_eq!(v["total"], 12);
    let statuses: Vec<&str> = v["items"].as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["error", "fail", "fail", "skip"], "most severe first");
    assert_eq!(v["items"][0]["name"], "broken");
    assert_eq!(v["items"][0]["message"], "timeout");

    let page1 = app.get(&format!("/api/v1/reports/{id}/checks?status=fail&per_page=1&page=1"), Some(&app.token)).await;
    let page2 = app.get(&format!("/api/v1/reports/{id}/checks?status=fail&per_page=1&page=2"), Some(&app.token)).await;
    let page3 = app.get(&format!("/api/v1/reports/{id}/checks?status=fail&per_page=1&page=3"), Some(&app.token)).await;
    let (p1, p2, p3) = (page1.json(), page2.json(), page3.json());
    assert_eq!((p1["total"].as_i64(), p2["total"].as_i64()), (Some(2), Some(2)));
    assert_eq!(p1["items"][0]["name"], "bad_1");
    assert_eq!(p1["items"][0]["message"], "expected 200");
    assert_eq!(p2["items"][0]["name"], "bad_2");
    assert!(p3["items"].as_array().unwrap().is_empty());
    for item in p1["items"].as_array().unwrap().iter().chain(p2["items"].as_array().unwrap()) {
        assert_eq!(item["status"], "fail");
        for field in ["id", "name", "suite_path", "category", "status", "duration_ms", "message"] {
            assert!(item.get(field).is_some(), "check item has `{field}`: {item}");
        }
    }
}

#[tokio::test]
async fn checks_reject_bad_status_and_paging_parameters() {
    let app = app().await;
    let id = uploaded_junit(&app).await;
    for q in ["status=broken", "per_page=0", "per_page=1001", "page=0"] {
        let r = app.get(&format!("/api/v1/reports/{id}/checks?{q}"), Some(&app.token)).await;
        r.problem(StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn status_endpoint_gives_score_verdict_and_reasons() {
    let app = app().await;
    uploaded_junit(&app).await;
    let r = app.get("/api/v1/projects/shop/phases/release-1/status", Some(&app.token)).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["score"].as_f64(), Some(72.7));
    assert_eq!(v["verdict"], "conditional");
    assert!(v["reasons"].is_array());
    // Private by default: anonymous callers are refused, unknown phases are 404.
    app.get("/api/v1/projects/shop/phases/release-1/status", None).await.problem(StatusCode::UNAUTHORIZED);
    app.get("/api/v1/projects/shop/phases/nope/status", Some(&app.token)).await.problem(StatusCode::NOT_FOUND);
    app.get("/api/v1/projects/shop/phases/release-1/status", Some(&app.other_token))
        .await
        .problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn badge_is_svg_with_the_verdict() {
    let app = app().await;
    uploaded_junit(&app).await;
    let r = app.get("/api/v1/projects/shop/phases/release-1/badge.svg", Some(&app.token)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header(header::CONTENT_TYPE), "image/svg+xml");
    let svg = String::from_utf8(r.body.to_vec()).unwrap();
    assert!(svg.trim_start().starts_with("<svg"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("evidence"), "the badge names the computed verdict, not a decision: {svg}");
    assert!(svg.contains("73"), "the rounded score is shown: {svg}");
}

#[tokio::test]
async fn projects_list_shows_only_the_token_project() {
    let app = app().await;
    uploaded_junit(&app).await;
    let v = app.get("/api/v1/projects", Some(&app.token)).await.json();
    let slugs: Vec<&str> = v["items"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["shop"]);
    assert_eq!(v["items"][0]["phases"][0]["slug"], "release-1");
}

// ---------------------------------------------------------------------------------------
// Login, sessions, pages
// ---------------------------------------------------------------------------------------

/// Logs alice in and returns the `name=value` cookie pair.
async fn session_cookie(app: &TestApp) -> String {
    let r = app.login("alice", PASSWORD, "/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let set = r.header(header::SET_COOKIE).to_string();
    set.split(';').next().unwrap().trim().to_string()
}

#[tokio::test]
async fn wrong_password_redirects_back_to_login_with_error() {
    let app = app().await;
    let r = app.login("alice", "not the password", "/p/shop").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login?error=1"), "{}", r.location());
    assert!(r.location().contains("next=/p/shop"));
    assert!(r.headers.get(header::SET_COOKIE).is_none(), "no session for a failed login");
    let r = app.login("nobody", "whatever", "/").await;
    assert!(r.location().starts_with("/login?error=1"), "unknown users look the same");
    let audit = app.store.audit_recent(10).await.unwrap();
    assert_eq!(audit.iter().filter(|a| a.action == "auth.login_failed").count(), 2);
}

#[tokio::test]
async fn right_password_sets_an_httponly_samesite_lax_session_cookie() {
    let app = app().await;
    let r = app.login("alice", PASSWORD, "/p/shop").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/p/shop");
    let set = r.header(header::SET_COOKIE);
    assert!(set.starts_with("readyboard_session="), "{set}");
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Lax"), "{set}");
    assert!(!set.contains("Secure"), "plain-http base URL: no Secure flag");
    // The cookie authenticates API reads.
    let cookie = set.split(';').next().unwrap();
    let req = Request::get("/api/v1/projects").header(header::COOKIE, cookie).body(Body::empty()).unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 2, "a viewer reads every project");
}

#[tokio::test]
async fn login_refuses_offsite_next_targets() {
    let app = app().await;
    let r = app.login("alice", PASSWORD, "//evil.example/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/");
}

#[tokio::test]
async fn page_without_session_redirects_to_login_with_next() {
    let app = app().await;
    for (uri, next) in [("/", "/"), ("/p/shop", "/p/shop"), ("/admin", "/admin")] {
        let r = app.get(uri, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(r.location(), format!("/login?next={next}"), "{uri}");
    }
}

#[tokio::test]
async fn cross_origin_logout_with_cookie_is_403_and_keeps_the_session() {
    let app = app().await;
    let cookie = session_cookie(&app).await;
    let req = Request::post("/logout")
        .header(header::COOKIE, &cookie)
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    app.send(req).await.problem(StatusCode::FORBIDDEN);
    let req = Request::post("/logout")
        .header(header::COOKIE, &cookie)
        .header(header::ORIGIN, "https://evil.example")
        .header(header::HOST, "rb.test")
        .body(Body::empty())
        .unwrap();
    app.send(req).await.problem(StatusCode::FORBIDDEN);
    // The session survived both attempts.
    let req = Request::get("/api/v1/projects").header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::OK);
    // A same-origin logout works and ends the session.
    let req = Request::post("/logout")
        .header(header::COOKIE, &cookie)
        .header("sec-fetch-site", "same-origin")
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?bye=1");
    let req = Request::get("/api/v1/projects").header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    app.send(req).await.problem(StatusCode::UNAUTHORIZED);
}

/// Posts the login form as a browser at `ip` would.
async fn login_from(app: &TestApp, ip: &str, username: &str, password: &str, xff: Option<&str>) -> Resp {
    let form = format!("username={username}&password={}&next=/", password.replace(' ', "+"));
    let mut req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let addr: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    if let Some(x) = xff {
        req.headers_mut().insert("x-forwarded-for", x.parse().unwrap());
    }
    app.send(req).await
}

#[tokio::test]
async fn rapid_wrong_logins_for_one_user_are_rate_limited() {
    let app = app().await;
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let r = app.login("alice", "wrong password", "/").await;
        statuses.push(r.status);
    }
    assert_eq!(statuses[0], StatusCode::SEE_OTHER);
    let limited = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert!(limited >= 5, "once locked, attempts stay refused: {statuses:?}");
    // While locked, even the right password is refused from this address, with a page
    // that says when to retry.
    let r = app.login("alice", PASSWORD, "/").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.header(header::RETRY_AFTER).parse().expect("Retry-After in seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(r.header(header::CONTENT_TYPE).starts_with("text/html"));
    assert!(String::from_utf8_lossy(&r.body).contains(&format!("Try again in {wait} seconds")));
    assert!(r.headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn an_attacker_hammering_an_account_does_not_lock_its_owner_out() {
    let app = app().await;
    for _ in 0..12 {
        login_from(&app, "203.0.113.9", "alice", "guess", None).await;
    }
    let r = login_from(&app, "203.0.113.9", "alice", PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the attacker's address is locked");
    let r = login_from(&app, "198.51.100.7", "alice", PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/");
    assert!(r.header(header::SET_COOKIE).starts_with("readyboard_session="), "the owner logs in");
}

#[tokio::test]
async fn forwarded_for_separates_clients_only_behind_a_trusted_proxy() {
    // Without a trusted proxy the header is ignored: the attacker cannot dodge the lock by
    // sending a new X-Forwarded-For each time.
    let app = app().await;
    for i in 0..12 {
        login_from(&app, "203.0.113.9", "alice", "guess", Some(&format!("10.9.9.{i}"))).await;
    }
    let r = login_from(&app, "203.0.113.9", "alice", PASSWORD, Some("10.9.9.200")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);

    // Behind a trusted proxy, one client's failures do not lock out another client.
    let app = app_with(|a| a.trusted_proxy = vec!["10.0.0.1".parse().unwrap()]).await;
    for _ in 0..12 {
        login_from(&app, "10.0.0.1", "alice", "guess", Some("203.0.113.9")).await;
    }
    let r = login_from(&app, "10.0.0.1", "alice", PASSWORD, Some("203.0.113.9")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let r = login_from(&app, "10.0.0.1", "alice", PASSWORD, Some("198.51.100.7")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "another client behind the proxy logs in");
}

#[tokio::test]
async fn a_line_break_in_the_login_next_target_is_not_a_server_error() {
    let app = app().await;
    for next in ["/p/shop%0D%0ASet-Cookie:+x=1", "/%0Ax", "/a%09b", "/caf%C3%A9"] {
        let r = app.login("alice", PASSWORD, next).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(r.location(), "/", "{next}");
        let r = app.login("alice", "wrong", next).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(r.location(), "/login?error=1&next=/", "{next}");
    }
}

#[tokio::test]
async fn an_authorization_header_does_not_lift_the_origin_check_for_a_cookie() {
    let app = app().await;
    let cookie = session_cookie(&app).await;
    for auth in ["Basic YWxpY2U6eA==", "Bearer made-up", "whatever"] {
        let req = Request::post("/logout")
            .header(header::COOKIE, &cookie)
            .header(header::AUTHORIZATION, auth)
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap();
        app.send(req).await.problem(StatusCode::FORBIDDEN);
    }
    let req = Request::get("/api/v1/projects").header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::OK, "the session survived");
    // A token alone, as CI sends it, is not subject to the check.
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[("sec-fetch-site", "cross-site")], junit("")).await;
    assert_eq!(r.status, StatusCode::CREATED);
}

// ---------------------------------------------------------------------------------------
// Blockers: the cross-phase list and role checks on the page actions
// ---------------------------------------------------------------------------------------

/// Posts a server function's form as a browser on the same site would.
async fn call_server_fn(app: &TestApp, path: &str, cookie: &str, form: &str) -> Resp {
    let req = Request::post(path)
        .header(header::COOKIE, cookie)
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(form.to_string()))
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn blocker_actions_check_the_role_on_the_server() {
    use leptos::server_fn::ServerFn;
    use readyboard_app::pages::blockers::{AddBlocker, WaiveBlocker};
    let app = app().await;
    let cli = Actor::system("test");
    let phase = app.store.create_phase(&cli, app.shop_id, "release-1", "Release 1").await.unwrap();
    let b = readyboard_store::NewBlocker {
        severity: "high".into(),
        title: "No rollback plan".into(),
        ..Default::default()
    };
    let blocker = app.store.add_blocker(&cli, phase.id, &b).await.unwrap();
    let cookie = session_cookie(&app).await;
    let waive = format!("id={}&rationale=Accepted+for+the+pilot+release", blocker.row.id);

    // alice is a viewer: refused, nothing changes.
    let r = call_server_fn(&app, WaiveBlocker::PATH, &cookie, &waive).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", String::from_utf8_lossy(&r.body));
    let add = "project=shop&phase=release-1&severity=high&title=Sneaky&details=&owner=&due_date=";
    let r = call_server_fn(&app, AddBlocker::PATH, &cookie, add).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.blocker(blocker.row.id).await.unwrap().row.status,
        readyboard_domain::blockers::BlockerStatus::Open
    );
    assert_eq!(app.store.blockers(phase.id, false).await.unwrap().len(), 1, "nothing was added");

    // As an editor she may add but not waive; as an approver she may waive.
    app.store.set_role(&cli, "alice", Role::Editor).await.unwrap();
    assert_eq!(call_server_fn(&app, AddBlocker::PATH, &cookie, add).await.status, StatusCode::OK);
    assert_eq!(call_server_fn(&app, WaiveBlocker::PATH, &cookie, &waive).await.status, StatusCode::FORBIDDEN);
    app.store.set_role(&cli, "alice", Role::Approver).await.unwrap();
    let r = call_server_fn(&app, WaiveBlocker::PATH, &cookie, &waive).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let after = app.store.blocker(blocker.row.id).await.unwrap();
    assert_eq!((after.row.status.as_str(), after.waived_by.as_deref()), ("waived", Some("alice")));

    // A cross-site form post is refused before it reaches the action.
    let req = Request::post(WaiveBlocker::PATH)
        .header(header::COOKIE, &cookie)
        .header("sec-fetch-site", "cross-site")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(waive))
        .unwrap();
    app.send(req).await.problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn blocker_list_filters_and_respects_token_scope() {
    let app = app().await;
    let cli = Actor::system("test");
    let phase = app.store.create_phase(&cli, app.shop_id, "release-1", "Release 1").await.unwrap();
    app.store.create_user(&cli, "bob", "not-a-real-hash", Role::Editor).await.unwrap();
    for (sev, title, owner) in [("critical", "Data loss on failover", Some("bob")), ("low", "Typo in runbook", None)] {
        let b = readyboard_store::NewBlocker {
            severity: sev.into(),
            title: title.into(),
            owner: owner.map(String::from),
            ..Default::default()
        };
        app.store.add_blocker(&cli, phase.id, &b).await.unwrap();
    }
    let r = app.get("/api/v1/blockers", Some(&app.token)).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["total"], 2);
    assert_eq!(v["items"][0]["severity"], "critical", "most severe first");
    assert_eq!(v["items"][0]["project"], "shop");
    assert_eq!(v["items"][0]["phase"], "release-1");
    let v = app.get("/api/v1/blockers?owner=bob", Some(&app.token)).await.json();
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["title"], "Data loss on failover");
    let v = app.get("/api/v1/blockers?owner=&severity=low", Some(&app.token)).await.json();
    assert_eq!(v["items"][0]["title"], "Typo in runbook");
    let v = app.get("/api/v1/blockers?status=resolved", Some(&app.token)).await.json();
    assert_eq!(v["total"], 0);
    let p = app.get("/api/v1/blockers?status=closed", Some(&app.token)).await.problem(StatusCode::BAD_REQUEST);
    assert!(p["detail"].as_str().unwrap().contains("status"));
    // A token of another project sees none of them.
    assert_eq!(app.get("/api/v1/blockers", Some(&app.other_token)).await.json()["total"], 0);
    app.get("/api/v1/blockers", None).await.problem(StatusCode::UNAUTHORIZED);
}

// ---------------------------------------------------------------------------------------
// Import from the browser
// ---------------------------------------------------------------------------------------

const MARKDOWN_REPORT: &str = "# Release 1 Readiness Report\n\n**Date:** 2026-11-20\n\n## Security\n\n| Check | Status |\n|---|---|\n| TLS everywhere | \u{2705} PASS |\n| Rate limiting | \u{274c} FAIL |\n\n**Overall Score: 90/100**\n";

/// A multipart form with text fields and an optional file.
fn multipart(fields: &[(&str, &str)], file: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "rbtestboundary7MA4YWxk";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    if let Some(f) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.md\"\r\nContent-Type: text/markdown\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(f);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn import(app: &TestApp, cookie: &str, fields: &[(&str, &str)], file: Option<&[u8]>) -> Resp {
    let (ct, body) = multipart(fields, file);
    let req = Request::post("/import/shop/release-1")
        .header(header::COOKIE, cookie)
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn editors_import_markdown_reports_from_the_browser() {
    let app = app().await;
    let cli = Actor::system("test");
    app.store.create_phase(&cli, app.shop_id, "release-1", "Release 1").await.unwrap();
    let cookie = session_cookie(&app).await;

    // A viewer is sent back with the reason; nothing is stored.
    let r = import(&app, &cookie, &[("suite", "review"), ("text", MARKDOWN_REPORT)], None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/p/shop/release-1/import?error="), "{}", r.location());
    assert!(r.location().contains("editor"));
    assert_eq!(app.report_count().await, 0);

    app.store.set_role(&cli, "alice", Role::Editor).await.unwrap();
    // Pasted text: stored, then shown.
    let r = import(&app, &cookie, &[("suite", "review"), ("format", "auto"), ("text", MARKDOWN_REPORT)], None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let id: i64 = r.location().strip_prefix("/reports/").expect("redirect to the report").parse().unwrap();
    let stored = app.store.report(id).await.unwrap();
    assert_eq!((stored.format.as_str(), stored.suite.as_str()), ("markdown", "review"));
    assert_eq!((stored.counts.passed, stored.counts.failed), (1, 1));
    assert_eq!(stored.claimed_score, Some(90.0));

    // The same report as a file with mojibake (UTF-8 read as Windows-1252) imports alike.
    let mojibake = MARKDOWN_REPORT.replace('\u{2705}', "\u{e2}\u{153}\u{2026}").replace("Release 1", "Release 1b");
    let r = import(&app, &cookie, &[("suite", "review-file")], Some(mojibake.as_bytes())).await;
    let id: i64 = r.location().strip_prefix("/reports/").expect("redirect to the report").parse().unwrap();
    assert_eq!(app.store.report(id).await.unwrap().counts.passed, 1, "the repaired ✅ counts as a pass");

    // Garbage and empty forms come back with a reason and store nothing.
    let before = app.report_count().await;
    let r = import(&app, &cookie, &[("suite", "x"), ("text", "just some words")], None).await;
    assert!(r.location().contains("error="), "{}", r.location());
    let r = import(&app, &cookie, &[("suite", "x"), ("text", "  ")], None).await;
    assert!(r.location().contains("error=Paste"), "{}", r.location());
    let r = import(&app, &cookie, &[("format", "docx"), ("text", MARKDOWN_REPORT)], None).await;
    assert!(r.location().contains("docx"), "{}", r.location());
    assert_eq!(app.report_count().await, before);
}

// ---------------------------------------------------------------------------------------
// Trends
// ---------------------------------------------------------------------------------------

/// JUnit with the given passing and failing cases, in that order.
fn junit_cases(pass: &[&str], fail: &[&str]) -> String {
    let mut cases = String::new();
    for n in pass {
        cases.push_str(&format!(r#"<testcase classname="api" name="{n}" time="0.01"/>"#));
    }
    for n in fail {
        cases
            .push_str(&format!(r#"<testcase classname="api" name="{n}"><failure message="no">t</failure></testcase>"#));
    }
    format!(r#"<?xml version="1.0" encoding="UTF-8"?><testsuite name="api">{cases}</testsuite>"#)
}

#[tokio::test]
async fn trends_follow_every_report_and_rank_checks_that_flip() {
    let app = app().await;
    // 3/4 → 4/4 → 3/4: scores 75, 100, 75; `d` and `c` each flip once in two chances.
    let runs = [
        junit_cases(&["a", "b", "c"], &["d"]),
        junit_cases(&["a", "b", "c", "d"], &[]),
        junit_cases(&["a", "b", "d"], &["c"]),
    ];
    let mut ids = Vec::new();
    for body in runs {
        let r = app.upload(UPLOAD_Q, Some(&app.token), &[], body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    let r = app.get("/api/v1/projects/shop/phases/release-1/trends?range=all", Some(&app.token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let t = r.json();
    let values = |series: &Value| -> Vec<f64> {
        series.as_array().unwrap().iter().map(|p| p["value"].as_f64().unwrap()).collect()
    };
    assert_eq!(values(&t["score"]), [75.0, 100.0, 75.0]);
    let report_ids: Vec<i64> =
        t["score"].as_array().unwrap().iter().map(|p| p["report_id"].as_i64().unwrap()).collect();
    assert_eq!(report_ids, ids);
    assert_eq!(t["categories"][0]["name"], "api");
    assert_eq!(values(&t["categories"][0]["points"]), [75.0, 100.0, 75.0]);
    let suite = &t["suites"][0];
    assert_eq!(suite["name"], "api");
    assert_eq!(values(&suite["pass_rate"]), [75.0, 100.0, 75.0]);
    assert_eq!(suite["runs"].as_array().unwrap().len(), 3);
    assert_eq!(suite["runs"][2]["failed"], 1);
    let blockers: Vec<&str> = t["blockers"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(blockers, ["critical", "high", "medium", "low"]);
    let flaky = t["flaky"][0]["checks"].as_array().unwrap();
    let mut names: Vec<&str> = flaky.iter().map(|f| f["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["c", "d"]);
    for f in flaky {
        assert_eq!((f["runs"].as_u64(), f["flips"].as_u64(), f["flip_rate"].as_f64()), (Some(3), Some(1), Some(0.5)));
    }
    assert_eq!(t["ready_threshold"].as_f64(), Some(90.0));
}

#[tokio::test]
async fn trend_charts_are_svg_with_etags_that_change_with_new_evidence() {
    let app = app().await;
    app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    let url = "/api/v1/projects/shop/phases/release-1/trends/score.svg?range=30d";
    let r = app.get(url, Some(&app.token)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header(header::CONTENT_TYPE), "image/svg+xml");
    let svg = String::from_utf8_lossy(&r.body).to_string();
    assert!(svg.starts_with("<svg") && svg.contains("<title>Phase score over time"), "{svg}");
    let etag = r.header(header::ETAG).to_string();
    assert!(etag.starts_with('"'), "strong etag: {etag}");

    let cached = app
        .send(
            Request::get(url)
                .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
                .header(header::IF_NONE_MATCH, &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    assert!(cached.body.is_empty());

    app.upload(UPLOAD_Q, Some(&app.token), &[], junit(r#"<testcase classname="api" name="new"/>"#)).await;
    let fresh = app
        .send(
            Request::get(url)
                .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
                .header(header::IF_NONE_MATCH, &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(fresh.status, StatusCode::OK, "new evidence, new chart");
    assert_ne!(fresh.header(header::ETAG), etag);

    for chart in ["categories.svg", "blockers.svg", "sparkline.svg", "suite.svg?suite=api"] {
        let r = app.get(&format!("/api/v1/projects/shop/phases/release-1/trends/{chart}"), Some(&app.token)).await;
        assert_eq!(r.status, StatusCode::OK, "{chart}");
        assert!(r.body.starts_with(b"<svg"), "{chart}");
    }
}

#[tokio::test]
async fn trend_requests_with_bad_parameters_or_scope_are_refused() {
    let app = app().await;
    app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    let base = "/api/v1/projects/shop/phases/release-1/trends";
    app.get(&format!("{base}?range=1y"), Some(&app.token)).await.problem(StatusCode::BAD_REQUEST);
    app.get(&format!("{base}/pie.svg"), Some(&app.token)).await.problem(StatusCode::NOT_FOUND);
    app.get(&format!("{base}/suite.svg?suite=nope"), Some(&app.token)).await.problem(StatusCode::NOT_FOUND);
    app.get(&format!("{base}/metric.svg?suite=api&metric=nope"), Some(&app.token)).await.problem(StatusCode::NOT_FOUND);
    app.get(base, Some(&app.other_token)).await.problem(StatusCode::NOT_FOUND);
    app.get(base, None).await.problem(StatusCode::UNAUTHORIZED);
}

// ---------------------------------------------------------------------------------------
// Checklist: role checks on every action, and the read API
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn checklist_actions_check_the_role_on_the_server() {
    use leptos::server_fn::ServerFn;
    use readyboard_app::pages::checklist::{
        AddItem, ApplyTemplate, DeleteItem, MoveItem, SaveTemplate, SignItem, UpdateItem,
    };
    let app = app().await;
    let cli = Actor::system("test");
    let phase = app.store.create_phase(&cli, app.shop_id, "release-1", "Release 1").await.unwrap();
    let item = app
        .store
        .add_checklist_item(
            &cli,
            &phase,
            &readyboard_store::ItemInput {
                title: "Runbooks".into(),
                status: "todo".into(),
                required: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let cookie = session_cookie(&app).await;
    let add = "project=shop&phase=release-1&title=Sneaky&description=&category=&owner=&status=todo&due_date=&evidence_suite=&evidence_check=";
    let update = format!(
        "id={}&version=1&title=Changed&required=on&description=&category=&owner=&status=done&due_date=&evidence_suite=&evidence_check=",
        item.id
    );
    let moved = format!("id={}&direction=down", item.id);
    let delete = format!("id={}&version=1&confirm=yes", item.id);
    let sign = format!("id={}&verdict=approve&comment=ok", item.id);
    let template = "project=shop&phase=release-1&template=Production+readiness";
    let save = "project=shop&phase=release-1&name=Mine";
    let editor_actions = [
        (AddItem::PATH, add.to_string()),
        (UpdateItem::PATH, update.clone()),
        (MoveItem::PATH, moved.clone()),
        (DeleteItem::PATH, delete.clone()),
        (ApplyTemplate::PATH, template.to_string()),
    ];

    // A viewer can do none of it; nothing changes.
    for (path, form) in
        editor_actions.iter().chain([(SignItem::PATH, sign.clone()), (SaveTemplate::PATH, save.to_string())].iter())
    {
        let r = call_server_fn(&app, path, &cookie, form).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "viewer on {path}: {}", String::from_utf8_lossy(&r.body));
    }
    let list = app.store.checklist(&phase).await.unwrap();
    assert_eq!((list.len(), list[0].item.version, list[0].signoffs.len()), (1, 1, 0));

    // An editor edits but cannot sign or save templates.
    app.store.set_role(&cli, "alice", Role::Editor).await.unwrap();
    assert_eq!(call_server_fn(&app, SignItem::PATH, &cookie, &sign).await.status, StatusCode::FORBIDDEN);
    assert_eq!(call_server_fn(&app, SaveTemplate::PATH, &cookie, save).await.status, StatusCode::FORBIDDEN);
    let r = call_server_fn(&app, UpdateItem::PATH, &cookie, &update).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    // The same form again holds a stale version: a conflict, not an overwrite.
    let r = call_server_fn(&app, UpdateItem::PATH, &cookie, &update).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", String::from_utf8_lossy(&r.body));
    assert!(String::from_utf8_lossy(&r.body).contains("changed by someone else"));

    // An approver signs.
    app.store.set_role(&cli, "alice", Role::Approver).await.unwrap();
    let r = call_server_fn(&app, SignItem::PATH, &cookie, &sign).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert!(app.store.checklist(&phase).await.unwrap()[0].signed);

    // Tokens read the checklist through the API but have no session to act with.
    let r = app.get("/api/v1/projects/shop/phases/release-1/checklist", Some(&app.token)).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["items"][0]["title"], "Changed");
    assert_eq!(v["items"][0]["signed"], true);
    assert_eq!(v["summary"]["required_done_and_signed"], 1);
    let req = Request::post(SignItem::PATH)
        .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(sign))
        .unwrap();
    let r = app.send(req).await;
    assert!(matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN), "token refused: {}", r.status);
    app.get("/api/v1/projects/shop/phases/release-1/checklist", Some(&app.other_token))
        .await
        .problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn decisions_and_phase_settings_check_the_role_on_the_server() {
    use leptos::server_fn::ServerFn;
    use readyboard_app::pages::decision::RecordDecision;
    use readyboard_app::pages::phase::SavePhaseSettings;
    let app = app().await;
    app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    let cli = Actor::system("test");
    let cookie = session_cookie(&app).await;
    let decide = "project=shop&phase=release-1&decision=no_go&rationale=Two+failures+and+an+error+remain.&conditions=&override_reason=";
    let settings = "project=shop&phase=release-1&ready=80&conditional=60&freshness_days=7&weights=";
    let phase = app.store.phase(app.shop_id, "release-1").await.unwrap();

    // Viewer and editor may neither decide nor change settings.
    for role in [Role::Viewer, Role::Editor] {
        app.store.set_role(&cli, "alice", role).await.unwrap();
        assert_eq!(
            call_server_fn(&app, RecordDecision::PATH, &cookie, decide).await.status,
            StatusCode::FORBIDDEN,
            "{role:?}"
        );
        assert_eq!(
            call_server_fn(&app, SavePhaseSettings::PATH, &cookie, settings).await.status,
            StatusCode::FORBIDDEN,
            "{role:?}"
        );
    }
    assert!(app.store.decisions(phase.id, 10).await.unwrap().is_empty());
    // An approver decides but may not change settings; an admin may.
    app.store.set_role(&cli, "alice", Role::Approver).await.unwrap();
    assert_eq!(call_server_fn(&app, SavePhaseSettings::PATH, &cookie, settings).await.status, StatusCode::FORBIDDEN);
    let r = call_server_fn(&app, RecordDecision::PATH, &cookie, decide).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(app.store.decisions(phase.id, 10).await.unwrap().len(), 1);
    app.store.set_role(&cli, "alice", Role::Admin).await.unwrap();
    let r = call_server_fn(&app, SavePhaseSettings::PATH, &cookie, settings).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(app.store.phase(app.shop_id, "release-1").await.unwrap().ready_threshold, 80.0);

    // A token has no session: it cannot decide.
    let req = Request::post(RecordDecision::PATH)
        .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(decide))
        .unwrap();
    let r = app.send(req).await;
    assert!(matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN), "token refused: {}", r.status);
    assert_eq!(app.store.decisions(phase.id, 10).await.unwrap().len(), 1, "nothing recorded by the token");
}

#[tokio::test]
async fn readiness_report_and_decision_record_export_as_markdown() {
    let app = app().await;
    app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    let r = app.get("/api/v1/projects/shop/phases/release-1/export.md", Some(&app.token)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header(header::CONTENT_TYPE), "text/markdown; charset=utf-8");
    assert!(r.header(header::CONTENT_DISPOSITION).contains("shop-release-1-readiness.md"));
    let md = String::from_utf8_lossy(&r.body).to_string();
    // 8 passed of 11 scored (one skipped): 72.7 → CONDITIONAL.
    assert!(md.contains("**Evidence: CONDITIONAL** — phase score **72.7 / 100**"), "{md}");
    assert!(md.contains("| api | measured | 72.7 | 1 | 12 | 8 | 0 | 2 | 1 | 0 | 1 |"), "{md}");
    assert!(md.contains("No go/no-go decision recorded yet."));
    let j = app.get("/api/v1/projects/shop/phases/release-1/export.json", Some(&app.token)).await.json();
    assert_eq!((j["score"].as_f64(), j["verdict"].as_str()), (Some(72.7), Some("conditional")));

    let phase = app.store.phase(app.shop_id, "release-1").await.unwrap();
    let user = app.store.user_by_name("alice").await.unwrap().unwrap();
    let d = readyboard_store::NewDecision {
        decision: "conditional_go".into(),
        rationale: "Ship to 5% of traffic.".into(),
        conditions: vec![readyboard_store::Condition {
            text: "Fix bad_1 | today".into(),
            owner: Some("alice".into()),
            due_date: Some("2026-12-01".into()),
        }],
        override_reason: None,
    };
    let rec = app.store.record_decision(&Actor::user(user.id, "alice"), &phase, &d).await.unwrap();
    let r = app
        .get(&format!("/api/v1/projects/shop/phases/release-1/decisions/{}/export.md", rec.id), Some(&app.token))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let md = String::from_utf8_lossy(&r.body).to_string();
    assert!(md.starts_with(&format!("# Decision #{} — Decision: CONDITIONAL GO — ", rec.id)), "{md}");
    assert!(md.contains("- Fix bad_1 \\| today — alice (due 2026-12-01)"), "{md}");
    assert!(md.contains("**Evidence: CONDITIONAL**, phase score **72.7 / 100**"), "{md}");
    app.get("/api/v1/projects/shop/phases/release-1/decisions/999/export.md", Some(&app.token))
        .await
        .problem(StatusCode::NOT_FOUND);
    app.get("/api/v1/projects/shop/phases/release-1/export.md", Some(&app.other_token))
        .await
        .problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn project_trends_put_every_phase_on_one_axis() {
    let app = app().await;
    app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    app.upload("project=shop&phase=release-2&suite=api", Some(&app.token), &[], junit_cases(&["a"], &[])).await;
    let r = app.get("/api/v1/projects/shop/trends?range=30d", Some(&app.token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    let phases: Vec<(&str, f64)> = v["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["points"][0]["value"].as_f64().unwrap()))
        .collect();
    assert_eq!(phases.len(), 2);
    assert_eq!(phases[0].1, 72.7);
    assert_eq!(phases[1].1, 100.0);
    let svg = app.get("/api/v1/projects/shop/trends/score.svg", Some(&app.token)).await;
    assert_eq!(svg.header(header::CONTENT_TYPE), "image/svg+xml");
    assert!(svg.body.starts_with(b"<svg"));
    app.get("/api/v1/projects/shop/trends", Some(&app.other_token)).await.problem(StatusCode::NOT_FOUND);
    app.get("/api/v1/projects/shop/trends?range=2w", Some(&app.token)).await.problem(StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------------------------------
// Rendered pages reused while nothing changes
// ---------------------------------------------------------------------------------------

async fn page(app: &TestApp, uri: &str, cookie: &str, cache_control: Option<&str>) -> (Resp, String, String) {
    let mut req = Request::get(uri).header(header::COOKIE, cookie);
    if let Some(cc) = cache_control {
        req = req.header(header::CACHE_CONTROL, cc);
    }
    let r = app.send(req.body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}");
    let csp = r.header(header::CONTENT_SECURITY_POLICY);
    let nonce = csp.split("'nonce-").nth(1).and_then(|n| n.split('\'').next()).expect("a nonce").to_string();
    let body = String::from_utf8(r.body.to_vec()).expect("utf-8");
    assert!(body.contains(&format!("nonce=\"{nonce}\"")), "the scripts carry the policy's nonce");
    (r, nonce, body)
}

#[tokio::test]
async fn pages_are_reused_per_user_with_a_fresh_nonce_until_anything_changes() {
    let app = app().await;
    app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    app.store.create_user(&Actor::system("test"), "bob", &cheap_hash(PASSWORD), Role::Admin).await.unwrap();
    let alice = session_cookie(&app).await;
    let r = app.login("bob", PASSWORD, "/").await;
    let bob = r.header(header::SET_COOKIE).split(';').next().unwrap().to_string();
    let uri = "/p/shop/release-1";

    let (first, n1, b1) = page(&app, uri, &alice, None).await;
    assert_eq!(first.header(page_cache::CACHE_HEADER), "miss");
    let (second, n2, b2) = page(&app, uri, &alice, None).await;
    assert_eq!(second.header(page_cache::CACHE_HEADER), "hit");
    assert_ne!(n1, n2, "every response has its own nonce");
    assert_eq!(b2, b1.replace(&n1, &n2), "the same page but for the nonce");
    assert!(!b1.contains("Phase settings"), "a viewer has no settings form");

    // Another user gets a page of their own.
    let (r, _, b) = page(&app, uri, &bob, None).await;
    assert_eq!(r.header(page_cache::CACHE_HEADER), "miss");
    assert!(b.contains("Phase settings"), "an admin has the settings form");

    // A hard reload renders afresh.
    let (r, _, _) = page(&app, uri, &alice, Some("no-cache")).await;
    assert_eq!(r.header(page_cache::CACHE_HEADER), "miss");

    // New evidence shows at once.
    assert!(!b1.contains("href=\"/reports/2\""));
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[], junit(r#"<testcase classname="api" name="new"/>"#)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let (r, _, b) = page(&app, uri, &alice, None).await;
    assert_eq!(r.header(page_cache::CACHE_HEADER), "miss");
    assert!(b.contains("href=\"/reports/2\""), "the new report is listed");

    // An unknown phase answers 404 (the scorecard waits for its data before answering) and
    // is not kept.
    let req = Request::get("/p/shop/no-such-phase").header(header::COOKIE, &alice).body(Body::empty()).unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&r.body).contains("Not found."));
    assert!(r.headers.get(page_cache::CACHE_HEADER).is_none());

    // Pages are kept only for logged-in readers, never for the login form.
    let r = app.get("/login", None).await;
    assert!(r.headers.get(page_cache::CACHE_HEADER).is_none());
}

// ---------------------------------------------------------------------------------------
// Hostile input and abuse: regressions of what a probe found
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn markup_in_a_phase_name_is_escaped_in_the_page_title() {
    let app = app().await;
    let evil = r#"</title><meta http-equiv=refresh content="0;url=https://evil.example/">"#;
    let q = format!("{UPLOAD_Q}&phase_name={}", urlencoding(evil));
    let r = app.upload(&q, Some(&app.token), &[], junit("")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let cookie = session_cookie(&app).await;
    for uri in ["/p/shop/release-1", "/p/shop/release-1/trends", "/p/shop/release-1/checklist", "/p/shop"] {
        let (_, _, body) = page(&app, uri, &cookie, None).await;
        assert!(!body.contains("<meta http-equiv"), "{uri}: the name must not become markup");
        assert!(!body.to_lowercase().contains("</title><meta"), "{uri}");
    }
    let (_, _, body) = page(&app, "/p/shop/release-1", &cookie, None).await;
    assert!(body.contains("<title>&lt;/title&gt;&lt;meta http-equiv=refresh"), "the name shows as text");
}

/// Percent-encodes every byte but unreserved ones, for query values in tests.
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn unsafe_or_overlong_names_are_refused_with_422_and_nothing_is_stored() {
    let app = app().await;
    for (q, field) in [
        ("project=shop&phase=release-1&suite=..%2F..%2F..%2Fetc%2Fpasswd", "suite"),
        ("project=shop&phase=release-1&suite=a%00b", "suite"),
        ("project=shop&phase=release-1&suite=red%1B%5B31m", "suite"),
        ("project=shop&phase=release-1&suite=api&phase_name=x%00y", "phase_name"),
        ("project=shop&phase=release-1&suite=api&environment=a%00b", "environment"),
    ] {
        let r = app.upload(q, Some(&app.token), &[], junit("")).await;
        let v = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(v["detail"].as_str().unwrap_or("").contains(field), "{q}: {v}");
    }
    let long_suite = format!("project=shop&phase=release-1&suite={}", "s".repeat(201));
    app.upload(&long_suite, Some(&app.token), &[], junit("")).await.problem(StatusCode::UNPROCESSABLE_ENTITY);

    let long_name = "n".repeat(1_001);
    let r = app
        .upload(UPLOAD_Q, Some(&app.token), &[], junit(&format!(r#"<testcase classname="api" name="{long_name}"/>"#)))
        .await;
    let v = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["field"].as_str().is_some_and(|f| f.starts_with("checks[")), "{v}");

    let zero_max = r#"{"schema": "readyboard/v1", "project": "shop", "phase": "release-1", "suite": "audit",
                       "checks": [{"id": "a", "status": "pass", "score": 0, "max": 0}]}"#;
    app.upload("", Some(&app.token), &[], zero_max).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    let evil_json_suite = r#"{"schema": "readyboard/v1", "project": "shop", "phase": "release-1", "suite": "../x",
                              "checks": [{"id": "a", "status": "pass"}]}"#;
    app.upload("", Some(&app.token), &[], evil_json_suite).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.report_count().await, 0, "nothing refused was stored");

    // A name within the limit (the check id adds the class name) is stored; declared totals
    // and negative times that contradict the test cases do not count.
    let ok_name = "n".repeat(990);
    let body = junit(&format!(r#"<testcase classname="api" name="{ok_name}" time="-5"/>"#))
        .replace(r#"tests="12""#, r#"tests="1e999" failures="-3""#);
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[], body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["counts"]["tests"], 13);
    assert_eq!(r.json()["counts"]["failed"], 2);
}

#[tokio::test]
async fn gzip_bodies_of_several_members_are_accepted() {
    let app = app().await;
    let doc = junit("");
    let (a, b) = doc.split_at(doc.len() / 2);
    let mut body = gzip(a.as_bytes());
    body.extend(gzip(b.as_bytes()));
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[("content-encoding", "gzip")], body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["counts"]["tests"], 12);
    // The size limit still holds across members.
    let app = app_with_limit(1).await;
    let big = vec![b' '; 700 * 1024];
    let mut body = gzip(&big);
    body.extend(gzip(&big));
    app.upload(UPLOAD_Q, Some(&app.token), &[("content-encoding", "gzip")], body)
        .await
        .problem(StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn metrics_can_require_a_token_or_be_off() {
    let app = app_with(|a| a.metrics_token = Some("scrape-secret".into())).await;
    app.get("/metrics", None).await.problem(StatusCode::UNAUTHORIZED);
    app.get("/metrics", Some("wrong")).await.problem(StatusCode::UNAUTHORIZED);
    app.get("/metrics", Some(&app.token)).await.problem(StatusCode::UNAUTHORIZED);
    let r = app.get("/metrics", Some("scrape-secret")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&r.body).contains("readyboard_uptime_seconds"));

    let app = app_with(|a| a.metrics = "off".into()).await;
    app.get("/metrics", None).await.problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn with_the_database_gone_uploads_and_logins_answer_503_with_retry_after() {
    let app = app().await;
    app.store.close().await;
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    r.problem(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.header(header::RETRY_AFTER), "5");
    let r = app.login("alice", PASSWORD, "/").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "not a wrong password");
    assert_eq!(r.header(header::RETRY_AFTER), "5");
    assert!(String::from_utf8_lossy(&r.body).contains("database cannot be reached"));
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn while_the_database_is_unreachable_every_request_needing_it_answers_503_at_once() {
    let app = app().await;
    let cookie = session_cookie(&app).await;
    app.store.set_reachable(false);
    let started = std::time::Instant::now();
    let page =
        app.send(Request::get("/p/shop/release-1").header(header::COOKIE, &cookie).body(Body::empty()).unwrap()).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "a logged-in reader is not sent to the login page");
    assert_eq!(page.header(header::RETRY_AFTER), "5");
    let up = app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    up.problem(StatusCode::SERVICE_UNAVAILABLE);
    app.get("/readyz", None).await.problem(StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < std::time::Duration::from_millis(500), "{:?}", started.elapsed());
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK, "the process itself is up");
    // Back: served again, and nothing was stored meanwhile.
    app.store.set_reachable(true);
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
    assert!(app.store.phase(app.shop_id, "release-1").await.is_err(), "the refused upload stored nothing");
}

#[tokio::test]
async fn a_logged_in_user_is_told_the_database_is_down_not_sent_to_the_login_page() {
    let app = app().await;
    let cookie = session_cookie(&app).await;
    // A change (an upload) ends the short reuse of session and user lookups, so the next
    // request must read them from the database.
    app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    app.store.close().await;
    let r =
        app.send(Request::get("/p/shop/release-1").header(header::COOKIE, &cookie).body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{:?}", r.header(header::LOCATION));
    assert_eq!(r.header(header::RETRY_AFTER), "5");
    let r = app
        .send(
            Request::get("/api/v1/projects/shop/phases/release-1")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    r.problem(StatusCode::SERVICE_UNAVAILABLE);
}

/// A hand-written report where every row says ✅.
const ALL_GREEN_MD: &str = "# Release 1 readiness\n\n## Deployment\n\n| Step | Status |\n|---|---|\n\
    | Blue/green switch | ✅ PASS |\n| Rollback | ✅ PASS |\n\n**Production Readiness Status:** ✅ READY\n";

#[tokio::test]
async fn self_reported_evidence_is_marked_caps_ready_until_vouched_and_overclaims_are_flagged() {
    let app = app().await;
    let r = app.upload("project=shop&phase=release-1&suite=handwritten", Some(&app.token), &[], ALL_GREEN_MD).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json()["id"].as_i64().unwrap();
    // Every row passes, so the score is 100, but no tool measured any of it.
    let status = app.get("/api/v1/projects/shop/phases/release-1/status", Some(&app.token)).await.json();
    assert_eq!((status["score"].as_f64(), status["verdict"].as_str()), (Some(100.0), Some("conditional")));
    let reasons: Vec<&str> = status["reasons"].as_array().unwrap().iter().filter_map(|r| r.as_str()).collect();
    assert!(reasons.contains(&"Deployment: self-reported only"), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.starts_with("capped at CONDITIONAL")), "{reasons:?}");

    // The report claims READY; its own evidence supports CONDITIONAL.
    let v = app.get(&format!("/api/v1/reports/{id}"), Some(&app.token)).await.json();
    assert_eq!(v["provenance"], "self_reported");
    assert_eq!(v["claimed"]["verdict"], "ready");
    assert_eq!(v["claim_supported"], false);
    assert_eq!(v["report_verdict"], "conditional");
    let why = v["claim_reasons"][0].as_str().unwrap();
    assert!(why.contains("claims READY") && why.contains("self-reported"), "{why}");
    let checks = app.get(&format!("/api/v1/reports/{id}/checks"), Some(&app.token)).await.json();
    assert_eq!(checks["items"][0]["provenance"], "self_reported");
    let c = &v["counts"];
    let sum: i64 =
        ["passed", "partial", "failed", "errors", "skipped", "not_run"].iter().map(|k| c[k].as_i64().unwrap()).sum();
    assert_eq!(sum, c["tests"].as_i64().unwrap(), "every check in exactly one bucket: {c}");

    // An approver vouches for the category through a required checklist item: READY.
    let phase = app.store.phase(app.shop_id, "release-1").await.unwrap();
    let cli = Actor::system("test");
    app.store.set_role(&cli, "alice", Role::Approver).await.unwrap();
    let alice = app.store.user_by_name("alice").await.unwrap().unwrap();
    let item = readyboard_store::ItemInput {
        title: "Deployment rehearsed".into(),
        description: String::new(),
        category: Some("Deployment".into()),
        owner: None,
        required: true,
        status: "done".into(),
        due_date: None,
        evidence_suite: None,
        evidence_check: None,
    };
    let item = app.store.add_checklist_item(&cli, &phase, &item).await.unwrap();
    app.store
        .sign_checklist_item(&Actor::user(alice.id, "alice"), item.id, SignoffVerdict::Approve, "watched it")
        .await
        .unwrap();
    let status = app.get("/api/v1/projects/shop/phases/release-1/status", Some(&app.token)).await.json();
    assert_eq!(status["verdict"], "ready", "{status}");
    let reasons: Vec<&str> = status["reasons"].as_array().unwrap().iter().filter_map(|r| r.as_str()).collect();
    assert!(reasons.contains(&"Deployment: self-reported, vouched for by alice"), "{reasons:?}");

    // The export names the category's provenance.
    let md = String::from_utf8_lossy(
        &app.get("/api/v1/projects/shop/phases/release-1/export.md", Some(&app.token)).await.body,
    )
    .to_string();
    assert!(md.contains("| Deployment | self-reported only |"), "{md}");
}

#[tokio::test]
async fn approving_against_failing_evidence_needs_a_reason_and_stays_marked() {
    let app = app().await;
    app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    let phase = app.store.phase(app.shop_id, "release-1").await.unwrap();
    let cli = Actor::system("test");
    app.store.set_role(&cli, "alice", Role::Approver).await.unwrap();
    let alice = app.store.user_by_name("alice").await.unwrap().unwrap();
    let alice = Actor::user(alice.id, "alice");
    let input = |title: &str, check: &str| readyboard_store::ItemInput {
        title: title.into(),
        description: String::new(),
        category: None,
        owner: None,
        required: true,
        status: "done".into(),
        due_date: None,
        evidence_suite: Some("api".into()),
        evidence_check: Some(check.into()),
    };
    let failing = app.store.add_checklist_item(&cli, &phase, &input("Contract tests", "bad_1")).await.unwrap();
    let passing = app.store.add_checklist_item(&cli, &phase, &input("Smoke test", "ok_1")).await.unwrap();

    // Passing evidence: an approval needs no comment and is not marked.
    let s = app.store.sign_checklist_item(&alice, passing.id, SignoffVerdict::Approve, "").await.unwrap();
    assert_eq!(s.despite, None);
    // Failing evidence: refused without a reason, recorded as "despite" with one.
    let e = app.store.sign_checklist_item(&alice, failing.id, SignoffVerdict::Approve, "  ").await.unwrap_err();
    assert!(e.to_string().contains("the linked evidence is failing"), "{e}");
    let s = app
        .store
        .sign_checklist_item(&alice, failing.id, SignoffVerdict::Approve, "known flake, fixed in #42")
        .await
        .unwrap();
    assert_eq!(s.despite.as_deref(), Some("failing"));

    let md = String::from_utf8_lossy(
        &app.get("/api/v1/projects/shop/phases/release-1/export.md", Some(&app.token)).await.body,
    )
    .to_string();
    assert!(md.contains("**despite failing evidence**: known flake, fixed in #42"), "{md}");
    let d = readyboard_store::NewDecision {
        decision: "no_go".into(),
        rationale: "Not ready: the contract tests fail.".into(),
        conditions: vec![],
        override_reason: None,
    };
    let rec = app.store.record_decision(&alice, &phase, &d).await.unwrap();
    let item = rec.snapshot.checklist.iter().find(|i| i.title == "Contract tests").unwrap();
    assert_eq!(item.signed_despite, vec![("alice".to_string(), "failing".to_string())]);
    let smoke = rec.snapshot.checklist.iter().find(|i| i.title == "Smoke test").unwrap();
    assert!(smoke.signed_despite.is_empty());
}

/// Hand-written reports of the golden suite, and the two shared seeds when present.
fn handwritten_reports() -> Vec<(String, Vec<u8>)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    let dirs = [root.join("domain/tests/fixtures/handwritten"), root.join("../shared/seeds")];
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            let _ = writeln!(std::io::stderr(), "SKIPPED: {} not found", dir.display());
            continue;
        };
        let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for f in files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "md")) {
            let name = f.file_stem().unwrap().to_string_lossy().to_string();
            out.push((name, std::fs::read(&f).unwrap()));
        }
    }
    out
}

#[tokio::test]
async fn every_figure_of_hand_written_reports_adds_up_from_the_counts_shown() {
    let app = app().await;
    let reports = handwritten_reports();
    assert!(reports.len() >= 3);
    for (i, (name, body)) in reports.iter().enumerate() {
        let phase = format!("seed-{i}");
        let r = app
            .upload(&format!("project=shop&phase={phase}&suite=readiness"), Some(&app.token), &[], body.clone())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{name}: {}", String::from_utf8_lossy(&r.body));
        let id = r.json()["id"].as_i64().unwrap();
        let report = app.get(&format!("/api/v1/reports/{id}"), Some(&app.token)).await.json();
        let c = &report["counts"];
        let n = |k: &str| c[k].as_f64().unwrap();
        assert_eq!(
            n("passed") + n("partial") + n("failed") + n("errors") + n("not_run") + n("skipped"),
            n("tests"),
            "{name}: {c}"
        );
        assert_eq!(report["provenance"], "self_reported", "{name}");
        // A self-reported report never supports a READY claim of its own.
        if report["claimed"]["verdict"] == "ready" {
            assert_eq!(report["claim_supported"], false, "{name}: {report}");
        }

        let card = app.get(&format!("/api/v1/projects/shop/phases/{phase}"), Some(&app.token)).await.json();
        assert_ne!(card["verdict"], "ready", "{name}: self-reported evidence alone is never READY");
        let mut weighted = 0.0;
        let mut weights = 0.0;
        for cat in card["categories"].as_array().unwrap() {
            let k = &cat["counts"];
            let m = |key: &str| k[key].as_f64().unwrap();
            let sum = m("passed") + m("partial") + m("failed") + m("errors") + m("not_run") + m("skipped");
            assert_eq!(sum, cat["checks"].as_f64().unwrap(), "{name}: {cat}");
            assert!(!cat["measured"].as_bool().unwrap(), "{name}: {cat}");
            // Markdown checks carry no score/max and weight 1 (a breakdown score is a claim),
            // so the category score is (passed + partial / 2) over the scored checks.
            let scored = sum - m("skipped");
            if scored > 0.0 {
                let expected = (m("passed") + m("partial") / 2.0) / scored * 100.0;
                let score = cat["score"].as_f64().unwrap();
                assert!((score - expected).abs() < 1e-6, "{name}: {cat} expected {expected}");
                weighted += score;
                weights += 1.0;
            }
        }
        let score = card["score"].as_f64().unwrap();
        assert!(
            (score - (weighted / weights * 10.0).round() / 10.0).abs() < 0.051,
            "{name}: {score} vs {}",
            weighted / weights
        );
    }
}

#[tokio::test]
async fn blocker_list_narrows_to_a_project_and_a_phase() {
    let app = app().await;
    let cli = Actor::system("test");
    for (phase, title) in [("release-1", "Data loss on failover"), ("release-2", "No rollback plan")] {
        let ph = app.store.create_phase(&cli, app.shop_id, phase, phase).await.unwrap();
        let b = readyboard_store::NewBlocker { severity: "high".into(), title: title.into(), ..Default::default() };
        app.store.add_blocker(&cli, ph.id, &b).await.unwrap();
    }
    let titles = |v: Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|b| b["title"].as_str().unwrap().to_string()).collect()
    };
    let get = |q: &'static str| app.get(q, Some(&app.token));
    assert_eq!(get("/api/v1/blockers?project=shop").await.json()["total"], 2);
    assert_eq!(titles(get("/api/v1/blockers?project=shop&phase=release-2").await.json()), ["No rollback plan"]);
    assert_eq!(titles(get("/api/v1/blockers?phase=shop/release-1").await.json()), ["Data loss on failover"]);
    let p = get("/api/v1/blockers?phase=release-2").await.problem(StatusCode::BAD_REQUEST);
    assert!(p["detail"].as_str().unwrap().contains("project"), "{p}");
    let p = get("/api/v1/blockers?project=other&phase=shop/release-1").await.problem(StatusCode::BAD_REQUEST);
    assert!(p["detail"].as_str().unwrap().contains("another project"), "{p}");
    get("/api/v1/blockers?project=nope").await.problem(StatusCode::NOT_FOUND);
    get("/api/v1/blockers?project=shop&phase=nope").await.problem(StatusCode::NOT_FOUND);
    // A project the token may not read is not found, like one that does not exist.
    get("/api/v1/blockers?project=other").await.problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn blocker_owners_are_chosen_from_the_users() {
    use leptos::server_fn::ServerFn;
    use readyboard_app::pages::blockers::{AddBlocker, AssignBlocker, GetBlockers};
    let app = app().await;
    let cli = Actor::system("test");
    app.store.create_phase(&cli, app.shop_id, "release-1", "Release 1").await.unwrap();
    app.store.set_role(&cli, "alice", Role::Editor).await.unwrap();
    let cookie = session_cookie(&app).await;
    let v = call_server_fn(&app, GetBlockers::PATH, &cookie, "project=shop&phase=release-1").await.json();
    assert_eq!(v["users"], json!(["alice"]), "the owner menu offers the users");

    let add = |owner: &str| {
        format!("project=shop&phase=release-1&severity=high&title=No+rollback&details=&owner={owner}&due_date=")
    };
    let r = call_server_fn(&app, AddBlocker::PATH, &cookie, &add("dana")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&r.body).contains("no user named"), "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(call_server_fn(&app, AddBlocker::PATH, &cookie, &add("alice")).await.status, StatusCode::OK);
    let phase = app.store.phase(app.shop_id, "release-1").await.unwrap();
    let b = app.store.blockers(phase.id, false).await.unwrap().remove(0);
    assert_eq!(app.store.blocker(b.id).await.unwrap().row.owner.as_deref(), Some("alice"));
    let r = call_server_fn(&app, AssignBlocker::PATH, &cookie, &format!("id={}&owner=bob&due_date=", b.id)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = call_server_fn(&app, AssignBlocker::PATH, &cookie, &format!("id={}&owner=&due_date=", b.id)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.store.blocker(b.id).await.unwrap().row.owner, None, "nobody");
}

#[tokio::test]
async fn audit_log_names_what_changed_and_keeps_sign_ins_apart() {
    use leptos::server_fn::ServerFn;
    use readyboard_app::pages::audit::GetAudit;
    let app = app().await;
    let cli = Actor::system("test");
    let phase = app.store.create_phase(&cli, app.shop_id, "release-1", "Release 1").await.unwrap();
    let b = readyboard_store::NewBlocker {
        severity: "high".into(),
        title: "No rollback plan".into(),
        ..Default::default()
    };
    let b = app.store.add_blocker(&cli, phase.id, &b).await.unwrap();
    app.store.set_role(&cli, "alice", Role::Approver).await.unwrap();
    let cookie = session_cookie(&app).await;
    let audit = |form: &'static str| call_server_fn(&app, GetAudit::PATH, &cookie, form);

    // Changes by default, each naming its subject and linking to it.
    let v = audit("").await.json();
    assert_eq!(v["kind"], "changes");
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(v["total"], entries.len());
    assert!(entries.iter().all(|e| !e["action"].as_str().unwrap().starts_with("auth.")), "{v}");
    let entry = |action: &str| entries.iter().find(|e| e["action"] == action).unwrap().clone();
    let blocker = entry("blocker.create");
    assert_eq!(blocker["subject"], "No rollback plan");
    assert_eq!(blocker["href"], format!("/p/shop/release-1/blockers?status=all#blocker-{}", b.row.id));
    assert_eq!(blocker["place"], json!(["/p/shop/release-1", "Shop · Release 1"]));
    let phase = entry("phase.create");
    assert_eq!((phase["entity"].clone(), phase["subject"].clone()), (json!("phase"), json!("Shop · Release 1")));
    assert_eq!(phase["href"], "/p/shop/release-1");
    assert_eq!(
        (entry("user.create")["subject"].clone(), entry("user.create")["href"].clone()),
        (json!("alice"), Value::Null)
    );
    let shop = entries.iter().find(|e| e["action"] == "project.create" && e["subject"] == "Shop").unwrap();
    assert_eq!(shop["href"], "/p/shop");

    // Sign-ins apart; both together; a phase narrows the changes.
    let v = audit("kind=signins").await.json();
    let actions: Vec<&str> = v["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["auth.login"]);
    assert_eq!((v["total"].clone(), v["entries"][0]["subject"].clone()), (json!(1), json!("alice")));
    let all = audit("kind=all").await.json();
    assert_eq!(all["total"].as_i64().unwrap(), entries.len() as i64 + 1);
    let v = audit("kind=changes&phase=shop%2Frelease-1").await.json();
    assert_eq!(v["total"], 2, "the phase and its blocker: {v}");
    assert_eq!(audit("kind=everything").await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

// ---------------------------------------------------------------------------------------
// Retention
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_pruned_report_keeps_its_counts_and_says_its_details_went() {
    let app = app().await;
    let first = app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await.json()["id"].as_i64().unwrap();
    let extra = r#"<testcase classname="api" name="new_one"/>"#;
    let second = app.upload(UPLOAD_Q, Some(&app.token), &[], junit(extra)).await.json()["id"].as_i64().unwrap();
    let before = app.get(&format!("/api/v1/reports/{first}"), Some(&app.token)).await.json();
    let scorecard = app.get("/api/v1/projects/shop/phases/release-1", Some(&app.token)).await.json();
    assert!(before["pruned_at"].is_null());
    // Compared while both are whole (and the comparison kept): one check added.
    let whole = app.get(&format!("/api/v1/reports/{second}/diff"), Some(&app.token)).await.json();
    assert_eq!(
        (whole["added"][0]["id"].as_str(), whole["checks_pruned"].as_bool()),
        (Some("api::new_one"), Some(false))
    );

    // A month and a day later, with a 30-day retention, the older report's details go.
    app.store.set_retention(&Actor::system("test"), app.shop_id, Some(30)).await.unwrap();
    let later = readyboard_store::now_ms() + 31 * 86_400_000;
    let pruned = app.store.prune(&Actor::system("retention"), later, 10).await.unwrap();
    assert_eq!((pruned.len(), pruned[0].reports, pruned[0].checks), (1, 1, 12));

    let after = app.get(&format!("/api/v1/reports/{first}"), Some(&app.token)).await.json();
    assert!(after["pruned_at"].is_string(), "{after}");
    assert_eq!(after["counts"], before["counts"]);
    assert_eq!(after["report_score"], before["report_score"]);
    let raw = app.get(&format!("/api/v1/reports/{first}/raw"), Some(&app.token)).await;
    assert!(raw.problem(StatusCode::GONE)["detail"].as_str().unwrap().contains("retention"));
    let checks = app.get(&format!("/api/v1/reports/{first}/checks"), Some(&app.token)).await.json();
    assert_eq!(checks["total"], 0);
    // The latest report of the suite is whole, and its comparison says why it lists no checks.
    assert_eq!(app.get(&format!("/api/v1/reports/{second}/raw"), Some(&app.token)).await.status, StatusCode::OK);
    let diff = app.get(&format!("/api/v1/reports/{second}/diff"), Some(&app.token)).await.json();
    assert_eq!((diff["previous"].as_i64(), diff["checks_pruned"].as_bool()), (Some(first), Some(true)));
    // The phase is scored as before: aggregates were kept.
    let now = app.get("/api/v1/projects/shop/phases/release-1", Some(&app.token)).await.json();
    assert_eq!(
        (now["score"].clone(), now["verdict"].clone()),
        (scorecard["score"].clone(), scorecard["verdict"].clone())
    );

    let cookie = session_cookie(&app).await;
    let (_, _, html) = page(&app, &format!("/reports/{first}"), &cookie, None).await;
    assert!(html.contains("Details pruned on"), "the report page says its details went");
    assert!(!html.contains(&format!("/api/v1/reports/{first}/raw")), "no download link to a pruned file");
    let (_, _, html) = page(&app, "/p/shop", &cookie, None).await;
    assert!(html.contains("Check details and raw files are kept 30 days"));
}

// ---------------------------------------------------------------------------------------
// The CI summary of `readyboard upload`
// ---------------------------------------------------------------------------------------

/// Serves `router` on a loopback port for clients that speak real HTTP; its address.
async fn listen(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    format!("http://{addr}")
}

fn upload_args(
    url: &str,
    token: &str,
    file: &std::path::Path,
    summary: &std::path::Path,
) -> readyboard_server::cli::UploadArgs {
    readyboard_server::cli::UploadArgs {
        url: url.into(),
        token: token.into(),
        project: Some("shop".into()),
        phase: Some("release-1".into()),
        suite: Some("api".into()),
        format: None,
        run_id: None,
        environment: None,
        commit: None,
        branch: None,
        ci_url: None,
        fail_under: None,
        require_verdict: None,
        retries: 1,
        summary: Some(summary.display().to_string()),
        json: false,
        files: vec![file.display().to_string()],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upload_command_writes_a_job_summary_of_what_moved() {
    let app = app().await;
    let url = listen(app.router.clone()).await;
    let dir = std::env::temp_dir().join(format!("rb_summary_{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let (report, summary) = (dir.join("junit.xml"), dir.join("summary.md"));

    std::fs::write(&report, junit("")).unwrap();
    let code = readyboard_server::upload::run(upload_args(&url, &app.token, &report, &summary)).await.unwrap();
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    let first = std::fs::read_to_string(&summary).unwrap();
    assert!(first.starts_with("### readyboard · shop / release-1\n\n**CONDITIONAL** · score **72.7**\n"), "{first}");
    assert!(first.contains("| api | 12 | 3 | first run | — | — |"), "{first}");
    assert!(first.contains("[Open the scorecard](http://rb.test/p/shop/release-1)"), "{first}");

    // The next run adds a failing check: the summary says what moved and which check broke.
    std::fs::write(&report, junit(r#"<testcase classname="api" name="new_bad"><failure message="no"/></testcase>"#))
        .unwrap();
    let code = readyboard_server::upload::run(upload_args(&url, &app.token, &report, &summary)).await.unwrap();
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    let both = std::fs::read_to_string(&summary).unwrap();
    let second = &both[first.len()..];
    assert!(second.contains("score **66.7** (-6.0 from 72.7) — was CONDITIONAL"), "{second}");
    assert!(second.contains("| api | 13 | 4 | 1 | 0 | 3 |"), "{second}");
    assert!(second.contains("New failures in api (#") && second.contains("- `new_bad`\n"), "{second}");
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------------------------------
// REST writes with personal access tokens
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_pipeline_records_a_decision_with_a_personal_token_as_its_person() {
    let app = app().await;
    assert_eq!(app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await.status, StatusCode::CREATED);
    let cli = Actor::system("test");
    app.store.create_user(&cli, "rita", &cheap_hash(PASSWORD), Role::Approver).await.unwrap();
    let (pat, hash, prefix) = readyboard_auth::new_token("p");
    app.store.create_personal_token(&cli, "rita", "release-bot", &hash, &prefix).await.unwrap();
    let post = |uri: &str, token: &str, body: Value| {
        let req = Request::post(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        app.send(req)
    };
    let decisions = "/api/v1/projects/shop/phases/release-1/decisions";

    // A GO while the evidence says CONDITIONAL needs an override reason: refused as a problem.
    let refused = post(decisions, &pat, json!({"decision": "go", "rationale": "Marketing wants it on Monday."})).await;
    let problem = refused.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem.to_string().contains("override"), "{problem}");
    let malformed = post(decisions, &pat, json!({"decision": "go", "why": "typo"})).await;
    malformed.problem(StatusCode::UNPROCESSABLE_ENTITY);
    // The project's upload token cannot decide.
    post(decisions, &app.token, json!({"decision": "no_go", "rationale": "Tokens do not decide."}))
        .await
        .problem(StatusCode::FORBIDDEN);

    let r = post(decisions, &pat, json!({"decision": "no_go", "rationale": "Two failures in the API suite."})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    assert_eq!((v["decision"].as_str(), v["decided_by"].as_str()), (Some("no_go"), Some("rita")));
    let id = v["id"].as_i64().unwrap();
    assert_eq!(v["url"], format!("http://rb.test/p/shop/release-1/decisions/{id}"));
    let audit = app.store.audit_recent(5).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "decision.create" && a.actor_label == "rita"), "{audit:?}");

    // Revoked, the token stops working.
    let row = app.store.list_personal_tokens().await.unwrap().remove(0);
    app.store.revoke_personal_token(&cli, row.id).await.unwrap();
    post(decisions, &pat, json!({"decision": "no_go", "rationale": "Again."})).await.problem(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_person_creates_and_revokes_only_their_own_personal_tokens_in_the_browser() {
    use leptos::server_fn::ServerFn;
    use readyboard_app::pages::account::{CreatePersonalToken, GetPersonalTokens, RevokePersonalToken};
    let app = app().await;
    let cli = Actor::system("test");
    let cookie = session_cookie(&app).await;
    let (bobs, hash, prefix) = readyboard_auth::new_token("p");
    app.store.create_user(&cli, "bob", &cheap_hash(PASSWORD), Role::Viewer).await.unwrap();
    let bob_token = app.store.create_personal_token(&cli, "bob", "bob-bot", &hash, &prefix).await.unwrap();

    // Logged out, nothing is made; a name is required and limited.
    let anonymous = Request::post(CreatePersonalToken::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from("name=sneaky"))
        .unwrap();
    assert_eq!(app.send(anonymous).await.status, StatusCode::UNAUTHORIZED);
    let blank = call_server_fn(&app, CreatePersonalToken::PATH, &cookie, "name=+++").await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    let long = format!("name={}", "é".repeat(101));
    assert_eq!(
        call_server_fn(&app, CreatePersonalToken::PATH, &cookie, &long).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let full = format!("name={}", "é".repeat(100));
    assert_eq!(call_server_fn(&app, CreatePersonalToken::PATH, &cookie, &full).await.status, StatusCode::OK);

    // alice's token is shown once, acts as her, and her list holds her tokens only.
    let made = call_server_fn(&app, CreatePersonalToken::PATH, &cookie, "name=laptop+%3Cscript%3E").await;
    assert_eq!(made.status, StatusCode::OK, "{}", String::from_utf8_lossy(&made.body));
    let token = made.json().as_str().expect("the token").to_string();
    assert!(token.starts_with("rbp_"), "{token}");
    assert_eq!(app.get("/api/v1/projects", Some(&token)).await.status, StatusCode::OK);
    let list = call_server_fn(&app, GetPersonalTokens::PATH, &cookie, "").await.json();
    let names: Vec<&str> = list["tokens"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["laptop <script>", &"é".repeat(100)]);
    assert_eq!(list["site"], "http://rb.test");

    // bob's token cannot be revoked by alice: not found, and it keeps working.
    let theirs = call_server_fn(&app, RevokePersonalToken::PATH, &cookie, &format!("id={}", bob_token.id)).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&theirs.body).contains("not one of yours"));
    assert_eq!(app.get("/api/v1/projects", Some(&bobs)).await.status, StatusCode::OK);

    // Her own is revoked, audited as her, and stops working.
    let id = list["tokens"][0]["id"].as_i64().unwrap();
    let r = call_server_fn(&app, RevokePersonalToken::PATH, &cookie, &format!("id={id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(app.get("/api/v1/projects", Some(&token)).await.status, StatusCode::UNAUTHORIZED);
    let audit = app.store.audit_recent(1).await.unwrap();
    assert_eq!((audit[0].action.as_str(), audit[0].actor_label.as_str()), ("personal_token.revoke", "alice"));
    let again = call_server_fn(&app, RevokePersonalToken::PATH, &cookie, &format!("id={id}")).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------
// Live pages: the event stream
// ---------------------------------------------------------------------------------------

/// One server-sent event: its name, id and data.
#[derive(Debug, Clone, PartialEq)]
struct Sse {
    event: String,
    id: String,
    data: String,
}

/// An open event stream, read as it arrives.
struct EventStream {
    body: Body,
    pending: String,
}

impl TestApp {
    /// Opens `uri` as a live page would, with `cookie` and perhaps a `Last-Event-ID`.
    async fn open_events(&self, uri: &str, cookie: &str, last_event_id: Option<&str>) -> EventStream {
        self.open_events_as(uri, (header::COOKIE, cookie), last_event_id).await
    }

    /// Opens `uri` with the credentials of `auth` (a cookie or an authorization header).
    async fn open_events_as(
        &self,
        uri: &str,
        auth: (header::HeaderName, &str),
        last_event_id: Option<&str>,
    ) -> EventStream {
        let mut req = Request::get(uri).header(auth.0, auth.1);
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id);
        }
        let resp = self.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.expect("router answers");
        assert_eq!(resp.status(), StatusCode::OK, "{uri}");
        assert_eq!(resp.headers()[header::CONTENT_TYPE], "text/event-stream");
        EventStream { body: resp.into_body(), pending: String::new() }
    }
}

impl EventStream {
    /// The next event (keep-alive comments skipped); fails after five seconds without one.
    async fn next(&mut self) -> Sse {
        self.next_within(std::time::Duration::from_secs(5)).await.expect("an event within five seconds")
    }

    /// The next event if one arrives within `wait`.
    async fn next_within(&mut self, wait: std::time::Duration) -> Option<Sse> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.pending.find("\n\n") {
                let block: String = self.pending.drain(..end + 2).collect();
                let mut e = Sse { event: "message".into(), id: String::new(), data: String::new() };
                for line in block.lines() {
                    match line.split_once(':').map(|(k, v)| (k, v.strip_prefix(' ').unwrap_or(v))) {
                        Some(("event", v)) => e.event = v.into(),
                        Some(("id", v)) => e.id = v.into(),
                        Some(("data", v)) => e.data = v.into(),
                        _ => {}
                    }
                }
                if !e.data.is_empty() || !e.id.is_empty() {
                    return Some(e);
                }
                continue;
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame()).await.ok()?;
            let frame = frame.expect("the stream stays open").expect("a readable frame");
            if let Ok(data) = frame.into_data() {
                self.pending.push_str(std::str::from_utf8(&data).expect("utf-8"));
            }
        }
    }
}

#[tokio::test]
async fn a_live_page_hears_of_the_changes_it_shows_and_no_others() {
    let app = app().await;
    app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    let cookie = session_cookie(&app).await;
    let mut phase = app.open_events("/api/v1/events?project=shop&phase=release-1", &cookie, None).await;
    let mut everything = app.open_events("/api/v1/events", &cookie, None).await;
    let ready = phase.next().await;
    assert_eq!(ready.event, "ready");
    assert_eq!(ready.id, app.store.last_change_id().await.unwrap().to_string(), "it names the newest change");
    assert_eq!(everything.next().await.event, "ready");

    // Another project's and another phase's reports are not this page's business…
    let r = app.upload("project=other&phase=release-1&suite=api", Some(&app.other_token), &[], junit("")).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = app.upload("project=shop&phase=release-2&suite=api", Some(&app.token), &[], junit("")).await;
    assert_eq!(r.status, StatusCode::CREATED);
    // …this phase's is.
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[], junit(r#"<testcase classname="api" name="new"/>"#)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let report = r.json()["id"].as_i64().unwrap();
    let change = phase.next().await;
    assert_eq!(change.event, "change");
    let data: Value = serde_json::from_str(&change.data).unwrap();
    assert_eq!(
        (data["action"].as_str(), data["project"].as_str(), data["phase"].as_str()),
        (Some("report.create"), Some("shop"), Some("release-1"))
    );
    assert_eq!(change.id, data["id"].to_string(), "the event id is the change's number");
    assert!(change.id.parse::<i64>().unwrap() > ready.id.parse::<i64>().unwrap());
    assert!(report > 0);

    // The overview's stream hears of all of it, in order: the two new phases, the three
    // reports, and the verdicts of the new phases' first evidence.
    let mut seen = Vec::new();
    for _ in 0..7 {
        let e = everything.next().await;
        let d: Value = serde_json::from_str(&e.data).unwrap();
        seen.push(format!(
            "{} {}/{}",
            d["action"].as_str().unwrap(),
            d["project"].as_str().unwrap(),
            d["phase"].as_str().unwrap()
        ));
    }
    assert_eq!(
        seen,
        [
            "phase.create other/release-1",
            "report.create other/release-1",
            "phase.verdict other/release-1",
            "phase.create shop/release-2",
            "report.create shop/release-2",
            "phase.verdict shop/release-2",
            "report.create shop/release-1"
        ]
    );

    assert!(phase.next_within(std::time::Duration::from_millis(300)).await.is_none(), "nothing else happened");

    // A change a person makes is one too, at once.
    let shop_phase = app.store.phase(app.shop_id, "release-1").await.unwrap();
    let settings = readyboard_store::PhaseSettingsUpdate {
        ready_threshold: 95.0,
        conditional_threshold: 70.0,
        freshness_days: 3,
        category_weights: Default::default(),
    };
    app.store.update_phase_settings(&Actor::system("test"), shop_phase.id, &settings).await.unwrap();
    let change = phase.next().await;
    assert!(change.data.contains("\"phase.settings\""), "{change:?}");
}

#[tokio::test]
async fn a_dropped_stream_resumes_after_its_last_event() {
    let app = app().await;
    app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    let cookie = session_cookie(&app).await;
    let uri = "/api/v1/events?project=shop&phase=release-1";
    let mut stream = app.open_events(uri, &cookie, None).await;
    let ready = stream.next().await;
    drop(stream);
    // While the page was cut off, a report arrived and a phase setting changed.
    let r = app.upload(UPLOAD_Q, Some(&app.token), &[], junit(r#"<testcase classname="api" name="new"/>"#)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let mut stream = app.open_events(uri, &cookie, Some(&ready.id)).await;
    let missed = stream.next().await;
    assert_eq!(missed.event, "change");
    assert!(missed.data.contains("\"report.create\""), "{missed:?}");
    let resumed = stream.next().await;
    assert_eq!(resumed.event, "ready", "then it names where it resumes");
    assert_eq!(resumed.id, app.store.last_change_id().await.unwrap().to_string());
    // Nothing missed: just the ready event.
    let mut stream = app.open_events(uri, &cookie, Some(&resumed.id)).await;
    assert_eq!(stream.next().await.event, "ready");
    assert!(stream.next_within(std::time::Duration::from_millis(300)).await.is_none());
}

#[tokio::test]
async fn the_event_stream_is_read_like_the_page() {
    let app = app().await;
    app.upload(UPLOAD_Q, Some(&app.token), &[], junit("")).await;
    let r = app.get("/api/v1/events?project=shop", None).await;
    r.problem(StatusCode::UNAUTHORIZED);
    // A token sees its own project only; another project is not found.
    let r = app.get("/api/v1/events?project=shop", Some(&app.other_token)).await;
    r.problem(StatusCode::NOT_FOUND);
    // Unscoped, a token follows its own project and nothing else.
    let bearer = format!("Bearer {}", app.other_token);
    let mut own = app.open_events_as("/api/v1/events", (header::AUTHORIZATION, &bearer), None).await;
    assert_eq!(own.next().await.event, "ready");
    app.upload(UPLOAD_Q, Some(&app.token), &[], junit(r#"<testcase classname="api" name="new"/>"#)).await;
    app.upload("project=other&phase=rc&suite=api", Some(&app.other_token), &[], junit("")).await;
    let first = own.next().await;
    assert!(first.data.contains("\"project\":\"other\""), "shop's report is not told: {first:?}");
    let cookie = session_cookie(&app).await;
    for (uri, status) in [
        ("/api/v1/events?project=nope", StatusCode::NOT_FOUND),
        ("/api/v1/events?project=shop&phase=nope", StatusCode::NOT_FOUND),
        ("/api/v1/events?phase=release-1", StatusCode::BAD_REQUEST),
    ] {
        let req = Request::get(uri).header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
        app.send(req).await.problem(status);
    }
}

/// A phase with more open blockers than the scorecard lists: it counts them all, lists the
/// most severe, and links to the rest; the blockers page lists every one.
#[tokio::test]
async fn the_scorecard_counts_every_open_blocker_and_lists_the_most_severe() {
    let app = app().await;
    let findings: Vec<String> = (0..12)
        .map(|i| {
            let severity = if i < 4 { "critical" } else { "high" };
            format!(r#"{{"id": "f{i}", "severity": "{severity}", "status": "open", "title": "Finding {i}"}}"#)
        })
        .collect();
    // Highs first in the file: the list is ordered by severity, not by arrival.
    let findings: Vec<String> = findings[4..].iter().chain(&findings[..4]).cloned().collect();
    let body = format!(
        r#"{{"schema": "readyboard/v1", "project": "shop", "phase": "many", "suite": "audit", "kind": "security",
            "findings": [{}]}}"#,
        findings.join(",")
    );
    let r = app.upload("project=shop", Some(&app.token), &[("content-type", "application/json")], body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let cookie = session_cookie(&app).await;
    let page = |uri: &'static str| {
        let cookie = cookie.clone();
        let router = app.router.clone();
        async move {
            let req = Request::get(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
            let resp = router.oneshot(req).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK, "{uri}");
            String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
        }
    };
    let html = page("/p/shop/many").await;
    assert!(html.contains("Open blockers (12)"), "the heading counts all of them");
    assert_eq!(html.matches(r#"<li class="blocker sev-"#).count(), 10, "ten are listed");
    assert_eq!(html.matches(r#"<li class="blocker sev-critical""#).count(), 4, "every critical one among them");
    assert!(html.contains("The 10 most severe of 12."));
    assert!(html.contains(r#"href="/p/shop/many/blockers">All 12 open blockers</a>"#));
    let all = page("/p/shop/many/blockers").await;
    for i in 0..12 {
        assert!(all.contains(&format!(">Finding {i}<")), "the blockers page lists Finding {i}");
    }
}
