//! `rapport serve`: HTTP, the job worker and migrations in one process.

use crate::config::{open_store, redact, Effective, LogFormat, Settings, CONFIG_VARIABLE};
use anyhow::Context;
use rapport_app::{App, SystemClock};
use rapport_web::AppState;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Options of `rapport serve`: every setting (see [`Settings`]), the
/// configuration file, and `--demo`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    settings: Settings,
    /// TOML configuration file; flags and RAPPORT_* variables override it.
    #[arg(long, env = CONFIG_VARIABLE)]
    config: Option<PathBuf>,
    /// Seed a demo organisation into an empty database (a non-empty one is left alone) and print the demo admin's credentials.
    #[arg(long)]
    demo: bool,
    /// For screenshots and demos only, never in production: stop the clock at this instant (RFC 3339, such as 2026-12-08T09:00:00Z). Every time the app reads is this one, so the demo data and every page come out the same on each run; jobs due later never run.
    #[arg(long, env = "RAPPORT_FIXED_NOW", value_parser = fixed_instant)]
    fixed_now: Option<i64>,
}

/// Reads `--fixed-now` as Unix milliseconds.
fn fixed_instant(raw: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.timestamp_millis())
        .map_err(|_| "give an RFC 3339 instant such as 2026-12-08T09:00:00Z".to_string())
}

/// Starts logging to standard error as `settings` say: colour only when
/// standard error is a terminal (journald and log files get plain text), and
/// JSON lines for a log system.
pub fn init_logging(settings: &Effective) {
    let filter = tracing_subscriber::EnvFilter::builder().parse_lossy(&settings.log);
    let ansi = std::io::stderr().is_terminal();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    match settings.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .init(),
    }
}

async fn shutdown_signal(tx: tokio::sync::watch::Sender<bool>) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
    let _ = tx.send(true);
}

/// Runs the server until SIGINT or SIGTERM.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let settings = args
        .settings
        .or(Settings::load(args.config.as_deref())?)
        .resolve()?;
    init_logging(&settings);
    let store = open_store(&settings).await?;
    let addr = settings.listen;
    let base_url = settings.base_url.clone();
    let smtp_url = settings.smtp_url.clone();
    let data_dir = settings.data_dir.clone();
    let url = settings.database_url.clone();
    let clock: Arc<dyn rapport_app::Clock> = match args.fixed_now {
        Some(ms) => {
            tracing::warn!(
                now = ms,
                "the clock is stopped (--fixed-now / RAPPORT_FIXED_NOW): for screenshots and demos only"
            );
            Arc::new(rapport_app::ManualClock::new(ms))
        }
        None => Arc::new(SystemClock),
    };
    let app = App::new(store.clone(), clock, settings.app_config())
        .await
        .context("cannot start the application")?;

    if args.demo {
        let hash = rapport_app::secrets::hash_password(rapport_app::demo::DEMO_PASSWORD).await?;
        match rapport_app::demo::seed(&store, &hash, app.now())
            .await
            .context("cannot seed the demo data")?
        {
            Some(s) => {
                println!(
                    "Seeded the demo organisation: {} people, {} programmes.",
                    s.people, s.programmes
                );
                // A hundred days of rooms, played through the use cases.
                let started = std::time::Instant::now();
                let rooms = rapport_app::demo::seed_rooms(&app, app.now())
                    .await
                    .context("cannot seed the demo rooms")?;
                println!(
                    "Seeded {} demo rooms with three months of history in {:.1} s (their email is in {}).",
                    rooms.rooms,
                    started.elapsed().as_secs_f64(),
                    app.config.outbox_dir.join("demo-history").display()
                );
                // Growth Threads (H7).
                let posts = rapport_app::demo::threads::seed_threads(&app, &rooms)
                    .await
                    .context("cannot seed the demo growth threads")?;
                println!("Seeded {posts} demo growth thread posts.");
                println!(
                    "Demo mentor: {}  mentee: {}  peer: {}  (same password)",
                    rooms.mentor_email, rooms.mentee_email, rooms.peer_email
                );
            }
            None => {
                // A demo whose rooms failed part-way is not served half-seeded.
                if rapport_app::demo::rooms::rooms_unfinished(&app).await? {
                    anyhow::bail!(
                        "the demo data is only half-seeded: an earlier `serve --demo` failed while playing its rooms (its error was printed then); start again with an empty database (a new --data-dir, or drop the database)"
                    );
                }
                println!("The database already has people; demo data left alone.")
            }
        }
        println!(
            "Demo admin: {}  password: {}",
            rapport_app::demo::DEMO_ADMIN_EMAIL,
            rapport_app::demo::DEMO_PASSWORD
        );
    }

    let web = settings.web_config()?;
    let state = AppState::new(app.clone(), web);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = {
        let app = app.clone();
        let rx = stop_rx.clone();
        let poll = settings.worker_poll_seconds;
        tokio::spawn(async move { app.run_worker(Duration::from_secs(poll), rx).await })
    };
    if let Some(maddr) = settings.metrics_listen {
        let listener = tokio::net::TcpListener::bind(maddr)
            .await
            .with_context(|| format!("cannot listen on {maddr} for metrics"))?;
        let router = rapport_web::metrics::metrics_only_router(state.clone());
        let mut rx = stop_rx.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = rx.changed().await;
                })
                .await;
        });
        println!("Metrics on http://{maddr}/metrics");
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}; is another server running there?"))?;
    let local = listener.local_addr()?;
    println!("Database: {}", redact(&url));
    match &smtp_url {
        Some(s) => println!("Email: SMTP via {}", redact(s)),
        None => println!(
            "Email: no RAPPORT_SMTP_URL set; messages are written as .eml files into {}",
            data_dir.join("outbox").display()
        ),
    }
    println!("Rapport is listening on http://{local} (public URL {base_url})");
    let router = rapport_web::router(state);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal(stop_tx))
    .await
    .context("the server stopped with an error")?;
    let _ = worker.await;
    store.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn trusted_proxies_come_from_the_flag_else_the_file() {
        let file: Settings = toml::from_str("trusted_proxies = [\"172.16.0.0/12\"]").unwrap();
        let cli = Cli::parse_from(["rapport", "--trusted-proxies", "10.0.0.0/8,192.0.2.7"]);
        let web = cli
            .serve
            .settings
            .or(file.clone())
            .resolve()
            .unwrap()
            .web_config()
            .unwrap();
        assert!(web.trusted_proxies.contains("192.0.2.7".parse().unwrap()));
        assert!(!web.trusted_proxies.contains("172.16.0.1".parse().unwrap()));

        let cli = Cli::parse_from(["rapport"]);
        let web = cli
            .serve
            .settings
            .or(file)
            .resolve()
            .unwrap()
            .web_config()
            .unwrap();
        assert!(web.trusted_proxies.contains("172.16.0.1".parse().unwrap()));

        let cli = Cli::parse_from(["rapport", "--trusted-proxies", "proxy.local"]);
        let e = cli.serve.settings.resolve().unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("proxy.local") && text.contains("trusted_proxies"),
            "{text}"
        );
    }

    #[test]
    fn session_days_and_log_format_are_flags() {
        let cli = Cli::parse_from([
            "rapport",
            "--session-days",
            "7",
            "--log-format",
            "json",
            "--trust-proxy",
        ]);
        let e = cli.serve.settings.resolve().unwrap();
        assert_eq!(e.session_days, 7);
        assert_eq!(e.log_format, LogFormat::Json);
        assert!(e.trust_proxy);
    }
}
