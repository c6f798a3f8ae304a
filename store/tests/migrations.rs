//! Migrations that rewrite existing rows, tried on a database written before them, on
//! SQLite and (when reachable) PostgreSQL.

use std::borrow::Cow;
use std::io::Write;

use readyboard_store::Store;
use sqlx::Connection;
use sqlx::migrate::Migrator;

const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Rows as version 4 wrote them: `failed` holds warn/partial, `skipped` holds not run.
const BEFORE_0005: &str = "\
INSERT INTO projects (id, slug, name, created_at) VALUES (1, 'p', 'P', 0);
INSERT INTO phases (id, project_id, slug, name, created_at) VALUES (1, 1, 'ph', 'Ph', 0);
INSERT INTO suites (id, phase_id, name, kind, created_at) VALUES (1, 1, 'handwritten', NULL, 0);
INSERT INTO reports (id, suite_id, phase_id, format, content_hash, received_at, tests, passed, failed, errors, skipped, raw_size, raw_gzip)
  VALUES (1, 1, 1, 'markdown', 'h', 0, 6, 1, 3, 0, 2, 0, RAW);
INSERT INTO report_categories VALUES (1, 'A', 1.5, 3, 3, 1, 2, 0, 0);
INSERT INTO report_categories VALUES (1, 'handwritten', 0.5, 2, 3, 0, 1, 0, 2);
INSERT INTO checks (report_id, ordinal, check_key, name, suite_path, category, status, status_rank) VALUES
 (1, 0, 'a', 'a', '', 'A', 'warn', 3), (1, 1, 'b', 'b', '', 'A', 'fail', 1), (1, 2, 'c', 'c', '', 'A', 'pass', 6),
 (1, 3, 'd', 'd', '', NULL, 'partial', 2), (1, 4, 'e', 'e', '', '  ', 'not_run', 4), (1, 5, 'f', 'f', '', NULL, 'skip', 5);
";

type Counts = (i64, i64, i64, i64, i64, i64, i64);
/// The report's own score becomes the mean of its category scores: (50 + 25) / 2.
const SCORE_SQL: &str = "SELECT score FROM reports";
const RESCORED: f64 = 37.5;
const REPORT_SQL: &str = "SELECT tests, passed, partial, failed, errors, not_run, skipped FROM reports";
const CATEGORY_SQL: &str =
    "SELECT checks, passed, partial, failed, errors, not_run, skipped FROM report_categories ORDER BY category";

/// The old rows, moved into the report's check set: listed most severe first, file order within a status.
async fn assert_checks_moved(store: &Store) {
    let (total, rows) = store.checks(1, None, 0, 10).await.expect("the moved checks read back");
    let listed: Vec<(String, String, i64)> =
        rows.iter().map(|c| (c.check_key.clone(), c.status.as_str().to_string(), c.id)).collect();
    let want = [
        ("b", "fail", 1),
        ("d", "partial", 3),
        ("a", "warn", 0),
        ("e", "not_run", 4),
        ("f", "skip", 5),
        ("c", "pass", 2),
    ];
    let want: Vec<(String, String, i64)> = want.iter().map(|(k, s, o)| (k.to_string(), s.to_string(), *o)).collect();
    assert_eq!((total, listed), (6, want));
    assert_eq!(rows[2].category.as_deref(), Some("A"));
}

const OLD_TABLE_SQL: &str = "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'checks'";

fn up_to(migrator: Migrator, version: i64) -> Migrator {
    let kept: Vec<_> = migrator.migrations.iter().filter(|m| m.version <= version).cloned().collect();
    Migrator { migrations: Cow::Owned(kept), ..migrator }
}

