//! `rapport match groups` end to end.

use assert_cmd::cargo::cargo_bin_cmd;
use std::fs;
use std::path::Path;

fn run(dir: &Path, edges: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    fs::write(dir.join("edges.csv"), edges).unwrap();
    cargo_bin_cmd!("rapport")
        .current_dir(dir)
        .args([
            "match",
            "groups",
            "--edges",
            "edges.csv",
            "--out",
            "groups.csv",
        ])
        .args(extra)
        .assert()
}

fn clique_edges() -> String {
    // Two cliques of four: strong inside, weak across.
    let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    let mut s = String::from("a,b,score\n");
    for i in 0..8 {
        for j in i + 1..8 {
            let w = if i / 4 == j / 4 { "90" } else { "10" };
            s.push_str(&format!("{},{},{w}\n", names[i], names[j]));
        }
    }
    s
}

#[test]
fn circles_of_four_with_objective_and_bound() {
    let dir = tempfile::tempdir().unwrap();
    let a = run(dir.path(), &clique_edges(), &["--min", "4", "--max", "4"]).success();
    let out = fs::read_to_string(dir.path().join("groups.csv")).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "group,member,role");
    assert_eq!(lines.len(), 9);
    // a, b, c, d share a group.
    let group_of = |m: &str| {
        lines[1..]
            .iter()
            .find(|l| l.split(',').nth(1) == Some(m))
            .map(|l| l.split(',').next().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(group_of("a"), group_of("d"));
    assert_ne!(group_of("a"), group_of("e"));
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(
        stdout.contains("objective:   90 (100.0% of the bound)"),
        "{stdout}"
    );
    assert!(stdout.contains("upper bound: 90"), "{stdout}");
    assert!(stdout.contains("unplaced:    0"), "{stdout}");
}

#[test]
fn leaders_get_the_leader_role() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("leaders.csv"), "leader\r\na\r\ne\r\n").unwrap();
    run(
        dir.path(),
        &clique_edges(),
        &["--min", "4", "--max", "4", "--leaders", "leaders.csv"],
    )
    .success();
    let out = fs::read_to_string(dir.path().join("groups.csv")).unwrap();
    let leaders: Vec<&str> = out.lines().filter(|l| l.ends_with(",leader")).collect();
    assert_eq!(leaders.len(), 2, "{out}");
    assert!(
        out.contains(",a,leader") && out.contains(",e,leader"),
        "{out}"
    );
}

#[test]
fn unplaceable_people_are_reported_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let a = run(
        dir.path(),
        "a,b,score\nx,y,5\ny,z,5\nx,z,5\nw,x,1\n",
        &["--min", "3", "--max", "3"],
    )
    .success();
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(stdout.contains("unplaced:    1"), "{stdout}");
    assert!(
        stdout.contains("w: only 1 people may be grouped"),
        "{stdout}"
    );
}

#[test]
fn bad_sizes_and_bad_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = run(dir.path(), &clique_edges(), &["--min", "5", "--max", "4"]).failure();
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("min"));
    let a = run(
        dir.path(),
        "a,b,score\nx,y,abc\n",
        &["--min", "2", "--max", "2"],
    )
    .failure();
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("edges.csv line 2, field \"score\""), "{err}");
    assert!(!dir.path().join("groups.csv").exists());
    fs::write(dir.path().join("leaders.csv"), "who\nx\n").unwrap();
    let a = run(
        dir.path(),
        "a,b,score\nx,y,1\n",
        &["--min", "2", "--max", "2", "--leaders", "leaders.csv"],
    )
    .failure();
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("leaders.csv line 1"), "{err}");
}

#[test]
fn unlisted_as_zero_lets_strangers_meet() {
    let dir = tempfile::tempdir().unwrap();
    let a = run(
        dir.path(),
        "a,b,score\nx,y,6\nz,w,3\n",
        &["--min", "4", "--max", "4", "--unlisted-as-zero"],
    )
    .success();
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(stdout.contains("groups:      1"), "{stdout}");
    assert!(stdout.contains("objective:   1.5"), "{stdout}");
}
