//! Killing the server with SIGKILL in the middle of writes loses no
//! acknowledged write: every sign-up that got its redirect is in the database
//! after a restart.

use rapport_web::testing::free_port;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn start(dir: &std::path::Path, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--auth-attempts",
            "1000000",
        ])
        .arg("--data-dir")
        .arg(dir)
        .env_remove("RAPPORT_DATABASE_URL")
        .env("RAPPORT_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("rapport starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if request(
            port,
            "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .is_some_and(|r| r.starts_with("HTTP/1.1 200"))
        {
            return child;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("rapport did not become healthy on port {port}");
}

fn request(port: u16, raw: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    s.write_all(raw.as_bytes()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

fn sign_up(port: u16, email: &str) -> bool {
    let body = format!(
        "name=Crash+Test&email={}&password=long+enough+password",
        email.replace('@', "%40")
    );
    let raw = format!("POST /sign-up HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
    request(port, &raw).is_some_and(|r| r.starts_with("HTTP/1.1 303"))
}

#[test]
fn sigkill_during_writes_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(dir.path(), port);

    let acked = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (acked, stop) = (acked.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    let email = format!("w{w}n{i}@crash.example");
                    if sign_up(port, &email) {
                        acked.lock().unwrap().push(email);
                    }
                    i += 1;
                }
            })
        })
        .collect();
    // Let writes flow, then kill while they are still in flight.
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.lock().unwrap().len() < 40 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill().expect("SIGKILL the server");
    server.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 40,
        "only {} sign-ups were acknowledged before the kill",
        acked.len()
    );

    // Restart on the same data: recovery must succeed and every acknowledged sign-up be there.
    let mut server = start(dir.path(), port);
    server.kill().unwrap();
    server.wait().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = rapport_store::Store::connect(&format!(
            "sqlite://{}",
            dir.path().join("rapport.db").display()
        ))
        .await
        .unwrap();
        let mut tx = store.read().await.unwrap();
        for email in &acked {
            assert!(
                tx.person_by_email(email).await.unwrap().is_some(),
                "acknowledged sign-up {email} was lost"
            );
        }
    });
}
