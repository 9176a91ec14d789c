//! `rapport serve --demo` seeds once, prints the demo credentials every time,
//! and reads its listen address from a TOML configuration file.

use rapport_web::testing::free_port;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

/// Starts `rapport serve` and returns it with its stdout lines up to "listening".
fn serve(args: &[&str], dir: &std::path::Path) -> (Child, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("serve")
        .args(args)
        .env("RAPPORT_DATA_DIR", dir)
        .env_remove("RAPPORT_DATABASE_URL")
        .env("RAPPORT_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = vec![];
    let mut out = BufReader::new(child.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            panic!("rapport serve exited early: {lines:?}");
        }
        let done = line.contains("is listening on");
        lines.push(line.trim_end().to_string());
        if done {
            break;
        }
    }
    (child, lines)
}

fn post_form(port: u16, path: &str, body: &str, cookie: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn get(port: u16, path: &str, cookie: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn demo_seeds_once_and_prints_credentials_every_start() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("rapport.toml");
    std::fs::write(&config, format!("listen = \"127.0.0.1:{port}\"\n")).unwrap();
    let (mut child, lines) = serve(
        &["--demo", "--config", config.to_str().unwrap()],
        dir.path(),
    );
    let text = lines.join("\n");
    assert!(
        text.contains("Seeded the demo organisation: 200 people"),
        "{text}"
    );
    assert!(
        text.contains("Demo admin: admin@demo.rapport.example  password: rapport-demo-2026"),
        "{text}"
    );
    assert!(
        text.contains(&format!("http://127.0.0.1:{port}")),
        "the listen address comes from the config file: {text}"
    );

    let resp = post_form(
        port,
        "/sign-in",
        "email=admin%40demo.rapport.example&password=rapport-demo-2026",
        "",
    );
    assert!(resp.starts_with("HTTP/1.1 303"), "{resp}");
    let cookie = resp
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let people = get(port, "/people", &cookie);
    assert!(
        people.contains("people found"),
        "the directory shows the demo people"
    );
    child.kill().unwrap();
    child.wait().unwrap();

    let (mut child, lines) = serve(
        &["--demo", "--listen", &format!("127.0.0.1:{}", free_port())],
        dir.path(),
    );
    let text = lines.join("\n");
    assert!(
        text.contains("demo data left alone") && text.contains("password: rapport-demo-2026"),
        "{text}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
