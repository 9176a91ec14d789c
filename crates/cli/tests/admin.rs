//! `rapport migrate`, `admin create-user`, `backup`, `restore` and `--help`.

use assert_cmd::Command;

fn rapport(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("rapport").unwrap();
    c.env_remove("RAPPORT_DATABASE_URL")
        .env("RAPPORT_DATA_DIR", dir);
    c
}

fn people(db: &std::path::Path) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = rapport_store::Store::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let mut tx = store.read().await.unwrap();
        let q = rapport_store::DirectoryQuery {
            include_private: true,
            limit: 100,
            ..Default::default()
        };
        let (list, _) = tx.search_people(&q).await.unwrap();
        let emails = list.into_iter().map(|p| p.email.to_string()).collect();
        drop(tx);
        store.close().await;
        emails
    })
}

#[test]
fn create_user_backup_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    rapport(dir.path()).arg("migrate").assert().success();
    rapport(dir.path())
        .args([
            "admin",
            "create-user",
            "--email",
            "Ada@Example.org",
            "--name",
            "Ada",
            "--admin",
        ])
        .write_stdin("a long passphrase\n")
        .assert()
        .success();
    let out = rapport(dir.path())
        .args(["admin", "create-user", "--email", "bad", "--name", "X"])
        .write_stdin("short\n")
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("email") && err.contains("Password must be at least 10 characters"),
        "{err}"
    );
    let dup = rapport(dir.path())
        .args([
            "admin",
            "create-user",
            "--email",
            "ada@example.org",
            "--name",
            "Ada",
        ])
        .write_stdin("a long passphrase\n")
        .assert()
        .failure();
    assert!(String::from_utf8_lossy(&dup.get_output().stderr).contains("already exists"));

    let backup = dir.path().join("backup.db");
    rapport(dir.path())
        .arg("backup")
        .arg(&backup)
        .assert()
        .success();
    rapport(dir.path())
        .arg("backup")
        .arg(&backup)
        .assert()
        .failure();
    rapport(dir.path())
        .args([
            "admin",
            "create-user",
            "--email",
            "later@example.org",
            "--name",
            "Later",
        ])
        .write_stdin("a long passphrase\n")
        .assert()
        .success();
    assert_eq!(people(&dir.path().join("rapport.db")).len(), 2);

    rapport(dir.path())
        .arg("restore")
        .arg(&backup)
        .assert()
        .success();
    assert_eq!(
        people(&dir.path().join("rapport.db")),
        vec!["ada@example.org".to_string()]
    );

    let not_db = dir.path().join("not.db");
    std::fs::write(&not_db, "hello").unwrap();
    rapport(dir.path())
        .arg("restore")
        .arg(&not_db)
        .assert()
        .failure();
    assert_eq!(
        people(&dir.path().join("rapport.db")).len(),
        1,
        "a bad backup changes nothing"
    );
}

#[test]
fn backup_on_postgres_points_to_pg_dump() {
    // On a database of its own, so the command never touches a shared one.
    for kind in rapport_store::testing::test_database_kinds() {
        if kind != "postgres" {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let (url, _keep) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(rapport_store::testing::fresh_database_url(kind))
            .unwrap();
        let out = rapport(dir.path())
            .arg("backup")
            .arg(dir.path().join("x.db"))
            .env("RAPPORT_DATABASE_URL", url)
            .assert()
            .failure();
        assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("pg_dump"));
    }
}

#[test]
fn help_describes_every_subcommand() {
    let out = Command::cargo_bin("rapport")
        .unwrap()
        .arg("--help")
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for sub in [
        "serve", "migrate", "admin", "backup", "restore", "match", "import", "export",
    ] {
        assert!(text.contains(sub), "--help lacks {sub}");
    }
    let out = Command::cargo_bin("rapport")
        .unwrap()
        .args(["serve", "--help"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for opt in [
        "--listen",
        "--demo",
        "--database-url",
        "--config",
        "--smtp-url",
        "--metrics-token",
        "RAPPORT_LISTEN",
    ] {
        assert!(text.contains(opt), "serve --help lacks {opt}");
    }
}
