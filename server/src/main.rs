//! The `readyboard` binary: web server, REST API and command line in one.

use std::process::ExitCode;

use clap::Parser;
use readyboard_server::{cli, commands, priority, telemetry};

/// mimalloc: under many concurrent requests the system allocator's arena locks and
/// consolidation took a third of the server's time (docs/BENCHMARKS.md, 2026-12-02).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    telemetry::init(cli.log_format.as_deref());
    // The runtime's threads run below the process's priority; reports parsed alone keep it.
    let runtime = match priority::runtime() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
