//! The `readyboard` binary: web server, REST API and command line in one.

use std::process::ExitCode;

use clap::Parser;
use readyboard_server::{cli, commands, telemetry};

// Many threads parse, compress and write at once: mimalloc keeps their memory from
// fragmenting into per-thread arenas the way the system allocator does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
