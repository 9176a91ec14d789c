//! Running Rapport as a service (issue 21): `rapport healthcheck` against a
//! running server, `rapport config check`, and the JSON log format with
//! request id, route, status and latency on every answered request.

use assert_cmd::Command as Cmd;
use rapport_web::testing::free_port;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `rapport serve` with its log lines (standard error) arriving on
/// a channel.
struct Server {
    child: Child,
    port: u16,
    logs: mpsc::Receiver<String>,
}

impl Server {
    fn start(dir: &std::path::Path, extra: &[&str]) -> Self {
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
            .arg("serve")
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            .env("RAPPORT_DATA_DIR", dir)
            .env_remove("RAPPORT_DATABASE_URL")
            .env_remove("RAPPORT_LOG_FORMAT")
            .env_remove("RAPPORT_CONFIG")
            .env("RAPPORT_LOG", "info,sqlx=warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, logs) = mpsc::channel();
        let err = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in err.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut out = BufReader::new(child.stdout.take().unwrap());
        loop {
            let mut line = String::new();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "rapport serve exited early"
            );
            if line.contains("is listening on") {
                break;
            }
        }
        std::thread::spawn(move || {
            let mut sink = String::new();
            let _ = out.read_to_string(&mut sink);
        });
        Self { child, port, logs }
    }

    fn get(&self, path: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    /// Log lines until one satisfies `want`, for up to ten seconds.
    fn wait_for_log(&self, want: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut seen = vec![];
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match self.logs.recv_timeout(left) {
                Ok(line) if want(&line) => return line,
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        panic!("no such log line; saw:\n{}", seen.join("\n"));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn healthcheck_answers_for_a_running_server_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let url = format!("http://127.0.0.1:{}/readyz", server.port);
    let ok = Cmd::cargo_bin("rapport")
        .unwrap()
        .args(["healthcheck", "--url", &url])
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&ok.get_output().stdout).contains("answered 200"));
    // A path that is not ready (404) fails, and so does nobody listening.
    let not_found = format!("http://127.0.0.1:{}/nothing-here", server.port);
    let bad = Cmd::cargo_bin("rapport")
        .unwrap()
        .args(["healthcheck", "--url", &not_found])
        .assert()
        .failure();
    assert!(String::from_utf8_lossy(&bad.get_output().stderr).contains("404"));
    drop(server);
    Cmd::cargo_bin("rapport")
        .unwrap()
        .args(["healthcheck", "--url", &url])
        .assert()
        .failure();
    Cmd::cargo_bin("rapport")
        .unwrap()
        .args(["healthcheck", "--url", "https://example.org/readyz"])
        .assert()
        .failure();
}

#[test]
fn json_logs_carry_request_id_route_status_and_latency() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--log-format", "json"]);
    let answer = server.get("/api/v1/people/00000000-0000-0000-0000-000000000000");
    let request_id = answer
        .lines()
        .find_map(|l| l.strip_prefix("x-request-id: "))
        .expect("an x-request-id header")
        .trim()
        .to_string();
    let line = server.wait_for_log(|l| l.contains(&request_id) && l.contains("\"status\""));
    let v: serde_json::Value = serde_json::from_str(&line).expect("one JSON object a line");
    let span = &v["span"];
    assert_eq!(span["request_id"], request_id.as_str(), "{line}");
    assert_eq!(span["route"], "/api/v1/people/{id}", "{line}");
    assert_eq!(v["status"], 401, "{line}");
    assert!(
        v["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
        "{line}"
    );
    assert!(v["level"] == "INFO" && v["timestamp"].is_string(), "{line}");
    assert!(
        !line.contains('\u{1b}'),
        "no colour codes when stderr is not a terminal"
    );
}

#[test]
fn text_logs_have_no_colour_codes_off_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    server.get("/healthz");
    let line = server.wait_for_log(|l| l.contains("answered"));
    assert!(
        !line.contains('\u{1b}'),
        "journald gets plain text: {line:?}"
    );
    assert!(
        line.contains("route=/healthz") && line.contains("status=200"),
        "{line}"
    );
}

#[test]
fn config_check_names_bad_keys_and_masks_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "session_days = 0\nlog_format = \"xml\"\nlisten = \"here\"\n",
    )
    .unwrap();
    let run = |file: &std::path::Path| {
        let mut c = Cmd::cargo_bin("rapport").unwrap();
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("RAPPORT_")) {
            c.env_remove(k);
        }
        c.args(["config", "check", "--config"]).arg(file);
        c
    };
    let a = run(&bad).assert().failure();
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    for key in ["session_days:", "log_format:", "listen:"] {
        assert!(err.contains(key), "{key} is named: {err}");
    }
    let unknown = dir.path().join("unknown.toml");
    std::fs::write(&unknown, "sesion_days = 3\n").unwrap();
    let a = run(&unknown).assert().failure();
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("sesion_days"), "{err}");

    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        "database_url = \"postgres://rapport:hunter2@db/rapport\"\nmetrics_token = \"tok-secret\"\nsession_days = 14\n",
    )
    .unwrap();
    let a = run(&good).assert().success();
    let text = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(text.contains("session_days = 14"), "{text}");
    assert!(text.contains("postgres://rapport:***@db/rapport"), "{text}");
    assert!(
        !text.contains("hunter2") && !text.contains("tok-secret"),
        "{text}"
    );
    // A variable wins over the file.
    let a = run(&good)
        .env("RAPPORT_SESSION_DAYS", "3")
        .assert()
        .success();
    let text = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(text.contains("session_days = 3"), "{text}");
    // The shipped example is valid as it is.
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/rapport.toml");
    run(&example).assert().success();
}
