//! `rapport migrate`, `admin`, `backup` and `restore`.

use crate::config::{DbArgs, FileConfig};
use anyhow::{bail, Context};
use rapport_app::{App, AppConfig, SystemClock};
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::sync::Arc;

/// Administrative subcommands.
#[derive(clap::Subcommand)]
pub enum AdminCommand {
    /// Create an account (for a first admin without a browser). The password is read from standard input, or prompted for on a terminal.
    CreateUser {
        /// Email address.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Make the account a site administrator.
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Options of `rapport backup`.
#[derive(clap::Args)]
pub struct BackupArgs {
    /// Where to write the copy (must not exist).
    pub file: PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

/// Options of `rapport restore`.
#[derive(clap::Args)]
pub struct RestoreArgs {
    /// A backup made by `rapport backup`.
    pub file: PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

/// Applies migrations.
pub async fn migrate(db: DbArgs) -> anyhow::Result<()> {
    let (store, _, url, _) = db.open().await?;
    store.close().await;
    println!(
        "Migrations are up to date on {}",
        crate::config::redact(&url)
    );
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (at least 10 characters): ")?;
        let second = rpassword::prompt_password("Repeat the password: ")?;
        if first != second {
            bail!("the passwords differ; nothing was created");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        Ok(line.trim_end_matches(['\n', '\r']).to_string())
    }
}

/// Runs an admin subcommand.
pub async fn run(cmd: AdminCommand) -> anyhow::Result<()> {
    match cmd {
        AdminCommand::CreateUser {
            email,
            name,
            admin,
            db,
        } => {
            let password = read_password()?;
            let (store, data_dir, _, _) = db.open().await?;
            let app = App::new(
                store.clone(),
                Arc::new(SystemClock),
                AppConfig {
                    outbox_dir: data_dir.join("outbox"),
                    ..AppConfig::default()
                },
            )
            .await?;
            match app.create_user(&email, &name, &password, admin).await {
                Ok(id) => println!(
                    "Created {}{} ({id}).",
                    email.trim().to_lowercase(),
                    if admin { " as an administrator" } else { "" }
                ),
                Err(e) => return Err(e.into()), // keeps the cause chain for "Caused by:"
            }
            store.close().await;
            Ok(())
        }
    }
}

/// Online backup of the SQLite database.
pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    if args.file.exists() {
        bail!(
            "{} already exists; choose a new file name",
            args.file.display()
        );
    }
    let (store, _, _, _) = args.db.open().await?;
    let dest = args
        .file
        .to_str()
        .context("the backup path must be valid UTF-8")?;
    store.backup_to(dest).await.map_err(anyhow::Error::from)?;
    store.close().await;
    println!("Backed up to {}", args.file.display());
    Ok(())
}

/// Replaces the SQLite database with a backup, after checking it.
pub async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let file = FileConfig::load(args.db.config.as_deref())?;
    let (data_dir, url) = args.db.resolve(&file);
    let Some(path) = url.strip_prefix("sqlite://") else {
        bail!("restore works on the SQLite database; on PostgreSQL use pg_dump and pg_restore (see docs/operations.md)");
    };
    if !args.file.is_file() {
        bail!("{} does not exist", args.file.display());
    }
    // Check the backup opens and is a Rapport database before touching anything.
    let check = rapport_store::Store::connect(&format!("sqlite://{}", args.file.display()))
        .await
        .map_err(anyhow::Error::from)?;
    let mut tx = check.read().await.map_err(anyhow::Error::from)?;
    let people = tx
        .count_people()
        .await
        .with_context(|| format!("{} is not a Rapport backup", args.file.display()))?;
    drop(tx);
    check.close().await;
    std::fs::create_dir_all(&data_dir)?;
    let target = PathBuf::from(path);
    let tmp = target.with_extension("db.restoring");
    std::fs::copy(&args.file, &tmp).with_context(|| format!("cannot copy to {}", tmp.display()))?;
    for ext in ["db-wal", "db-shm"] {
        let _ = std::fs::remove_file(target.with_extension(ext));
    }
    std::fs::rename(&tmp, &target)
        .with_context(|| format!("cannot replace {}", target.display()))?;
    println!(
        "Restored {} ({people} people) into {}",
        args.file.display(),
        target.display()
    );
    Ok(())
}
