//! `rapport match assign --edges`: happy path, input errors that name file, line and
//! field and leave nothing written, and BOM/CRLF input.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn rapport() -> Command {
    Command::cargo_bin("rapport").expect("binary builds")
}

fn write(dir: &Path, name: &str, text: &[u8]) -> String {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// Runs assign in `dir`; returns (success, stdout, stderr).
fn assign(dir: &Path, edges: &[u8], caps: &[u8], extra: &[&str]) -> (bool, String, String) {
    let e = write(dir, "edges.csv", edges);
    let c = write(dir, "capacities.csv", caps);
    let out = dir.join("matches.csv");
    let un = dir.join("unmatched.csv");
    let output = rapport()
        .args([
            "match",
            "assign",
            "--edges",
            &e,
            "--capacities",
            &c,
            "--out",
        ])
        .arg(&out)
        .arg("--unmatched")
        .arg(&un)
        .args(extra)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn solves_and_writes_matches_and_unmatched() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, stdout, stderr) = assign(
        dir.path(),
        b"mentee,mentor,score\nann,Bob,1.5\nann,Cy,2\nben,Bob,3\ncat,Bob,0.000001\n",
        b"mentor,capacity\nBob,1\nCy,1\nDee,4\n",
        &[],
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("matched:     2 of 3 mentees"), "{stdout}");
    assert!(stdout.contains("total score: 5"), "{stdout}");
    assert!(stdout.contains("peak memory"), "{stdout}");
    let matches = fs::read_to_string(dir.path().join("matches.csv")).unwrap();
    assert_eq!(matches, "mentee,mentor,score\nann,Cy,2\nben,Bob,3\n");
    let unmatched = fs::read_to_string(dir.path().join("unmatched.csv")).unwrap();
    assert_eq!(
        unmatched,
        "mentee,reason\ncat,every eligible mentor is at capacity\n"
    );
}

#[test]
fn accepts_bom_and_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = assign(
        dir.path(),
        b"\xEF\xBB\xBFmentee,mentor,score\r\nann,Bob,-1.25\r\nben,Bob,2\r\n",
        b"\xEF\xBB\xBFmentor,capacity\r\nBob,2\r\n",
        &[],
    );
    assert!(ok, "{stderr}");
    let matches = fs::read_to_string(dir.path().join("matches.csv")).unwrap();
    assert_eq!(matches, "mentee,mentor,score\nann,Bob,-1.25\nben,Bob,2\n");
}

#[test]
fn mentee_capacities_allow_more_than_one_mentor() {
    let dir = tempfile::tempdir().unwrap();
    let mc = write(dir.path(), "mentee-caps.csv", b"mentee,capacity\nann,2\n");
    let (ok, stdout, stderr) = assign(
        dir.path(),
        b"mentee,mentor,score\nann,Bob,1\nann,Cy,1\n",
        b"mentor,capacity\nBob,1\nCy,1\n",
        &["--mentee-capacities", &mc],
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("(2 pairs)"), "{stdout}");
}

/// Each malformed input fails, names file, line and field, and writes nothing.
#[test]
fn malformed_inputs_name_file_line_field_and_write_nothing() {
    let cases: &[(&str, &[u8], &[u8], &str)] = &[
        (
            "missing header",
            b"ann,Bob,1\n",
            b"mentor,capacity\nBob,1\n",
            "edges.csv line 1: missing or wrong header",
        ),
        (
            "bad number",
            b"mentee,mentor,score\nann,Bob,1\nben,Bob,abc\n",
            b"mentor,capacity\nBob,1\n",
            "edges.csv line 3, field \"score\"",
        ),
        (
            "NaN",
            b"mentee,mentor,score\nann,Bob,NaN\n",
            b"mentor,capacity\nBob,1\n",
            "edges.csv line 2, field \"score\"",
        ),
        (
            "too many decimals",
            b"mentee,mentor,score\nann,Bob,0.1234567\n",
            b"mentor,capacity\nBob,1\n",
            "edges.csv line 2, field \"score\"",
        ),
        (
            "mentor without capacity",
            b"mentee,mentor,score\nann,Bob,1\nben,Zed,1\n",
            b"mentor,capacity\nBob,1\n",
            "edges.csv line 3, field \"mentor\": mentor \"Zed\" has no capacity",
        ),
        (
            "duplicate pair",
            b"mentee,mentor,score\nann,Bob,1\nben,Bob,1\nann,Bob,2\n",
            b"mentor,capacity\nBob,1\n",
            "edges.csv line 4: duplicate pair",
        ),
        (
            "negative capacity",
            b"mentee,mentor,score\nann,Bob,1\n",
            b"mentor,capacity\nBob,-1\n",
            "capacities.csv line 2, field \"capacity\"",
        ),
        (
            "empty id",
            b"mentee,mentor,score\n,Bob,1\n",
            b"mentor,capacity\nBob,1\n",
            "edges.csv line 2, field \"mentee\"",
        ),
        (
            "wrong field count",
            b"mentee,mentor,score\nann,Bob\n",
            b"mentor,capacity\nBob,1\n",
            "edges.csv line 2: expected 3 fields",
        ),
        (
            "mentor listed twice",
            b"mentee,mentor,score\nann,Bob,1\n",
            b"mentor,capacity\nBob,1\nBob,2\n",
            "capacities.csv line 3, field \"mentor\"",
        ),
    ];
    for (what, edges, caps, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let (ok, _, stderr) = assign(dir.path(), edges, caps, &[]);
        assert!(!ok, "{what}: should fail");
        assert!(stderr.contains(expected), "{what}: stderr was {stderr}");
        let left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "edges.csv" && n != "capacities.csv")
            .collect();
        assert!(left.is_empty(), "{what}: wrote {left:?}");
    }
}

#[test]
fn exactly_one_mode_is_required() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.csv");
    let output = rapport()
        .args(["match", "assign", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--edges"));
}
