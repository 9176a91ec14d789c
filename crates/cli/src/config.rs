//! Configuration: a TOML file, then `RAPPORT_*` environment variables, then
//! flags. clap reads flags and environment; the file fills what is left.

use anyhow::Context;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Options every database command shares.
#[derive(clap::Args, Clone, Debug)]
pub struct DbArgs {
    /// Database URL: `sqlite://PATH` (default: DATA_DIR/rapport.db) or `postgres://user@host/db`.
    #[arg(long, env = "RAPPORT_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Folder for the SQLite database and the email outbox.
    #[arg(long, env = "RAPPORT_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// TOML configuration file; flags and RAPPORT_* variables override it.
    #[arg(long, env = "RAPPORT_CONFIG")]
    pub config: Option<PathBuf>,
}

/// Settings a TOML file may hold. Every key is optional.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Address to listen on.
    pub listen: Option<String>,
    /// Database URL.
    pub database_url: Option<String>,
    /// Data folder.
    pub data_dir: Option<PathBuf>,
    /// Public URL.
    pub base_url: Option<String>,
    /// SMTP URL.
    pub smtp_url: Option<String>,
    /// From address.
    pub mail_from: Option<String>,
    /// Metrics token.
    pub metrics_token: Option<String>,
    /// Separate metrics address.
    pub metrics_listen: Option<String>,
    /// Trust a proxy on this machine (loopback) for X-Forwarded-For.
    pub trust_proxy: Option<bool>,
    /// Addresses or CIDR ranges of the proxies whose X-Forwarded-For is believed.
    pub trusted_proxies: Option<Vec<String>>,
    /// Sign-in attempts per 15 minutes per client.
    pub auth_attempts_per_window: Option<u32>,
}

impl FileConfig {
    /// Reads `path`, or the empty config when none is given.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("{} is not valid Rapport configuration", path.display()))
    }
}

impl DbArgs {
    /// The data folder and database URL after flags, environment and file.
    pub fn resolve(&self, file: &FileConfig) -> (PathBuf, String) {
        let data_dir = self
            .data_dir
            .clone()
            .or_else(|| file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from("rapport-data"));
        let url = self
            .database_url
            .clone()
            .or_else(|| file.database_url.clone())
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("rapport.db").display()));
        (data_dir, url)
    }

    /// Connects (creating the data folder for SQLite) and migrates.
    pub async fn open(
        &self,
    ) -> anyhow::Result<(rapport_store::Store, PathBuf, String, FileConfig)> {
        let file = FileConfig::load(self.config.as_deref())?;
        let (data_dir, url) = self.resolve(&file);
        if url.starts_with("sqlite:") {
            std::fs::create_dir_all(&data_dir)
                .with_context(|| format!("cannot create the data folder {}", data_dir.display()))?;
        }
        let store = rapport_store::Store::connect(&url)
            .await
            .with_context(|| format!("cannot open the database at {}", redact(&url)))?;
        store
            .migrate()
            .await
            .context("cannot apply database migrations")?;
        Ok((store, data_dir, url, file))
    }
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
    #[test]
    fn trusted_proxies_are_a_list_in_the_file() {
        let file: super::FileConfig =
            toml::from_str("trusted_proxies = [\"10.0.0.0/8\", \"::1\"]").unwrap();
        assert_eq!(
            file.trusted_proxies,
            Some(vec!["10.0.0.0/8".to_string(), "::1".to_string()])
        );
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
