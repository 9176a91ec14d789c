//! Configuration, in one place: every setting is one field of [`Settings`],
//! which names its flag, its `RAPPORT_*` variable and (by the field's name)
//! its key in the TOML file. Flags win over variables (clap reads both), and
//! those win over the file. [`Settings::resolve`] applies the defaults and
//! checks every value, naming the key at fault.

use anyhow::Context;
use clap::{Args, FromArgMatches};
use serde::Deserialize;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Every setting of Rapport. Each is optional here; [`Settings::resolve`]
/// fills in the defaults. The TOML key is the field's name.
#[derive(Args, Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "RAPPORT_LISTEN")]
    pub listen: Option<String>,
    /// Database URL: `sqlite://PATH` (default: DATA_DIR/rapport.db) or `postgres://user@host/db`.
    #[arg(long, env = "RAPPORT_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Folder for the SQLite database and the email outbox [default: rapport-data].
    #[arg(long, env = "RAPPORT_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Public URL of this server, used in email links (default: http://LISTEN).
    #[arg(long, env = "RAPPORT_BASE_URL")]
    pub base_url: Option<String>,
    /// SMTP server for email, e.g. smtp://mail.example.org:587 or smtps://user:pass@host. Without it, emails are written as .eml files into DATA_DIR/outbox.
    #[arg(long, env = "RAPPORT_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The From address of emails; its display name is the organisation's name in emails [default: Rapport <rapport@localhost>].
    #[arg(long, env = "RAPPORT_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// Token required as `Authorization: Bearer` to read /metrics on the main address.
    #[arg(long, env = "RAPPORT_METRICS_TOKEN")]
    pub metrics_token: Option<String>,
    /// Serve /metrics without a token on this separate (private) address instead.
    #[arg(long, env = "RAPPORT_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
    /// Trust a reverse proxy on this machine (127.0.0.0/8 and ::1); the same as adding those to --trusted-proxies.
    #[arg(long, env = "RAPPORT_TRUST_PROXY", num_args = 0..=1, default_missing_value = "true",
          value_parser = clap::builder::BoolishValueParser::new())]
    pub trust_proxy: Option<bool>,
    /// Addresses or CIDR ranges of your reverse proxies, comma-separated (e.g. 10.0.0.0/8,192.0.2.7). When a request comes from one of them, the client is the rightmost X-Forwarded-For address that is not one of them; entries further left, which a client can forge, are ignored. Requests from elsewhere use the connection's address.
    #[arg(long, env = "RAPPORT_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Option<Vec<String>>,
    /// Sign-in, sign-up and reset attempts allowed per client per 15 minutes [default: 20].
    #[arg(long = "auth-attempts", env = "RAPPORT_AUTH_ATTEMPTS")]
    pub auth_attempts_per_window: Option<u32>,
    /// How many days a sign-in lasts since its last use [default: 30].
    #[arg(long, env = "RAPPORT_SESSION_DAYS")]
    pub session_days: Option<u32>,
    /// Most database connections this process opens [default: on PostgreSQL twice this machine's cores and two, from 4 to 16; 8 on SQLite]. PostgreSQL gets three pools of this size (two for reads, one for writes): with several instances, keep three times their sum under the server's max_connections.
    #[arg(long, env = "RAPPORT_DATABASE_CONNECTIONS")]
    pub database_connections: Option<u32>,
    /// Seconds between the job worker's looks for due jobs (emails, sweeps) [default: 2].
    #[arg(long, env = "RAPPORT_WORKER_POLL_SECONDS")]
    pub worker_poll_seconds: Option<u64>,
    /// Seconds a worker holds a job it claimed; a job whose server died is taken over by another after this long [default: 300].
    #[arg(long, env = "RAPPORT_JOB_LEASE_SECONDS")]
    pub job_lease_seconds: Option<u64>,
    /// What to log: tracing filter directives such as `info,rapport_store=debug` [default: info,sqlx=warn].
    #[arg(long, env = "RAPPORT_LOG")]
    pub log: Option<String>,
    /// Log lines as `text` (for a terminal) or `json` (one object a line, for a log system) [default: text].
    #[arg(long, env = "RAPPORT_LOG_FORMAT")]
    pub log_format: Option<String>,
}

