//! Retention in the running server and on the command line: the background task that
//! prunes what each project's retention lets go, and `readyboard prune [--dry-run]`.

use std::time::Duration;

use readyboard_store::{Actor, PruneTally, Store};

/// Reports pruned per transaction: small, so the write lock is never held for long.
pub const BATCH: i64 = 50;

/// One line per project, as the command prints it.
pub fn describe(t: &PruneTally) -> String {
    format!(
        "{}: {} report{} older than {} days, {} check rows, {:.1} MiB of raw files",
        t.project,
        t.reports,
        if t.reports == 1 { "" } else { "s" },
        t.retention_days,
        t.checks,
        t.raw_bytes as f64 / 1_048_576.0
    )
}

/// Prunes now (or, with `dry_run`, only says what would go); the lines to print.
pub async fn run_once(store: &Store, dry_run: bool) -> Result<Vec<String>, readyboard_store::StoreError> {
    let now = readyboard_store::now_ms();
    let tallies = if dry_run {
        store.prune_plan(now).await?
    } else {
        store.prune(&Actor::system("retention"), now, BATCH).await?
    };
    let verb = if dry_run { "would prune" } else { "pruned" };
    if tallies.is_empty() {
        return Ok(vec!["Nothing to prune: no report is past its project's retention.".to_string()]);
    }
    Ok(tallies.iter().map(|t| format!("{verb} {}", describe(t))).collect())
}

/// Prunes every `every` for as long as the server runs; failures are logged and retried at
/// the next turn.
pub async fn continuously(store: Store, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match store.prune(&Actor::system("retention"), readyboard_store::now_ms(), BATCH).await {
            Ok(tallies) => {
                for t in &tallies {
                    tracing::info!(project = %t.project, reports = t.reports, checks = t.checks, "retention pruned");
                }
            }
            Err(e) => tracing::error!(error = %e, "retention pruning failed; retrying at the next turn"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_dry_run_says_what_would_go_and_changes_nothing() {
        let store = Store::open("sqlite::memory:").await.expect("store");
        let cli = Actor::system("test");
        let p = store.create_project(&cli, "shop", "Shop", "").await.expect("project");
        assert_eq!(
            run_once(&store, true).await.unwrap(),
            ["Nothing to prune: no report is past its project's retention."]
        );
        store.set_retention(&cli, p.id, Some(7)).await.expect("retention");
        assert_eq!(run_once(&store, false).await.unwrap().len(), 1, "still nothing to prune");
        let line = describe(&PruneTally {
            project: "shop".into(),
            retention_days: 7,
            reports: 2,
            checks: 4000,
            raw_bytes: 3 * 1_048_576,
        });
        assert_eq!(line, "shop: 2 reports older than 7 days, 4000 check rows, 3.0 MiB of raw files");
    }
}
