//! Dispatches the command line to its implementation.

use std::process::ExitCode;

use readyboard_domain::role::Role;
use readyboard_store::{Actor, Store, StoreError};

use crate::cli::{Cli, Command, TokenCommand, UserCommand};
use crate::context::ErrContext;

fn password_from_env_or_prompt(prompt: &str) -> Result<String, String> {
    if let Ok(p) = std::env::var("READYBOARD_PASSWORD")
        && !p.is_empty()
    {
        return Ok(p);
    }
    let first = rpassword::prompt_password(prompt)
        .context("reading the password (set READYBOARD_PASSWORD when not on a terminal)")?;
    let again = rpassword::prompt_password("Repeat: ").context("reading the password")?;
    if first != again {
        return Err("the passwords differ".into());
    }
    Ok(first)
}

fn parse_role(role: &str) -> Result<Role, String> {
    Role::parse(role).ok_or_else(|| format!("unknown role `{role}` (viewer, editor, approver or admin)"))
}

fn hash(password: &str) -> Result<String, String> {
    readyboard_auth::check_password_rules(password)?;
    readyboard_auth::hash_password(password)
}

fn store_msg(e: StoreError) -> String {
    match e {
        StoreError::NotFound => "not found".into(),
        StoreError::Conflict(what) => format!("{what} already exists"),
        StoreError::Invalid(msg) => msg,
        other => other.to_string(),
    }
}

/// Runs one command; `Err` is printed and exits 1.
pub async fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Serve(args) => crate::serve::serve(args).await.map(|_| ExitCode::SUCCESS),
        Command::Migrate(db) => {
            Store::open(&db.database_url).await.context("migrating")?;
            println!("Database is up to date.");
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(db) => {
            let store = Store::open(&db.database_url).await.context("opening the database")?;
            let n = crate::demo::load(&store).await.context("loading the demo data")?;
            println!("Loaded the demo dataset: {n} reports in 2 projects.");
            Ok(ExitCode::SUCCESS)
        }
        Command::User { command } => user(command).await,
        Command::Token { command } => token(command).await,
        Command::Upload(args) => crate::upload::run(args).await,
        Command::Check { format, files } => crate::upload::check(format.as_deref(), &files),
        Command::Backup { db, file } => {
            crate::backup::backup(&db.database_url, &file).await?;
            println!("Backup written to {file}.");
            Ok(ExitCode::SUCCESS)
        }
        Command::Prune { db, dry_run } => {
            let store = Store::open(&db.database_url).await.context("opening the database")?;
            for line in crate::retention::run_once(&store, dry_run).await.map_err(store_msg)? {
                println!("{line}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { db, file } => {
            let target = crate::backup::restore(&db.database_url, &file).await?;
            println!("Restored {target} from {file}.");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `readyboard user …`: adds a user, sets a password or changes a role.
async fn user(command: UserCommand) -> Result<ExitCode, String> {
    let cli_actor = Actor::system("cli");
    match command {
        UserCommand::Add { db, username, role } => {
            let role = parse_role(&role)?;
            let password = password_from_env_or_prompt(&format!("Password for {username}: "))?;
            let hash = hash(&password)?;
            let store = Store::open(&db.database_url).await.context("opening the database")?;
            store.create_user(&cli_actor, &username, &hash, role).await.map_err(store_msg)?;
            println!("Created user {username} ({}).", role.as_str());
        }
        UserCommand::Passwd { db, username } => {
            let password = password_from_env_or_prompt(&format!("New password for {username}: "))?;
            let hash = hash(&password)?;
            let store = Store::open(&db.database_url).await.context("opening the database")?;
            store
                .set_password(&cli_actor, &username, &hash)
                .await
                .map_err(|e| format!("user {username}: {}", store_msg(e)))?;
            println!("Password of {username} changed.");
        }
        UserCommand::Role { db, username, role } => {
            let role = parse_role(&role)?;
            let store = Store::open(&db.database_url).await.context("opening the database")?;
            store
                .set_role(&cli_actor, &username, role)
                .await
                .map_err(|e| format!("user {username}: {}", store_msg(e)))?;
            println!("{username} is now {}.", role.as_str());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `readyboard token …`: creates or revokes project and personal tokens.
async fn token(command: TokenCommand) -> Result<ExitCode, String> {
    let cli_actor = Actor::system("cli");
    match command {
        TokenCommand::Create { db, project, name } => {
            let store = Store::open(&db.database_url).await.context("opening the database")?;
            create_project_token(&store, &cli_actor, &project, &name).await?;
        }
        TokenCommand::CreatePersonal { db, user, name } => {
            let store = Store::open(&db.database_url).await.context("opening the database")?;
            let (token, hash, prefix) = readyboard_auth::new_token("p");
            let row = store
                .create_personal_token(&cli_actor, &user, &name, &hash, &prefix)
                .await
                .map_err(|e| format!("user {user}: {}", store_msg(e)))?;
            println!("Personal token {} ({name}) acting as {user}; it is shown only now:", row.id);
            println!("{token}");
        }
        TokenCommand::RevokePersonal { db, id } => {
            let store = Store::open(&db.database_url).await.context("opening the database")?;
            store
                .revoke_personal_token(&cli_actor, id)
                .await
                .map_err(|e| format!("personal token {id}: {}", store_msg(e)))?;
            println!("Personal token {id} revoked.");
        }
        TokenCommand::Revoke { db, id } => {
            let store = Store::open(&db.database_url).await.context("opening the database")?;
            store.revoke_token(&cli_actor, id).await.map_err(|e| format!("token {id}: {}", store_msg(e)))?;
            println!("Token {id} revoked.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Creates a CI token for a project (creating the project when missing) and prints it once.
async fn create_project_token(store: &Store, cli_actor: &Actor, project: &str, name: &str) -> Result<(), String> {
    let p = match store.project(project).await {
        Ok(p) => p,
        Err(StoreError::NotFound) => {
            let p = store.create_project(cli_actor, project, project, "").await.map_err(store_msg)?;
            eprintln!("Created project {project}.");
            p
        }
        Err(e) => return Err(store_msg(e)),
    };
    let (token, hash, prefix) = readyboard_auth::new_token("t");
    let row = store.create_token(cli_actor, p.id, name, &hash, &prefix).await.map_err(store_msg)?;
    println!("Token {} ({name}) for project {project}; it is shown only now:", row.id);
    println!("{token}");
    Ok(())
}
