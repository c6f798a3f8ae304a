//! The `readyboard` binary: web server, REST API and command line in one.

use std::process::ExitCode;

use clap::Parser;
use readyboard_server::{cli, commands, telemetry};

/// mimalloc: under many concurrent requests the system allocator's arena locks and
/// consolidation took a third of the server's time (docs/BENCHMARKS.md, 2026-12-02).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    telemetry::init(cli.log_format.as_deref());
    match commands::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
