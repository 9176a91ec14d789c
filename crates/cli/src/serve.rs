//! `rapport serve`: HTTP, the job worker and migrations in one process.

use crate::config::{redact, DbArgs};
use anyhow::Context;
use rapport_app::{App, AppConfig, SystemClock};
use rapport_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Options of `rapport serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "RAPPORT_LISTEN")]
    listen: Option<String>,
    /// Seed a demo organisation into an empty database (a non-empty one is left alone) and print the demo admin's credentials.
    #[arg(long)]
    demo: bool,
    /// Public URL of this server, used in email links (default: http://LISTEN).
    #[arg(long, env = "RAPPORT_BASE_URL")]
    base_url: Option<String>,
    /// SMTP server for email, e.g. smtp://mail.example.org:587 or smtps://user:pass@host. Without it, emails are written as .eml files into DATA_DIR/outbox.
    #[arg(long, env = "RAPPORT_SMTP_URL")]
    smtp_url: Option<String>,
    /// The From address of emails.
    #[arg(long, env = "RAPPORT_MAIL_FROM")]
    mail_from: Option<String>,
    /// Token required as `Authorization: Bearer` to read /metrics on the main address.
    #[arg(long, env = "RAPPORT_METRICS_TOKEN")]
    metrics_token: Option<String>,
    /// Serve /metrics without a token on this separate (private) address instead.
    #[arg(long, env = "RAPPORT_METRICS_LISTEN")]
    metrics_listen: Option<String>,
    /// Trust a reverse proxy on this machine (127.0.0.0/8 and ::1); the same as adding those to --trusted-proxies.
    #[arg(long, env = "RAPPORT_TRUST_PROXY")]
    trust_proxy: bool,
    /// Addresses or CIDR ranges of your reverse proxies, comma-separated (e.g. 10.0.0.0/8,192.0.2.7). When a request comes from one of them, the client is the rightmost X-Forwarded-For address that is not one of them; entries further left, which a client can forge, are ignored. Requests from elsewhere use the connection's address.
    #[arg(long, env = "RAPPORT_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<String>,
    /// Sign-in, sign-up and reset attempts allowed per client per 15 minutes.
    #[arg(long, env = "RAPPORT_AUTH_ATTEMPTS")]
    auth_attempts: Option<u32>,
}

/// The trusted proxies from the flag or variable, else from the file; a
/// bad entry stops start-up with the entry named.
fn trusted_proxies(
    flag: &[String],
    file: Option<&[String]>,
) -> anyhow::Result<rapport_web::TrustedProxies> {
    let entries = if flag.is_empty() {
        file.unwrap_or_default()
    } else {
        flag
    };
    rapport_web::TrustedProxies::parse_all(entries.iter().map(String::as_str))
        .map_err(anyhow::Error::msg)
        .context("check --trusted-proxies (RAPPORT_TRUSTED_PROXIES, or trusted_proxies in the configuration file)")
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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RAPPORT_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let (store, data_dir, url, file) = args.db.open().await?;
    let listen = args
        .listen
        .or(file.listen)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let addr: SocketAddr = listen
        .parse()
        .with_context(|| format!("--listen {listen:?} is not an address like 127.0.0.1:8080"))?;
    let base_url = args
        .base_url
        .or(file.base_url)
        .unwrap_or_else(|| format!("http://{addr}"))
        .trim_end_matches('/')
        .to_string();
    let smtp_url = args.smtp_url.or(file.smtp_url).filter(|s| !s.is_empty());
    let config = AppConfig {
        base_url: base_url.clone(),
        smtp_url: smtp_url.clone(),
        outbox_dir: data_dir.join("outbox"),
        mail_from: args
            .mail_from
            .or(file.mail_from)
            .unwrap_or_else(|| "Rapport <rapport@localhost>".into()),
        session_days: 30,
    };
    let app = App::new(store.clone(), Arc::new(SystemClock), config)
        .await
        .context("cannot start the application")?;

    if args.demo {
        let hash = rapport_app::secrets::hash_password(rapport_app::demo::DEMO_PASSWORD).await?;
        match rapport_app::demo::seed(&store, &hash, app.now())
            .await
            .context("cannot seed the demo data")?
        {
            Some(s) => println!(
                "Seeded the demo organisation: {} people, {} programmes.",
                s.people, s.programmes
            ),
            None => println!("The database already has people; demo data left alone."),
        }
        println!(
            "Demo admin: {}  password: {}",
            rapport_app::demo::DEMO_ADMIN_EMAIL,
            rapport_app::demo::DEMO_PASSWORD
        );
    }

    let trusted_proxies = trusted_proxies(&args.trusted_proxies, file.trusted_proxies.as_deref())?;
    let web = WebConfig {
        metrics_token: args
            .metrics_token
            .or(file.metrics_token)
            .filter(|t| !t.is_empty()),
        trust_proxy: args.trust_proxy || file.trust_proxy.unwrap_or(false),
        trusted_proxies,
        secure_cookies: base_url.starts_with("https://"),
        auth_attempts_per_window: args
            .auth_attempts
            .or(file.auth_attempts_per_window)
            .unwrap_or(20),
    };
    let state = AppState::new(app.clone(), web);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = {
        let app = app.clone();
        let rx = stop_rx.clone();
        tokio::spawn(async move { app.run_worker(Duration::from_secs(2), rx).await })
    };
    if let Some(m) = args.metrics_listen.or(file.metrics_listen) {
        let maddr: SocketAddr = m
            .parse()
            .with_context(|| format!("--metrics-listen {m:?} is not an address"))?;
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
        let cli = Cli::parse_from(["rapport", "--trusted-proxies", "10.0.0.0/8,192.0.2.7"]);
        let file = vec!["172.16.0.0/12".to_string()];
        let proxies = trusted_proxies(&cli.serve.trusted_proxies, Some(&file)).unwrap();
        assert!(proxies.contains("192.0.2.7".parse().unwrap()));
        assert!(!proxies.contains("172.16.0.1".parse().unwrap()));

        let cli = Cli::parse_from(["rapport"]);
        let proxies = trusted_proxies(&cli.serve.trusted_proxies, Some(&file)).unwrap();
        assert!(proxies.contains("172.16.0.1".parse().unwrap()));

        let e = trusted_proxies(&["proxy.local".to_string()], None).unwrap_err();
        let text = format!("{e:#}");
        assert!(
            text.contains("proxy.local") && text.contains("--trusted-proxies"),
            "{text}"
        );
    }
}
