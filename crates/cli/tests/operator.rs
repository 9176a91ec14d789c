//! `rapport admin` for operators (issue 21): list-users, grant-admin and
//! revoke-admin (never the last admin), reset-password (stdin or a one-time
//! link), create-token and erase-user, on SQLite and (with
//! `RAPPORT_TEST_DATABASE_URL`) PostgreSQL. Each change is in the audit log
//! as done from the command line.

use assert_cmd::Command;
use rapport_app::{App, AppConfig, SystemClock};
use rapport_store::page::Start;
use rapport_store::testing::{fresh_database_url, test_database_kinds};
use std::sync::Arc;

const BASE_URL: &str = "https://mentoring.example.org";

fn rapport(dir: &std::path::Path, url: &str) -> Command {
    let mut c = Command::cargo_bin("rapport").unwrap();
    c.env("RAPPORT_DATABASE_URL", url)
        .env("RAPPORT_DATA_DIR", dir)
        .env("RAPPORT_BASE_URL", BASE_URL)
        .env_remove("RAPPORT_CONFIG");
    c
}

fn out(a: &assert_cmd::assert::Assert) -> (String, String) {
    let o = a.get_output();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The app on the same database, to check what the commands did.
async fn app(url: &str) -> App {
    let store = rapport_store::Store::connect(url).await.unwrap();
    App::new(store, Arc::new(SystemClock), AppConfig::default())
        .await
        .unwrap()
}

#[test]
fn operator_commands_on_every_database() {
    for kind in test_database_kinds() {
        let rt = runtime();
        let (url, _keep) = rt.block_on(fresh_database_url(kind)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| rapport(dir.path(), &url).args(args).assert();
        for (email, name, admin) in [
            ("ada@example.org", "Ada", true),
            ("bob@example.org", "Bob", false),
        ] {
            let mut args = vec!["admin", "create-user", "--email", email, "--name", name];
            if admin {
                args.push("--admin");
            }
            rapport(dir.path(), &url)
                .args(&args)
                .write_stdin("a long passphrase\n")
                .assert()
                .success();
        }

        // list-users
        let (list, _) = out(&run(&["admin", "list-users"]).success());
        assert!(
            list.starts_with("email\tname\tstatus\tadmin\n"),
            "{kind}: {list}"
        );
        assert!(
            list.contains("ada@example.org\tAda\tactive\tyes"),
            "{kind}: {list}"
        );
        assert!(
            list.contains("bob@example.org\tBob\tactive\tno"),
            "{kind}: {list}"
        );
        let (admins, _) = out(&run(&["admin", "list-users", "--admins"]).success());
        assert!(
            admins.contains("ada@example.org") && !admins.contains("bob@"),
            "{kind}: {admins}"
        );

        // The last administrator stays one.
        let (_, err) = out(&run(&["admin", "revoke-admin", "ada@example.org"]).failure());
        assert!(err.contains("only administrator"), "{kind}: {err}");
        run(&["admin", "grant-admin", "BOB@example.org"]).success();
        let (again, _) = out(&run(&["admin", "grant-admin", "bob@example.org"]).success());
        assert!(again.contains("already"), "{kind}: {again}");
        run(&["admin", "revoke-admin", "ada@example.org"]).success();
        let (admins, _) = out(&run(&["admin", "list-users", "--admins"]).success());
        assert!(
            admins.contains("bob@") && !admins.contains("ada@"),
            "{kind}: {admins}"
        );
        let (_, err) = out(&run(&["admin", "grant-admin", "nobody@example.org"]).failure());
        assert!(err.contains("nobody@example.org"), "{kind}: {err}");

        // reset-password: from stdin, then as a one-time link.
        rapport(dir.path(), &url)
            .args(["admin", "reset-password", "ada@example.org"])
            .write_stdin("a brand new passphrase\n")
            .assert()
            .success();
        let short = rapport(dir.path(), &url)
            .args(["admin", "reset-password", "ada@example.org"])
            .write_stdin("short\n")
            .assert()
            .failure();
        assert!(out(&short).1.contains("password"), "{kind}");
        let (link, _) =
            out(&run(&["admin", "reset-password", "ada@example.org", "--link"]).success());
        let prefix = format!("{BASE_URL}/reset-password?token=");
        let token = link
            .trim()
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{kind}: a link on {BASE_URL}: {link}"))
            .to_string();

        // disable-user and enable-user
        run(&["admin", "disable-user", "ada@example.org"]).success();
        let (list, _) = out(&run(&["admin", "list-users"]).success());
        assert!(
            list.contains("ada@example.org\tAda\tdisabled\tno"),
            "{kind}: {list}"
        );
        let (again, _) = out(&run(&["admin", "disable-user", "ada@example.org"]).success());
        assert!(again.contains("already disabled"), "{kind}: {again}");
        let (_, err) = out(&run(&["admin", "disable-user", "bob@example.org"]).failure());
        assert!(err.contains("only administrator"), "{kind}: {err}");
        run(&["admin", "enable-user", "ada@example.org"]).success();
        let (list, _) = out(&run(&["admin", "list-users"]).success());
        assert!(
            list.contains("ada@example.org\tAda\tactive\tno"),
            "{kind}: {list}"
        );

        // create-token
        let (secret, _) = out(&run(&[
            "admin",
            "create-token",
            "bob@example.org",
            "--name",
            "backups",
        ])
        .success());
        let secret = secret.trim().to_string();

        // erase-user needs --yes.
        let (_, err) = out(&run(&["admin", "erase-user", "bob@example.org"]).failure());
        assert!(err.contains("--yes"), "{kind}: {err}");

        rt.block_on(async {
            let app = app(&url).await;
            let ada = app
                .check_email_token(&token, "reset")
                .await
                .expect("the link works");
            assert_eq!(ada.email.as_str(), "ada@example.org");
            let hash = ada.password_hash.clone().unwrap();
            assert!(
                rapport_app::secrets::verify_password("a brand new passphrase", &hash)
                    .await
                    .unwrap()
            );
            let bob = app
                .authenticate_token(&secret)
                .await
                .expect("the token works");
            assert!(bob.is_admin);
            app.close().await;
        });

        // Bob is the only admin now: erasing him is refused, then allowed
        // once Ada is an admin again.
        let (_, err) = out(&run(&["admin", "erase-user", "bob@example.org", "--yes"]).failure());
        assert!(err.contains("only administrator"), "{kind}: {err}");
        run(&["admin", "grant-admin", "ada@example.org"]).success();
        run(&["admin", "erase-user", "bob@example.org", "--yes"]).success();
        let (list, _) = out(&run(&["admin", "list-users"]).success());
        assert!(!list.contains("bob@"), "{kind}: {list}");

        rt.block_on(async {
            let store = rapport_store::Store::connect(&url).await.unwrap();
            let mut tx = store.read().await.unwrap();
            let page = tx.audit_page(Start::Offset(0), 100).await.unwrap();
            let by_cli: Vec<String> = page
                .items
                .iter()
                .filter(|a| a.actor_name == rapport_app::operator::OPERATOR && a.actor_id.is_none())
                .map(|a| a.action.clone())
                .collect();
            for action in [
                "person.create",
                "person.set_admin",
                "person.reset_password",
                "person.disable",
                "person.enable",
                "api_token.create",
                "person.delete",
            ] {
                assert!(
                    by_cli.contains(&action.to_string()),
                    "{kind}: {action} in {by_cli:?}"
                );
            }
            drop(tx);
            store.close().await;
        });
    }
}