/// The variable naming the configuration file; not a key of the file itself.
pub const CONFIG_VARIABLE: &str = "RAPPORT_CONFIG";

#[cfg(test)]
/// Every setting the binary knows: its TOML key and its `RAPPORT_*` variable,
/// read from [`Settings`] itself so the list cannot drift from it.
pub fn known_settings() -> Vec<(String, String)> {
    Settings::augment_args(clap::Command::new("rapport"))
        .get_arguments()
        .map(|a| {
            let env = a
                .get_env()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default();
            (a.get_id().to_string(), env)
        })
        .collect()
}

/// The settings from `RAPPORT_*` variables alone (for commands whose flags
/// cover only the database).
pub fn from_environment() -> anyhow::Result<Settings> {
    let matches = Settings::augment_args(clap::Command::new("rapport"))
        .try_get_matches_from(["rapport"])
        .context("a RAPPORT_* variable has a value that cannot be used")?;
    Ok(Settings::from_arg_matches(&matches)?)
}

impl Settings {
    /// Reads `path`, or the empty settings when none is given. An unknown
    /// key or a value of the wrong type is named in the error.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("{} is not valid Rapport configuration", path.display()))
    }

    /// These settings, with the gaps filled from `lower`.
    pub fn or(self, lower: Settings) -> Settings {
        Settings {
            listen: self.listen.or(lower.listen),
            database_url: self.database_url.or(lower.database_url),
            data_dir: self.data_dir.or(lower.data_dir),
            base_url: self.base_url.or(lower.base_url),
            smtp_url: self.smtp_url.or(lower.smtp_url),
            mail_from: self.mail_from.or(lower.mail_from),
            metrics_token: self.metrics_token.or(lower.metrics_token),
            metrics_listen: self.metrics_listen.or(lower.metrics_listen),
            trust_proxy: self.trust_proxy.or(lower.trust_proxy),
            trusted_proxies: self.trusted_proxies.or(lower.trusted_proxies),
            auth_attempts_per_window: self
                .auth_attempts_per_window
                .or(lower.auth_attempts_per_window),
            session_days: self.session_days.or(lower.session_days),
            database_connections: self.database_connections.or(lower.database_connections),
            worker_poll_seconds: self.worker_poll_seconds.or(lower.worker_poll_seconds),
            job_lease_seconds: self.job_lease_seconds.or(lower.job_lease_seconds),
            log: self.log.or(lower.log),
            log_format: self.log_format.or(lower.log_format),
        }
    }

    /// Applies the defaults and checks every value; every key at fault is
    /// listed with what is wrong with it.
    pub fn resolve(&self) -> Result<Effective, Problems> {
        let mut problems = Problems::default();
        let listen_text = self
            .listen
            .clone()
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen = listen_text.parse::<SocketAddr>().unwrap_or_else(|_| {
            problems.add(
                "listen",
                format!("{listen_text:?} is not an address like 127.0.0.1:8080"),
            );
            SocketAddr::from(([127, 0, 0, 1], 8080))
        });
        let data_dir = self
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("rapport-data"));
        let database_url = self
            .database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("rapport.db").display()));
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            problems.add(
                "database_url",
                "must start with sqlite:// or postgres://".into(),
            );
        }
        let base_url = self
            .base_url
            .clone()
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://"))
            || base_url
                .split_once("://")
                .is_some_and(|(_, r)| r.is_empty())
        {
            problems.add(
                "base_url",
                format!("{base_url:?} must be a URL like https://mentoring.example.org"),
            );
        }
        let smtp_url = self.smtp_url.clone().filter(|s| !s.is_empty());
        if let Some(s) = &smtp_url {
            if !(s.starts_with("smtp://") || s.starts_with("smtps://")) {
                problems.add(
                    "smtp_url",
                    format!("{:?} must start with smtp:// or smtps://", redact(s)),
                );
            }
        }
        let mail_from = self
            .mail_from
            .clone()
            .unwrap_or_else(|| "Rapport <rapport@localhost>".into());
        if let Err(e) = rapport_app::mail::check_address(&mail_from) {
            problems.add("mail_from", format!("{mail_from:?} is not an address: {e}"));
        }
        let metrics_token = self.metrics_token.clone().filter(|t| !t.is_empty());
        let metrics_listen = match &self.metrics_listen {
            Some(m) if !m.is_empty() => match m.parse::<SocketAddr>() {
                Ok(a) => Some(a),
                Err(_) => {
                    problems.add("metrics_listen", format!("{m:?} is not an address"));
                    None
                }
            },
            _ => None,
        };
        // An empty entry (an empty variable, as compose files pass through)
        // means none.
        let trusted_proxies: Vec<String> = self
            .trusted_proxies
            .iter()
            .flatten()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        if let Err(e) =
            rapport_web::TrustedProxies::parse_all(trusted_proxies.iter().map(String::as_str))
        {
            problems.add("trusted_proxies", e.to_string());
        }
        let auth_attempts_per_window = self.auth_attempts_per_window.unwrap_or(20);
        if auth_attempts_per_window == 0 {
            problems.add(
                "auth_attempts_per_window",
                "must be at least 1 (0 would refuse every sign-in)".into(),
            );
        }
        let session_days = self.session_days.unwrap_or(30);
        if !(1..=366).contains(&session_days) {
            problems.add("session_days", "must be between 1 and 366 days".into());
        }
        let database_connections = self.database_connections;
        if database_connections.is_some_and(|n| !(1..=1000).contains(&n)) {
            problems.add("database_connections", "must be between 1 and 1000".into());
        }
        let worker_poll_seconds = self.worker_poll_seconds.unwrap_or(2);
        if !(1..=3600).contains(&worker_poll_seconds) {
            problems.add(
                "worker_poll_seconds",
                "must be between 1 and 3600 seconds".into(),
            );
        }
        let job_lease_seconds = self.job_lease_seconds.unwrap_or(300);
        if !(1..=86_400).contains(&job_lease_seconds) {
            problems.add(
                "job_lease_seconds",
                "must be between 1 and 86400 seconds".into(),
            );
        }
        let log = self.log.clone().unwrap_or_else(|| "info,sqlx=warn".into());
        if let Err(e) = tracing_subscriber::EnvFilter::builder().parse(&log) {
            problems.add("log", format!("{log:?} is not a log filter: {e}"));
        }
        let log_format = match self.log_format.as_deref().unwrap_or("text") {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                problems.add("log_format", format!("{other:?} must be text or json"));
                LogFormat::Text
            }
        };
        if !problems.0.is_empty() {
            return Err(problems);
        }
        Ok(Effective {
            listen,
            database_url,
            data_dir,
            base_url,
            smtp_url,
            mail_from,
            metrics_token,
            metrics_listen,
            trust_proxy: self.trust_proxy.unwrap_or(false),
            trusted_proxies,
            auth_attempts_per_window,
            session_days,
            database_connections,
            worker_poll_seconds,
            job_lease_seconds,
            log,
            log_format,
        })
    }
}