fn assert_recounted(provenance: &str, report: Counts, categories: Vec<Counts>) {
    assert_eq!(provenance, "self_reported", "a Markdown report is self-reported");
    // Every check in one bucket: 1 pass, 2 partial (warn + partial), 1 fail, 1 not run, 1 skip.
    assert_eq!(report, (6, 1, 2, 1, 0, 1, 1));
    // "A" holds warn, fail, pass; the uncategorised checks fell in the suite's own category.
    assert_eq!(categories, vec![(3, 1, 1, 1, 0, 0, 0), (3, 0, 1, 0, 0, 1, 1)]);
}

#[tokio::test]
async fn counts_are_recounted_and_markdown_marked_self_reported_on_sqlite() {
    let path = std::env::temp_dir().join(format!("rb_mig_{}.db", uuid::Uuid::new_v4().simple()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    up_to(sqlx::migrate!("../migrations/sqlite"), 4).run(&pool).await.unwrap();
    sqlx::raw_sql(&BEFORE_0005.replace("RAW", "X'00'")).execute(&pool).await.unwrap();
    pool.close().await;

    let store = Store::open(&format!("sqlite://{}", path.display())).await.expect("migrates to the latest version");
    assert_checks_moved(&store).await;
    store.close().await;
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let old: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'checks'").fetch_one(&pool).await.unwrap();
    assert_eq!(old, 0, "the old checks table is dropped once moved");
    let provenance: String = sqlx::query_scalar("SELECT provenance FROM reports").fetch_one(&pool).await.unwrap();
    let report: Counts = sqlx::query_as(REPORT_SQL).fetch_one(&pool).await.unwrap();
    let categories: Vec<Counts> = sqlx::query_as(CATEGORY_SQL).fetch_all(&pool).await.unwrap();
    let score: f64 = sqlx::query_scalar(SCORE_SQL).fetch_one(&pool).await.unwrap();
    pool.close().await;
    let _ = std::fs::remove_file(&path);
    assert!((score - RESCORED).abs() < 1e-9, "{score}");
    assert_recounted(&provenance, report, categories);
}

#[tokio::test]
async fn counts_are_recounted_and_markdown_marked_self_reported_on_postgres() {
    let admin = std::env::var("READYBOARD_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_PG.to_string());
    let Ok(Ok(mut conn)) =
        tokio::time::timeout(std::time::Duration::from_secs(5), sqlx::PgConnection::connect(&admin)).await
    else {
        let _ = writeln!(std::io::stderr(), "SKIPPED: PostgreSQL not reachable at {admin}");
        return;
    };
    let name = format!("rb_mig_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
    let url = match admin.rfind('/') {
        Some(i) if admin[..i].contains('@') || admin[..i].ends_with(|c: char| c.is_ascii_digit()) => {
            format!("{}/{name}", &admin[..i])
        }
        _ => format!("{admin}/{name}"),
    };
    let result = tokio::spawn(async move {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        up_to(sqlx::migrate!("../migrations/postgres"), 4).run(&pool).await.unwrap();
        sqlx::raw_sql(&BEFORE_0005.replace("RAW", "'\\x00'::bytea")).execute(&pool).await.unwrap();
        pool.close().await;
        let store = Store::open(&url).await.expect("migrates to the latest version");
        assert_checks_moved(&store).await;
        store.close().await;
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        let old: i64 = sqlx::query_scalar(OLD_TABLE_SQL).fetch_one(&pool).await.unwrap();
        assert_eq!(old, 0, "the old checks table is dropped once moved");
        let provenance: String = sqlx::query_scalar("SELECT provenance FROM reports").fetch_one(&pool).await.unwrap();
        let report: Counts = sqlx::query_as(REPORT_SQL).fetch_one(&pool).await.unwrap();
        let categories: Vec<Counts> = sqlx::query_as(CATEGORY_SQL).fetch_all(&pool).await.unwrap();
        let score: f64 = sqlx::query_scalar(SCORE_SQL).fetch_one(&pool).await.unwrap();
        pool.close().await;
        assert!((score - RESCORED).abs() < 1e-9, "{score}");
        assert_recounted(&provenance, report, categories);
    })
    .await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await.unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}
