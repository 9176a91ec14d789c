//! `rapport match assign` in profile mode, on the files in `examples/`.

use std::path::PathBuf;

use assert_cmd::Command;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn rapport() -> Command {
    Command::cargo_bin("rapport").expect("the rapport binary is built")
}

/// Sums the `criterion +points:` items of a rendered explanation, in micro-units.
fn explanation_total(text: &str) -> i64 {
    let mut total = 0;
    for part in std::iter::once(text).chain(text.split("; ").skip(1)) {
        let Some((head, _)) = part.split_once(": ") else {
            continue;
        };
        let Some((name, points)) = head.split_once(" +") else {
            continue;
        };
        if !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            continue;
        }
        total += micros(points);
    }
    total
}

fn micros(text: &str) -> i64 {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let frac = format!("{frac:0<6}");
    whole.parse::<i64>().unwrap() * 1_000_000 + frac.parse::<i64>().unwrap()
}

#[test]
fn examples_match_with_explanations_pins_and_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("matches.csv");
    let unmatched = dir.path().join("unmatched.csv");
    let assert = rapport()
        .args(["match", "assign", "--mentees"])
        .arg(example("mentees.csv"))
        .arg("--mentors")
        .arg(example("mentors.csv"))
        .arg("--settings")
        .arg(example("matching.toml"))
        .arg("--out")
        .arg(&out)
        .arg("--explain")
        .arg("--unmatched")
        .arg(&unmatched)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("matched "), "{stderr}");
    assert!(stderr.contains("peak memory"), "{stderr}");

    let text = std::fs::read_to_string(&out).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rows.headers().unwrap(),
        vec!["mentee", "mentor", "score", "explanation"]
    );
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert!(rows.len() >= 20, "{text}");
    // The pin is placed, the excluded and previous pairs are not.
    assert!(rows
        .iter()
        .any(|r| &r[0] == "dev.patel@example.org" && &r[1] == "emma.clarke@example.org"));
    assert!(!rows
        .iter()
        .any(|r| &r[0] == "bruno.okafor@example.org" && &r[1] == "emma.clarke@example.org"));
    assert!(!rows
        .iter()
        .any(|r| &r[0] == "chloe.martin@example.org" && &r[1] == "felix.wagner@example.org"));
    for r in &rows {
        let score = micros(&r[2]);
        assert!((0..=100_000_000).contains(&score));
        assert!(!r[3].is_empty(), "every pair is explained");
        assert_eq!(explanation_total(&r[3]), score, "{}", &r[3]);
    }

    let un = std::fs::read_to_string(&unmatched).unwrap();
    assert!(un.starts_with("mentee,reason"), "{un}");
    assert!(un.contains("No mentor speaks Japanese"), "{un}");
}

#[test]
fn bad_profiles_name_file_line_and_field_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mentees = dir.path().join("mentees.csv");
    let good = std::fs::read_to_string(example("mentees.csv")).unwrap();
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    lines[2] = lines[2].replacen(",professional_contributor,", ",intern,", 1);
    lines[2] = lines[2].replacen(",team_leader,", ",intern,", 1);
    std::fs::write(&mentees, lines.join("\r\n")).unwrap();
    let out = dir.path().join("matches.csv");
    let assert = rapport()
        .args(["match", "assign", "--mentees"])
        .arg(&mentees)
        .arg("--mentors")
        .arg(example("mentors.csv"))
        .arg("--out")
        .arg(&out)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("mentees.csv"), "{stderr}");
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("level"), "{stderr}");
    assert!(!out.exists());

    // A bad time zone and a bad availability window.
    let mut lines2: Vec<String> = good.lines().map(str::to_string).collect();
    lines2[4] = lines2[4]
        .replacen("Europe/", "Moon/", 1)
        .replacen("America/", "Moon/", 1)
        .replacen("Asia/", "Moon/", 1);
    std::fs::write(&mentees, lines2.join("\n")).unwrap();
    let assert = rapport()
        .args(["match", "assign", "--mentees"])
        .arg(&mentees)
        .arg("--mentors")
        .arg(example("mentors.csv"))
        .arg("--out")
        .arg(&out)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("line 5") && stderr.contains("time_zone"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn bad_settings_name_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("matching.toml");
    std::fs::write(&settings, "[reach]\nmax_time_zone_hours = 30\n").unwrap();
    let out = dir.path().join("matches.csv");
    let assert = rapport()
        .args(["match", "assign", "--mentees"])
        .arg(example("mentees.csv"))
        .arg("--mentors")
        .arg(example("mentors.csv"))
        .arg("--settings")
        .arg(&settings)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("reach.max_time_zone_hours"), "{stderr}");
    std::fs::write(&settings, "quality_flor = 3\n").unwrap();
    let assert = rapport()
        .args(["match", "assign", "--mentees"])
        .arg(example("mentees.csv"))
        .arg("--mentors")
        .arg(example("mentors.csv"))
        .arg("--settings")
        .arg(&settings)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("quality_flor"), "{stderr}");
    assert!(!out.exists());
}