/// What is wrong with a configuration: one `(key, message)` per fault.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<(&'static str, String)>);

impl Problems {
    fn add(&mut self, key: &'static str, message: String) {
        self.0.push((key, message));
    }
}

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the configuration has {} problem(s):", self.0.len())?;
        for (key, message) in &self.0 {
            write!(f, "\n  {key}: {message}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object a line.
    Json,
}

/// The settings in force, defaults applied and every value checked.
#[derive(Clone, Debug)]
pub struct Effective {
    pub listen: SocketAddr,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub base_url: String,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub metrics_token: Option<String>,
    pub metrics_listen: Option<SocketAddr>,
    pub trust_proxy: bool,
    pub trusted_proxies: Vec<String>,
    pub auth_attempts_per_window: u32,
    pub session_days: u32,
    pub database_connections: Option<u32>,
    pub worker_poll_seconds: u64,
    pub job_lease_seconds: u64,
    pub log: String,
    pub log_format: LogFormat,
}

impl Effective {
    /// What the use cases need.
    pub fn app_config(&self) -> rapport_app::AppConfig {
        rapport_app::AppConfig {
            base_url: self.base_url.clone(),
            smtp_url: self.smtp_url.clone(),
            outbox_dir: self.data_dir.join("outbox"),
            mail_from: self.mail_from.clone(),
            session_days: i64::from(self.session_days),
            job_lease_seconds: self.job_lease_seconds as i64,
        }
    }

    /// What the web layer needs.
    pub fn web_config(&self) -> anyhow::Result<rapport_web::WebConfig> {
        Ok(rapport_web::WebConfig {
            metrics_token: self.metrics_token.clone(),
            trust_proxy: self.trust_proxy,
            trusted_proxies: rapport_web::TrustedProxies::parse_all(
                self.trusted_proxies.iter().map(String::as_str),
            )
            .map_err(anyhow::Error::msg)
            .context("check trusted_proxies")?,
            secure_cookies: self.base_url.starts_with("https://"),
            auth_attempts_per_window: self.auth_attempts_per_window,
        })
    }

    /// The settings as TOML lines, secrets masked: the token is never shown,
    /// and passwords in URLs are replaced by `***`.
    pub fn masked(&self) -> String {
        fn q(s: &str) -> String {
            format!("{s:?}")
        }
        let mut out = String::new();
        let none = "# not set";
        let _ = writeln!(out, "listen = {}", q(&self.listen.to_string()));
        let _ = writeln!(out, "database_url = {}", q(&redact(&self.database_url)));
        let _ = writeln!(
            out,
            "data_dir = {}",
            q(&self.data_dir.display().to_string())
        );
        let _ = writeln!(out, "base_url = {}", q(&self.base_url));
        match &self.smtp_url {
            Some(s) => writeln!(out, "smtp_url = {}", q(&redact(s))),
            None => writeln!(out, "smtp_url = \"\"  {none}: emails go to DATA_DIR/outbox"),
        }
        .ok();
        let _ = writeln!(out, "mail_from = {}", q(&self.mail_from));
        match &self.metrics_token {
            Some(_) => writeln!(out, "metrics_token = \"***\""),
            None => writeln!(out, "metrics_token = \"\"  {none}"),
        }
        .ok();
        match &self.metrics_listen {
            Some(a) => writeln!(out, "metrics_listen = {}", q(&a.to_string())),
            None => writeln!(out, "metrics_listen = \"\"  {none}"),
        }
        .ok();
        let _ = writeln!(out, "trust_proxy = {}", self.trust_proxy);
        let _ = writeln!(
            out,
            "trusted_proxies = [{}]",
            self.trusted_proxies
                .iter()
                .map(|p| q(p))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(
            out,
            "auth_attempts_per_window = {}",
            self.auth_attempts_per_window
        );
        let _ = writeln!(out, "session_days = {}", self.session_days);
        match self.database_connections {
            Some(n) => writeln!(out, "database_connections = {n}"),
            None => writeln!(
                out,
                "database_connections = {}  # the default",
                rapport_store::default_connections(&self.database_url)
            ),
        }
        .ok();
        let _ = writeln!(out, "worker_poll_seconds = {}", self.worker_poll_seconds);
        let _ = writeln!(out, "job_lease_seconds = {}", self.job_lease_seconds);
        let _ = writeln!(out, "log = {}", q(&self.log));
        let _ = writeln!(
            out,
            "log_format = {}",
            q(match self.log_format {
                LogFormat::Text => "text",
                LogFormat::Json => "json",
            })
        );
        out
    }
}

/// Options every database command shares: the configuration file and the
/// database; the other settings come from the file and `RAPPORT_*` variables.
#[derive(clap::Args, Clone, Debug)]
pub struct DbArgs {
    /// Database URL: `sqlite://PATH` (default: DATA_DIR/rapport.db) or `postgres://user@host/db`.
    #[arg(long, env = "RAPPORT_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Folder for the SQLite database and the email outbox.
    #[arg(long, env = "RAPPORT_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// TOML configuration file; flags and RAPPORT_* variables override it.
    #[arg(long, env = CONFIG_VARIABLE)]
    pub config: Option<PathBuf>,
}

impl DbArgs {
    /// Flags, then variables, then the file, resolved.
    pub fn settings(&self) -> anyhow::Result<Effective> {
        let flags = Settings {
            database_url: self.database_url.clone(),
            data_dir: self.data_dir.clone(),
            ..Settings::default()
        };
        let merged = flags
            .or(from_environment()?)
            .or(Settings::load(self.config.as_deref())?);
        Ok(merged.resolve()?)
    }

    /// Connects (creating the data folder for SQLite) and migrates.
    pub async fn open(&self) -> anyhow::Result<(rapport_store::Store, Effective)> {
        let settings = self.settings()?;
        let store = open_store(&settings).await?;
        Ok((store, settings))
    }
}

/// Connects to the configured database (creating the data folder for
/// SQLite) and applies pending migrations.
pub async fn open_store(settings: &Effective) -> anyhow::Result<rapport_store::Store> {
    let url = &settings.database_url;
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "cannot create the data folder {}",
                settings.data_dir.display()
            )
        })?;
    }
    let store = rapport_store::Store::connect_with(url, settings.database_connections)
        .await
        .with_context(|| format!("cannot open the database at {}", redact(url)))?;
    store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    Ok(store)
}

