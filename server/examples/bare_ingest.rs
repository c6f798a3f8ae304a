//! Baseline for the upload benchmark: the least work that stores a JUnit file's test cases
//! in SQLite — stream it with quick-xml and insert one row per `<testcase>` in one
//! transaction. `scripts/bench-upload.sh` compares the real upload path with this.
//!
//! Usage: `cargo run --release -p readyboard-server --example bare_ingest -- FILE`

use std::time::Instant;

use quick_xml::Reader;
use quick_xml::events::Event;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: bare_ingest FILE")?;
    let dir = std::env::temp_dir().join(format!("bare-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bare.db");
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(&db)
                .create_if_missing(true)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal),
        )
        .await?;
    sqlx::query("CREATE TABLE t (name TEXT, classname TEXT, time REAL, status TEXT)").execute(&pool).await?;

    let started = Instant::now();
    let data = std::fs::read(&path)?;
    let mut reader = Reader::from_reader(&data[..]);
    let mut buf = Vec::new();
    let mut rows: Vec<(String, String, f64, &'static str)> = Vec::new();
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                let (mut name, mut class, mut time) = (String::new(), String::new(), 0.0);
                for a in e.attributes().flatten() {
                    let v = a.unescape_value()?.into_owned();
                    match a.key.as_ref() {
                        b"name" => name = v,
                        b"classname" => class = v,
                        b"time" => time = v.parse().unwrap_or(0.0),
                        _ => {}
                    }
                }
                rows.push((name, class, time, "pass"));
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"failure" => {
                if let Some(last) = rows.last_mut() {
                    last.3 = "fail";
                }
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"skipped" => {
                if let Some(last) = rows.last_mut() {
                    last.3 = "skip";
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let mut tx = pool.begin().await?;
    for chunk in rows.chunks(1000) {
        let mut qb = sqlx::QueryBuilder::new("INSERT INTO t (name, classname, time, status) ");
        qb.push_values(chunk, |mut b, r| {
            b.push_bind(&r.0).push_bind(&r.1).push_bind(r.2).push_bind(r.3);
        });
        qb.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    println!("{} rows in {ms:.1} ms", rows.len());
    pool.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
