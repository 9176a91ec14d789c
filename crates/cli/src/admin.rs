//! `rapport migrate`, `admin`, `backup` and `restore`.

use crate::config::DbArgs;
use anyhow::{bail, Context};
use rapport_app::operator::PasswordReset;
use rapport_app::{App, SystemClock};
use rapport_domain::person::AccountStatus;
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
    /// List every account (invited ones too): email, name, status, admin.
    ListUsers {
        /// Only site administrators.
        #[arg(long)]
        admins: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Set a new password read from standard input (every sign-in ends), or with --link print a one-time link to choose one (valid for an hour).
    ResetPassword {
        /// The account's email address.
        email: String,
        /// Print a one-time link instead of reading a password.
        #[arg(long)]
        link: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Make an account a site administrator.
    GrantAdmin {
        /// The account's email address.
        email: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Remove administrator rights (refused for the last administrator).
    RevokeAdmin {
        /// The account's email address.
        email: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Disable an account: no sign-in; sessions and API tokens revoked; open requests and offers closed, the other side told.
    DisableUser {
        /// The account's email address.
        email: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Let a disabled account sign in again.
    EnableUser {
        /// The account's email address.
        email: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Create an API token for an account and print its secret once.
    CreateToken {
        /// The account's email address.
        email: String,
        /// A name to recognise the token by.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Delete an account and its personal data, as the person's own "delete my account" does.
    EraseUser {
        /// The account's email address.
        email: String,
        /// Confirm: the deletion cannot be undone.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Opens the database and the application with the configured settings
/// (links in emails and printed links use `base_url`).
async fn open_app(db: &DbArgs) -> anyhow::Result<App> {
    let (store, settings) = db.open().await?;
    App::new(store, Arc::new(SystemClock), settings.app_config())
        .await
        .context("cannot start the application")
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
    let (store, settings) = db.open().await?;
    store.close().await;
    println!(
        "Migrations are up to date on {}",
        crate::config::redact(&settings.database_url)
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
            let app = open_app(&db).await?;
            let id = app.create_user(&email, &name, &password, admin).await?;
            println!(
                "Created {}{} ({id}).",
                email.trim().to_lowercase(),
                if admin { " as an administrator" } else { "" }
            );
            app.close().await;
            Ok(())
        }
        AdminCommand::ListUsers { admins, db } => {
            let app = open_app(&db).await?;
            let people = app.operator_list_users(admins).await?;
            println!("email\tname\tstatus\tadmin");
            for p in &people {
                let status = match (p.disabled_at, p.status) {
                    (Some(_), _) => "disabled",
                    (None, AccountStatus::Active) => "active",
                    (None, AccountStatus::Invited) => "invited",
                };
                println!(
                    "{}\t{}\t{status}\t{}",
                    p.email,
                    p.profile.name,
                    if p.is_admin { "yes" } else { "no" }
                );
            }
            eprintln!("{} account(s).", people.len());
            app.close().await;
            Ok(())
        }
        AdminCommand::ResetPassword { email, link, db } => {
            let password = if link { None } else { Some(read_password()?) };
            let app = open_app(&db).await?;
            match app
                .operator_reset_password(&email, password.as_deref())
                .await?
            {
                PasswordReset::Set => println!(
                    "The password of {} is set; every sign-in session of theirs has ended.",
                    email.trim()
                ),
                PasswordReset::Link(url) => {
                    println!("{url}");
                    eprintln!(
                        "This link works once, for an hour. Give it to the person privately."
                    );
                }
            }
            app.close().await;
            Ok(())
        }
        AdminCommand::GrantAdmin { email, db } => set_admin(&db, &email, true).await,
        AdminCommand::RevokeAdmin { email, db } => set_admin(&db, &email, false).await,
        AdminCommand::DisableUser { email, db } => {
            let app = open_app(&db).await?;
            let change = app.operator_set_disabled(&email, true).await?;
            let email = email.trim();
            if change.changed {
                println!(
                    "{email} is disabled: sessions ended, {} API token(s) revoked, {} open request(s) closed with the other side told.",
                    change.tokens_revoked, change.requests_closed
                );
            } else {
                println!("{email} was already disabled; nothing changed.");
            }
            app.close().await;
            Ok(())
        }
        AdminCommand::EnableUser { email, db } => {
            let app = open_app(&db).await?;
            let change = app.operator_set_disabled(&email, false).await?;
            let email = email.trim();
            if change.changed {
                println!("{email} can sign in again.");
            } else {
                println!("{email} was not disabled; nothing changed.");
            }
            app.close().await;
            Ok(())
        }
        AdminCommand::CreateToken { email, name, db } => {
            let app = open_app(&db).await?;
            let token = app.operator_create_token(&email, &name).await?;
            println!("{}", token.secret);
            eprintln!(
                "Token {:?} ({}) created for {}. It is shown once: send it as `Authorization: Bearer TOKEN`.",
                token.name,
                token.id,
                email.trim()
            );
            app.close().await;
            Ok(())
        }
        AdminCommand::EraseUser { email, yes, db } => {
            if !yes {
                bail!(
                    "erasing {} cannot be undone; run again with --yes to confirm",
                    email.trim()
                );
            }
            let app = open_app(&db).await?;
            app.operator_erase_user(&email).await?;
            println!(
                "Erased the account of {} and its personal data.",
                email.trim()
            );
            app.close().await;
            Ok(())
        }
    }
}

async fn set_admin(db: &DbArgs, email: &str, is_admin: bool) -> anyhow::Result<()> {
    let app = open_app(db).await?;
    let changed = app.operator_set_admin(email, is_admin).await?;
    let email = email.trim();
    match (changed, is_admin) {
        (true, true) => println!("{email} is now an administrator."),
        (true, false) => println!("{email} is no longer an administrator."),
        (false, true) => println!("{email} was already an administrator; nothing changed."),
        (false, false) => println!("{email} was not an administrator; nothing changed."),
    }
    app.close().await;
    Ok(())
}

/// Online backup of the SQLite database.
pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    if args.file.exists() {
        bail!(
            "{} already exists; choose a new file name",
            args.file.display()
        );
    }
    let (store, _) = args.db.open().await?;
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
    let settings = args.db.settings()?;
    let data_dir = settings.data_dir;
    let Some(path) = settings.database_url.strip_prefix("sqlite://") else {
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
