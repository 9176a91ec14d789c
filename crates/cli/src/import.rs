//! `rapport import people` and `rapport export people`: a programme's
//! participants as CSV (the columns are in docs/guide-managers.md).
//!
//! These commands act as the operator of the installation, with full rights
//! (like `admin create-user`): whoever can run them can read the database
//! anyway. They call the same use cases as the web pages and the API.

use crate::config::DbArgs;
use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use rapport_app::csv_people::{ImportOptions, ImportStage};
use rapport_app::{Actor, App, SystemClock};
use rapport_domain::PersonId;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What `rapport import` brings in.
#[derive(clap::Subcommand)]
pub enum ImportCommand {
    /// Enrol people in a programme from a CSV file of any size: existing accounts get the row's profile fields, unknown emails are invited, everyone is enrolled approved. The whole file is checked first and nothing is written unless every row is valid; then it is written 1,000 rows per transaction.
    People(ImportPeopleArgs),
}

/// What `rapport export` writes out.
#[derive(clap::Subcommand)]
pub enum ExportCommand {
    /// Write a programme's approved participants as CSV, with the columns `import people` reads.
    People(ExportPeopleArgs),
}

/// Options of `rapport import people`.
#[derive(clap::Args)]
pub struct ImportPeopleArgs {
    /// The CSV file (UTF-8; Excel's "CSV UTF-8" with a BOM works), or - for standard input.
    pub file: PathBuf,
    /// The programme's slug (the last part of its address).
    #[arg(long)]
    pub programme: String,
    /// Check the file and report what would change, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Create accounts for new people without mailing each an invitation: they get in with "Forgot your password?" (or your single sign-on).
    #[arg(long)]
    pub no_invite: bool,
    /// Public URL of the server, used in the invitation links (default: the config file's base_url).
    #[arg(long, env = "RAPPORT_BASE_URL")]
    pub base_url: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// Options of `rapport export people`.
#[derive(clap::Args)]
pub struct ExportPeopleArgs {
    /// The programme's slug.
    #[arg(long)]
    pub programme: String,
    /// Write to FILE (replaced atomically) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// The operator: an administrator who is nobody in the database. Audit
/// events name the command line, and invitations come from "An administrator".
fn operator() -> Actor {
    Actor {
        person_id: PersonId::new(),
        is_admin: true,
        roles: vec![],
    }
}

async fn open_app(db: &DbArgs, base_url: Option<String>) -> anyhow::Result<App> {
    let (store, settings) = db.open().await?;
    let mut config = settings.app_config();
    if let Some(base_url) = base_url {
        config.base_url = base_url.trim_end_matches('/').to_string();
    }
    let app = App::new(store, Arc::new(SystemClock), config)
        .await
        .context("cannot start the application")?;
    Ok(app)
}

/// Runs `rapport import …`.
pub async fn run_import(cmd: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::People(args) = cmd;
    let data = if args.file.as_os_str() == "-" {
        let mut buf = vec![];
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        buf
    } else {
        std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?
    };
    let app = open_app(&args.db, args.base_url.clone()).await?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} rows")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let progress = {
        let bar = bar.clone();
        move |stage: ImportStage, done: usize, total: usize| {
            bar.set_message(match stage {
                ImportStage::Checking => "Checking",
                ImportStage::Writing if args.dry_run => "Counting",
                ImportStage::Writing => "Importing",
            });
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    };
    let options = ImportOptions {
        dry_run: args.dry_run,
        invite: !args.no_invite,
    };
    let result = app
        .import_people_with_progress(&operator(), &args.programme, &data, options, &progress)
        .await;
    bar.finish_and_clear();
    app.close().await;
    let report = match result {
        Ok(r) => r,
        Err(e) => return Err(e.into()), // keeps the cause chain for "Caused by:"
    };
    let name = args.file.display();
    if !report.errors.is_empty() {
        let mut err = std::io::stderr().lock();
        for e in &report.errors {
            writeln!(err, "{name}:{}: {}: {}", e.line, e.field, e.message)?;
        }
        bail!(
            "{} error{} in {} row{}; nothing was imported",
            report.errors.len(),
            if report.errors.len() == 1 { "" } else { "s" },
            report.rows,
            if report.rows == 1 { "" } else { "s" }
        );
    }
    if report.dry_run {
        println!(
            "Dry run: {} rows are valid. Importing would invite {}, update {} profiles and enrol {}. Nothing was written.",
            report.rows, report.created, report.updated, report.enrolled
        );
    } else {
        println!(
            "Imported {} rows into {}: {} {}, {} profiles updated, {} enrolled.",
            report.rows,
            args.programme,
            report.created,
            if args.no_invite {
                "accounts created without an invitation"
            } else {
                "invited"
            },
            report.updated,
            report.enrolled
        );
    }
    Ok(())
}

/// Runs `rapport export …`.
pub async fn run_export(cmd: ExportCommand) -> anyhow::Result<()> {
    let ExportCommand::People(args) = cmd;
    let app = open_app(&args.db, None).await?;
    let result = app.export_people(&operator(), &args.programme).await;
    app.close().await;
    let csv = match result {
        Ok(c) => c,
        Err(e) => return Err(e.into()), // keeps the cause chain for "Caused by:"
    };
    let rows = csv.lines().count().saturating_sub(1);
    match &args.out {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(csv.as_bytes())?;
            out.flush()?;
        }
        Some(path) => {
            write_atomically(path, csv.as_bytes())?;
            eprintln!("Wrote {rows} participants to {}", path.display());
        }
    }
    Ok(())
}

/// Writes `bytes` to a temporary file next to `path`, then renames it over
/// `path`, so readers see the old file or the new one, never half of one.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}