/// Options of `rapport config check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// TOML configuration file to check, with RAPPORT_* variables over it.
    #[arg(long, env = CONFIG_VARIABLE)]
    pub config: Option<PathBuf>,
}

/// `rapport config` subcommands.
#[derive(clap::Subcommand)]
pub enum ConfigCommand {
    /// Check a configuration (the file, then RAPPORT_* variables over it): say what is wrong by key, else print the settings in force with secrets masked.
    Check(CheckArgs),
}

/// Runs `rapport config check`.
pub fn run(cmd: ConfigCommand) -> anyhow::Result<()> {
    let ConfigCommand::Check(args) = cmd;
    let file = Settings::load(args.config.as_deref())?;
    let merged = from_environment()?.or(file);
    let effective = merged.resolve()?;
    match &args.config {
        Some(p) => println!("# The configuration in {} is valid.", p.display()),
        None => println!("# No configuration file; the settings are valid."),
    }
    println!("# Settings in force (file, then RAPPORT_* variables over it):");
    print!("{}", effective.masked());
    Ok(())
}

/// Hides the password in a database URL for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_file(path: &str) -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn trusted_proxies_are_a_list_in_the_file() {
        let file: Settings = toml::from_str("trusted_proxies = [\"10.0.0.0/8\", \"::1\"]").unwrap();
        assert_eq!(
            file.trusted_proxies,
            Some(vec!["10.0.0.0/8".to_string(), "::1".to_string()])
        );
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }

    #[test]
    fn defaults_resolve() {
        let e = Settings::default().resolve().unwrap();
        assert_eq!(e.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(e.base_url, "http://127.0.0.1:8080");
        assert_eq!(e.database_url, "sqlite://rapport-data/rapport.db");
        assert_eq!(e.session_days, 30);
        assert_eq!(e.app_config().session_days, 30);
        assert_eq!(e.auth_attempts_per_window, 20);
        assert_eq!(e.job_lease_seconds, 300);
        assert_eq!(e.app_config().job_lease_seconds, 300);
        assert_eq!(e.log_format, LogFormat::Text);
    }

    #[test]
    fn every_fault_is_named_by_key() {
        let bad: Settings = toml::from_str(
            r#"
            listen = "nowhere"
            base_url = "mentoring.example.org"
            smtp_url = "mail.example.org"
            mail_from = "not an address"
            metrics_listen = "x"
            trusted_proxies = ["proxy.local"]
            auth_attempts_per_window = 0
            session_days = 0
            database_connections = 0
            worker_poll_seconds = 0
            job_lease_seconds = 0
            log = "info,=[x"
            log_format = "xml"
            database_url = "mysql://h/db"
            "#,
        )
        .unwrap();
        let problems = bad.resolve().unwrap_err();
        let keys: Vec<&str> = problems.0.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            [
                "listen",
                "database_url",
                "base_url",
                "smtp_url",
                "mail_from",
                "metrics_listen",
                "trusted_proxies",
                "auth_attempts_per_window",
                "session_days",
                "database_connections",
                "worker_poll_seconds",
                "job_lease_seconds",
                "log",
                "log_format"
            ]
        );
    }

    #[test]
    fn flags_and_variables_win_over_the_file() {
        let file: Settings = toml::from_str("session_days = 7\nlisten = \"0.0.0.0:80\"").unwrap();
        let flags = Settings {
            session_days: Some(3),
            ..Settings::default()
        };
        let e = flags.or(file).resolve().unwrap();
        assert_eq!(e.session_days, 3);
        assert_eq!(e.listen.to_string(), "0.0.0.0:80");
    }

    #[test]
    fn secrets_are_masked() {
        let s = Settings {
            database_url: Some("postgres://rapport:hunter2@db/rapport".into()),
            smtp_url: Some("smtps://mailer:s3cret@mail.example.org".into()),
            metrics_token: Some("tok-123".into()),
            ..Settings::default()
        };
        let text = s.resolve().unwrap().masked();
        assert!(!text.contains("hunter2") && !text.contains("s3cret") && !text.contains("tok-123"));
        assert!(text.contains("metrics_token = \"***\""), "{text}");
    }

    /// `examples/rapport.toml` names every setting (commented out or set)
    /// and loads as it is.
    #[test]
    fn the_example_lists_every_setting_and_loads() {
        let text = repo_file("examples/rapport.toml");
        for (key, _) in known_settings() {
            let named = text.lines().any(|l| {
                let l = l.trim_start_matches(['#', ' ']);
                l.strip_prefix(key.as_str())
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            });
            assert!(named, "examples/rapport.toml does not mention {key}");
        }
        let loaded: Settings = toml::from_str(&text).expect("the example loads");
        loaded.resolve().expect("the example's values are valid");
        // Every commented-out line is itself valid when uncommented.
        let uncommented: String = text
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if known_settings()
                        .iter()
                        .any(|(k, _)| rest.starts_with(&format!("{k} ="))) =>
                {
                    rest
                }
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let all: Settings = toml::from_str(&uncommented).expect("the uncommented example loads");
        all.resolve().expect("the uncommented example is valid");
    }

    /// The README's table of settings has a row for every setting, naming
    /// its variable and its TOML key.
    #[test]
    fn the_readme_lists_every_setting() {
        let readme = repo_file("README.md");
        for (key, env) in known_settings() {
            assert!(
                readme
                    .lines()
                    .any(|l| l.contains(&format!("`{env}`")) && l.contains(&format!("`{key}`"))),
                "README.md has no row for {key} ({env})"
            );
        }
    }

    /// Every `RAPPORT_*` variable the container and service files name is a
    /// setting the binary knows.
    #[test]
    fn deployment_files_name_only_known_variables() {
        let mut known: Vec<String> = known_settings().into_iter().map(|(_, e)| e).collect();
        known.push(CONFIG_VARIABLE.into());
        for path in ["Dockerfile", "docker-compose.yml", "deploy/rapport.service"] {
            let text = repo_file(path);
            let mut found = 0;
            for (i, _) in text.match_indices("RAPPORT_") {
                let name: String = text[i..]
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || *c == '_' || c.is_ascii_digit())
                    .collect();
                assert!(
                    known.contains(&name),
                    "{path} names {name}, which is not a setting of rapport"
                );
                found += 1;
            }
            assert!(found > 0, "{path} names no RAPPORT_* variable");
        }
    }

    /// The container's build stage uses the Rust that Cargo.toml declares as
    /// the oldest that builds Rapport (an older one cannot build the locked
    /// dependencies: the image failed to build with Rust 1.85).
    #[test]
    fn the_container_builds_with_the_declared_rust() {
        let cargo = repo_file("Cargo.toml");
        let declared = cargo
            .lines()
            .find_map(|l| l.strip_prefix("rust-version = "))
            .expect("Cargo.toml declares rust-version")
            .trim_matches('"');
        let docker = repo_file("Dockerfile");
        let image = docker
            .lines()
            .find_map(|l| l.strip_prefix("FROM rust:"))
            .expect("the Dockerfile builds FROM rust:…");
        assert!(
            image.starts_with(&format!("{declared}-")),
            "the Dockerfile builds with rust:{image}, Cargo.toml declares {declared}"
        );
    }

    #[test]
    fn every_setting_has_a_variable() {
        for (key, env) in known_settings() {
            assert_eq!(
                env,
                format!(
                    "RAPPORT_{}",
                    if key == "auth_attempts_per_window" {
                        "AUTH_ATTEMPTS".to_string()
                    } else {
                        key.to_uppercase()
                    }
                ),
                "{key}"
            );
        }
    }
}
