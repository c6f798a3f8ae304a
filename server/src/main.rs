//! The `readyboard` binary: web server, REST API and command line in one.

use std::process::ExitCode;

use clap::Parser;
use readyboard_server::{cli, commands, telemetry};

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
