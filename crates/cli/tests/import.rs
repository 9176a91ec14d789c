//! `rapport import people` and `rapport export people` against a real
//! database (SQLite, and Postgres when `RAPPORT_TEST_DATABASE_URL` is set):
//! the example file imports (after a clean dry run), exports, and imports back
//! unchanged; a file with bad rows exits non-zero naming FILE:LINE: FIELD.

use assert_cmd::Command;
use rapport_app::programmes::ProgrammeInput;
use rapport_app::{App, AppConfig, ManualClock};
use rapport_store::testing::{fresh_database_url, test_database_kinds};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn rapport(dir: &Path, url: &str) -> Command {
    let mut c = Command::cargo_bin("rapport").unwrap();
    c.env("RAPPORT_DATABASE_URL", url)
        .env("RAPPORT_DATA_DIR", dir)
        .env_remove("RAPPORT_CONFIG")
        .env_remove("RAPPORT_BASE_URL");
    c
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/people.csv")
}

/// A database with an admin and the programme `pilot`, whose questions match
/// the example file's columns.
fn setup(kind: &str, outbox: &Path) -> (String, Option<tempfile::TempDir>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (url, dir) = fresh_database_url(kind).await.unwrap();
        let store = rapport_store::Store::connect(&url).await.unwrap();
        let app = App::new(
            store.clone(),
            Arc::new(ManualClock::new(1_800_000_000_000)),
            AppConfig {
                outbox_dir: outbox.into(),
                ..AppConfig::default()
            },
        )
        .await
        .unwrap();
        let id = app
            .create_user("admin@example.org", "Ada Admin", "long enough pw", true)
            .await
            .unwrap();
        let admin = app.actor(id).await.unwrap();
        app.create_programme(
            &admin,
            &ProgrammeInput {
                name: "Pilot".into(),
                kind: "one_to_one".into(),
                questions: "single: Preferred format? | In person | Video\nmultiple: Topics? | Leadership | Career | Craft | Wellbeing\ntext: Anything else?".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        store.close().await;
        (url, dir)
    })
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).to_string()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).to_string()
}

#[test]
fn import_export_and_errors() {
    for kind in test_database_kinds() {
        let dir = tempfile::tempdir().unwrap();
        let (url, _db) = setup(kind, &dir.path().join("outbox"));
        let file = example();

        let a = rapport(dir.path(), &url)
            .args(["import", "people"])
            .arg(&file)
            .args(["--programme", "pilot", "--dry-run"])
            .assert()
            .success();
        let out = stdout(&a);
        assert!(
            out.contains("Dry run: 5 rows are valid") && out.contains("invite 5"),
            "{kind}: {out}"
        );

        let a = rapport(dir.path(), &url)
            .args(["import", "people"])
            .arg(&file)
            .args(["--programme", "pilot"])
            .assert()
            .success();
        let out = stdout(&a);
        assert!(
            out.contains("Imported 5 rows into pilot: 5 invited, 0 profiles updated, 6 enrolled"),
            "{kind}: {out}"
        );

        // Export to a file (atomically: no temporary file is left) and to stdout.
        let out_file = dir.path().join("exported.csv");
        rapport(dir.path(), &url)
            .args(["export", "people", "--programme", "pilot", "--out"])
            .arg(&out_file)
            .assert()
            .success();
        let exported = std::fs::read_to_string(&out_file).unwrap();
        assert!(exported.starts_with("email,name,role,level,years,skills_offered,skills_wanted,languages,time_zone,department,manager_email,capacity,Preferred format?,Topics?,Anything else?\r\n"), "{exported}");
        assert_eq!(exported.lines().count(), 6, "{exported}");
        assert!(exported.contains("chloe.martin@example.org,Chloe Martin,both,team_leader,7,"));
        assert!(exported.contains("\"Mornings only, please\""));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        let a = rapport(dir.path(), &url)
            .args(["export", "people", "--programme", "pilot"])
            .assert()
            .success();
        assert_eq!(stdout(&a), exported);

        // The export imports back without changing anything.
        let a = rapport(dir.path(), &url)
            .args(["import", "people"])
            .arg(&out_file)
            .args(["--programme", "pilot"])
            .assert()
            .success();
        assert!(
            stdout(&a).contains("0 invited, 0 profiles updated, 0 enrolled"),
            "{kind}: {}",
            stdout(&a)
        );

        // Bad rows: every one is named, the exit code is non-zero, nothing is written.
        let bad = dir.path().join("bad.csv");
        std::fs::write(
            &bad,
            "email,name,role,capacity,Preferred format?\r\nnew@example.org,New,mentee,,Video\r\nnot-an-email,X,mentee,,\r\ny@example.org,Y,mentor,500,Carrier pigeon\r\n",
        )
        .unwrap();
        let a = rapport(dir.path(), &url)
            .args(["import", "people"])
            .arg(&bad)
            .args(["--programme", "pilot"])
            .assert()
            .failure();
        let err = stderr(&a);
        let name = bad.display().to_string();
        for want in [
            format!("{name}:3: email: "),
            format!("{name}:4: capacity: "),
            format!("{name}:4: Preferred format?: "),
            "nothing was imported".to_string(),
        ] {
            assert!(err.contains(&want), "{kind}: {want:?} missing from {err}");
        }
        let a = rapport(dir.path(), &url)
            .args(["export", "people", "--programme", "pilot"])
            .assert()
            .success();
        assert!(!stdout(&a).contains("new@example.org"), "{kind}");

        // An unknown programme is an error too.
        let a = rapport(dir.path(), &url)
            .args(["export", "people", "--programme", "nope"])
            .assert()
            .failure();
        assert!(stderr(&a).contains("not found"), "{}", stderr(&a));
    }
}
