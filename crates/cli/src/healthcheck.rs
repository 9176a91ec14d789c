//! `rapport healthcheck`: asks a running server's `/readyz` and exits 0 when
//! it answers 200, for a container's `HEALTHCHECK` (a slim image has no curl).
//!
//! One plain HTTP/1.1 request over `tokio::net::TcpStream` rather than an
//! HTTP client crate: the check only ever talks to the server in the same
//! container or host over plain HTTP, the production dependency tree has no
//! HTTP client (reqwest is only in the web crate's tests), and adding one for
//! a single GET would grow every binary for nothing.

use anyhow::{bail, Context};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Options of `rapport healthcheck`.
#[derive(clap::Args, Debug)]
pub struct HealthcheckArgs {
    /// The server's readiness URL (plain http).
    #[arg(long, default_value = "http://127.0.0.1:8080/readyz")]
    pub url: String,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 5)]
    pub timeout: u64,
}

/// Splits `http://host:port/path` into the address to connect to, the Host
/// header and the path.
fn parse(url: &str) -> anyhow::Result<(String, String, String)> {
    let Some(rest) = url.strip_prefix("http://") else {
        bail!("--url {url:?} must be a plain http:// URL (ask the server directly, not through the TLS proxy)");
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/readyz"),
    };
    if authority.is_empty() || authority.contains('@') {
        bail!("--url {url:?} must name a host, like http://127.0.0.1:8080/readyz");
    }
    let has_port = match authority.rfind(':') {
        Some(i) => !authority[i..].contains(']'),
        None => false,
    };
    let addr = if has_port {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    Ok((addr, authority.to_string(), path.to_string()))
}

async fn ask(url: &str) -> anyhow::Result<u16> {
    let (addr, host, path) = parse(url)?;
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .with_context(|| format!("cannot connect to {addr}"))?;
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: rapport-healthcheck\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .lines()
        .next()
        .and_then(|l| {
            l.strip_prefix("HTTP/1.1 ")
                .or_else(|| l.strip_prefix("HTTP/1.0 "))
        })
        .and_then(|l| l.get(..3))
        .and_then(|c| c.parse::<u16>().ok())
        .with_context(|| format!("{addr} did not answer HTTP"))?;
    Ok(status)
}

/// Runs the check: Ok when the server answered 200.
pub async fn run(args: HealthcheckArgs) -> anyhow::Result<()> {
    let status = tokio::time::timeout(Duration::from_secs(args.timeout), ask(&args.url))
        .await
        .with_context(|| format!("{} did not answer within {} s", args.url, args.timeout))??;
    if status != 200 {
        bail!("{} answered {status}: the server is not ready", args.url);
    }
    println!("{} answered 200: ready", args.url);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_split_into_address_host_and_path() {
        let (a, h, p) = super::parse("http://127.0.0.1:9000/readyz").unwrap();
        assert_eq!(
            (a.as_str(), h.as_str(), p.as_str()),
            ("127.0.0.1:9000", "127.0.0.1:9000", "/readyz")
        );
        let (a, _, p) = super::parse("http://localhost").unwrap();
        assert_eq!((a.as_str(), p.as_str()), ("localhost:80", "/readyz"));
        let (a, _, _) = super::parse("http://[::1]:8080/readyz").unwrap();
        assert_eq!(a, "[::1]:8080");
        assert!(super::parse("https://example.org/readyz").is_err());
    }
}
