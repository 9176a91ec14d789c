//! `rapport match stable` end to end.

use assert_cmd::cargo::cargo_bin_cmd;
use std::fs;
use std::path::Path;

fn run(dir: &Path, mentee: &str, mentor: &str, caps: &str) -> assert_cmd::assert::Assert {
    fs::write(dir.join("mentee.csv"), mentee).unwrap();
    fs::write(dir.join("mentor.csv"), mentor).unwrap();
    fs::write(dir.join("caps.csv"), caps).unwrap();
    cargo_bin_cmd!("rapport")
        .current_dir(dir)
        .args([
            "match",
            "stable",
            "--mentee-ranks",
            "mentee.csv",
            "--mentor-ranks",
            "mentor.csv",
            "--capacities",
            "caps.csv",
            "--out",
            "out.csv",
        ])
        .assert()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

#[test]
fn mentee_optimal_with_capacities() {
    let dir = tempfile::tempdir().unwrap();
    // Both mentees prefer M1 (capacity 1); M1 prefers bo, so ann goes to M2.
    let a = run(
        dir.path(),
        "who,ranked,rank\nann,M1,1\nann,M2,2\nbo,M1,1\ncy,M1,1\n",
        "who,ranked,rank\nM1,bo,1\nM1,ann,2\nM2,ann,1\n",
        "mentor,capacity\nM1,1\nM2,3\n",
    )
    .success();
    let out = fs::read_to_string(dir.path().join("out.csv")).unwrap();
    let mut lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.remove(0), "mentee,mentor");
    lines.sort();
    assert_eq!(lines, vec!["ann,M2", "bo,M1"]);
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(stdout.contains("matched:     2"), "{stdout}");
    assert!(stdout.contains("unmatched:   1"), "{stdout}");
    assert!(stdout.contains("stable:      yes"), "{stdout}");
}

#[test]
fn bom_and_crlf_and_rank_gaps() {
    let dir = tempfile::tempdir().unwrap();
    run(
        dir.path(),
        "\u{feff}who,ranked,rank\r\nann,M1,5\r\nann,M2,2\r\n",
        "who,ranked,rank\r\nM1,ann,1\r\nM2,ann,1\r\n",
        "\u{feff}mentor,capacity\r\nM1,1\r\nM2,1\r\n",
    )
    .success();
    let out = fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert_eq!(out, "mentee,mentor\nann,M2\n");
}

#[test]
fn mentor_without_capacity_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = run(
        dir.path(),
        "who,ranked,rank\nann,M9,1\n",
        "who,ranked,rank\n",
        "mentor,capacity\nM1,1\n",
    )
    .failure();
    let err = stderr(&a);
    assert!(err.contains("mentee.csv line 2, field \"ranked\""), "{err}");
    assert!(!dir.path().join("out.csv").exists());
}

#[test]
fn bad_rank_tied_rank_and_negative_capacity_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = run(
        dir.path(),
        "who,ranked,rank\nann,M1,0\n",
        "who,ranked,rank\n",
        "mentor,capacity\nM1,1\n",
    )
    .failure();
    assert!(
        stderr(&a).contains("mentee.csv line 2, field \"rank\""),
        "{}",
        stderr(&a)
    );
    let a = run(
        dir.path(),
        "who,ranked,rank\n",
        "who,ranked,rank\nM1,ann,1\nM1,bo,1\n",
        "mentor,capacity\nM1,1\n",
    )
    .failure();
    assert!(
        stderr(&a).contains("mentor.csv line 3, field \"rank\""),
        "{}",
        stderr(&a)
    );
    let a = run(
        dir.path(),
        "who,ranked,rank\n",
        "who,ranked,rank\n",
        "mentor,capacity\nM1,-1\n",
    )
    .failure();
    assert!(
        stderr(&a).contains("caps.csv line 2, field \"capacity\""),
        "{}",
        stderr(&a)
    );
    let a = run(
        dir.path(),
        "who,ranked,rank\nann,M1,1\nann,M1,2\n",
        "who,ranked,rank\n",
        "mentor,capacity\nM1,1\n",
    )
    .failure();
    assert!(stderr(&a).contains("mentee.csv line 3"), "{}", stderr(&a));
    assert!(!dir.path().join("out.csv").exists());
}
