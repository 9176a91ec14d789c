//! `rapport match peers` end to end.

use assert_cmd::cargo::cargo_bin_cmd;
use std::fs;
use std::path::Path;

fn run(dir: &Path, edges: &str) -> assert_cmd::assert::Assert {
    fs::write(dir.join("edges.csv"), edges).unwrap();
    cargo_bin_cmd!("rapport")
        .current_dir(dir)
        .args([
            "match",
            "peers",
            "--edges",
            "edges.csv",
            "--out",
            "pairs.csv",
        ])
        .assert()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

#[test]
fn most_pairs_then_highest_score() {
    let dir = tempfile::tempdir().unwrap();
    // The heavy middle edge alone would leave two people out.
    let a = run(dir.path(), "a,b,score\nann,bo,1\nbo,cy,100\ncy,di,1.5\n").success();
    let out = fs::read_to_string(dir.path().join("pairs.csv")).unwrap();
    let mut lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.remove(0), "a,b,score");
    lines.sort();
    assert_eq!(lines, vec!["ann,bo,1", "cy,di,1.5"]);
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(stdout.contains("pairs:       2"), "{stdout}");
    assert!(stdout.contains("unmatched:   0"), "{stdout}");
    assert!(stdout.contains("total score: 2.5"), "{stdout}");
    assert!(stdout.contains("peak memory:"), "{stdout}");
}

#[test]
fn bom_and_crlf_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), "\u{feff}a,b,score\r\nx,y,-2\r\ny,z,3\r\n").success();
    let out = fs::read_to_string(dir.path().join("pairs.csv")).unwrap();
    assert_eq!(out, "a,b,score\ny,z,3\n");
}

#[test]
fn reversed_duplicate_is_refused_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let a = run(dir.path(), "a,b,score\nx,y,1\ny,x,2\n").failure();
    let err = stderr(&a);
    assert!(err.contains("edges.csv line 3"), "{err}");
    assert!(err.contains("line 2"), "{err}");
    assert!(!dir.path().join("pairs.csv").exists());
}

#[test]
fn self_loop_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = run(dir.path(), "a,b,score\nx,x,1\n").failure();
    let err = stderr(&a);
    assert!(err.contains("edges.csv line 2, field \"b\""), "{err}");
}

#[test]
fn bad_score_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let a = run(dir.path(), "a,b,score\nx,y,NaN\n").failure();
    let err = stderr(&a);
    assert!(err.contains("edges.csv line 2, field \"score\""), "{err}");
    let a = run(dir.path(), "a,b,score\nx,y,1.0000001\n").failure();
    assert!(stderr(&a).contains("field \"score\""));
}

#[test]
fn missing_header_is_refused_and_old_output_kept() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("pairs.csv"), "old").unwrap();
    let a = run(dir.path(), "x,y,1\n").failure();
    assert!(stderr(&a).contains("edges.csv line 1"), "{}", stderr(&a));
    assert_eq!(
        fs::read_to_string(dir.path().join("pairs.csv")).unwrap(),
        "old"
    );
    // No temporary file is left behind.
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn ids_are_case_sensitive_and_isolated_people_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let a = run(dir.path(), "a,b,score\nAnn,ann,1\nann,bo,5\n").success();
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(stdout.contains("people:      3"), "{stdout}");
    assert!(stdout.contains("pairs:       1"), "{stdout}");
    assert!(stdout.contains("unmatched:   1"), "{stdout}");
}
