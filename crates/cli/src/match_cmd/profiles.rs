//! Profile mode of `rapport match assign`: profiles in, explained matches out.
//!
//! `rapport match assign --mentees mentees.csv --mentors mentors.csv
//! [--settings matching.toml] --out matches.csv [--explain] [--unmatched FILE]`
//!
//! Both profile files have the header [`COLUMNS`] (documented in
//! `docs/matching.md`); list cells use `;` between items. Every input is read and
//! checked before anything is written, errors name the file, line and field, and
//! outputs are written to a temporary file and renamed into place.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use rapport_matching::fixed::format_micros;
use rapport_matching::pipeline::{self, Options};
use rapport_matching::profile::{
    Answer, Attribute, DepartmentChoice, Level, Preference, Profile, Skill, Strength, Weekday,
    Window,
};
use rapport_matching::score::{parse_zone, Audience};
use rapport_matching::settings::Settings;
use rapport_matching::table::{parse_capacity, Row, TableError, TableReader};

/// The header of a profile file, in order.
pub const COLUMNS: [&str; 18] = [
    "id",
    "level",
    "years",
    "skills_offered",
    "skills_wanted",
    "goals",
    "goals_text",
    "interests",
    "languages",
    "time_zone",
    "availability",
    "department",
    "manager",
    "gender",
    "preferences",
    "capacity",
    "answers",
    "private",
];

fn col(name: &str) -> usize {
    COLUMNS.iter().position(|c| *c == name).unwrap_or(0)
}

fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split(';').map(str::trim).filter(|s| !s.is_empty())
}

fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn parse_skills(row: &Row<'_>, c: usize) -> Result<Vec<Skill>, TableError> {
    let mut out = Vec::new();
    for item in items(row.text(c)) {
        let (name, priority) = match item.rsplit_once(':') {
            Some((n, p))
                if !p.trim().is_empty() && p.trim().chars().all(|c| c.is_ascii_digit()) =>
            {
                let p: u8 = p.trim().parse().unwrap_or(0);
                if !(1..=5).contains(&p) {
                    return Err(row.error(
                        c,
                        format!("`{item}`: the priority after `:` must be 1 to 5"),
                    ));
                }
                (n.trim(), p)
            }
            _ => (item, 1),
        };
        if name.is_empty() {
            return Err(row.error(c, format!("`{item}`: the skill name is empty")));
        }
        out.push(Skill {
            name: name.to_string(),
            priority,
        });
    }
    Ok(out)
}

fn parse_clock(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

fn parse_availability(row: &Row<'_>, c: usize) -> Result<Vec<Window>, TableError> {
    let mut out = Vec::new();
    for item in items(row.text(c)) {
        let bad = || {
            row.error(
                c,
                format!("`{item}`: write a window as `mon 09:00-12:00` (local time)"),
            )
        };
        let mut parts = item.split_whitespace();
        let day = parts.next().and_then(Weekday::parse).ok_or_else(bad)?;
        let range = parts.next().ok_or_else(bad)?;
        if parts.next().is_some() {
            return Err(bad());
        }
        let (a, b) = range.split_once('-').ok_or_else(bad)?;
        let (start, end) = (
            parse_clock(a).ok_or_else(bad)?,
            parse_clock(b).ok_or_else(bad)?,
        );
        if start >= end || start >= 1440 {
            return Err(row.error(c, format!("`{item}`: the window must end after it starts")));
        }
        out.push(Window {
            day,
            start_minute: start,
            end_minute: end,
        });
    }
    Ok(out)
}

fn strength(value: &str) -> (&str, Strength) {
    match value.trim().strip_suffix('!') {
        Some(v) => (v.trim(), Strength::Hard),
        None => (value.trim(), Strength::Soft),
    }
}

fn parse_preferences(
    row: &Row<'_>,
    c: usize,
) -> Result<rapport_matching::profile::Preferences, TableError> {
    let mut p = rapport_matching::profile::Preferences::default();
    for item in items(row.text(c)) {
        let Some((key, value)) = item.split_once('=') else {
            return Err(row.error(
                c,
                format!("`{item}`: write `gender=VALUE`, `department=same|different` or `avoid=ID`, with `!` at the end to make it hard"),
            ));
        };
        let (value, s) = strength(value);
        match key.trim().to_ascii_lowercase().as_str() {
            "gender" => {
                p.gender = Some(Preference {
                    value: value.to_string(),
                    strength: s,
                })
            }
            "department" => {
                let v = match value.to_ascii_lowercase().as_str() {
                    "same" => DepartmentChoice::Same,
                    "different" => DepartmentChoice::Different,
                    _ => {
                        return Err(row.error(
                            c,
                            format!("`{item}`: department must be `same` or `different`"),
                        ))
                    }
                };
                p.department = Some(Preference {
                    value: v,
                    strength: s,
                });
            }
            "avoid" => p.avoid.push(Preference {
                value: value.to_string(),
                strength: s,
            }),
            other => {
                return Err(row.error(
                    c,
                    format!("`{other}` is not a preference; use gender, department or avoid"),
                ))
            }
        }
    }
    Ok(p)
}

fn parse_answers(
    row: &Row<'_>,
    c: usize,
) -> Result<std::collections::BTreeMap<String, Answer>, TableError> {
    let mut out = std::collections::BTreeMap::new();
    for item in items(row.text(c)) {
        let eq = item.find('=');
        let tilde = item.find('~');
        let (q, answer) = match (eq, tilde) {
            (Some(e), t) if t.is_none_or(|t| e < t) => (
                &item[..e],
                Answer::Choices(
                    item[e + 1..]
                        .split('|')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                ),
            ),
            (_, Some(t)) => (&item[..t], Answer::Text(item[t + 1..].trim().to_string())),
            _ => {
                return Err(row.error(
                    c,
                    format!("`{item}`: write `question=option|option` or `question~free text`"),
                ))
            }
        };
        let q = q.trim();
        if q.is_empty() {
            return Err(row.error(c, format!("`{item}`: the question id is empty")));
        }
        out.insert(q.to_string(), answer);
    }
    Ok(out)
}

fn parse_private(row: &Row<'_>, c: usize) -> Result<Vec<Attribute>, TableError> {
    items(row.text(c))
        .map(|item| {
            Ok(match item.to_ascii_lowercase().as_str() {
                "gender" => Attribute::Gender,
                "department" => Attribute::Department,
                "reporting_line" | "manager" => Attribute::ReportingLine,
                "level" => Attribute::Level,
                "years" => Attribute::Years,
                "languages" => Attribute::Languages,
                "time_zone" | "availability" => Attribute::TimeZone,
                "interests" => Attribute::Interests,
                "answers" => Attribute::Answers,
                _ => {
                    return Err(row.error(
                        c,
                        format!("`{item}` is not an attribute; use gender, department, reporting_line, level, years, languages, time_zone, interests or answers"),
                    ))
                }
            })
        })
        .collect()
}

fn parse_row(row: &Row<'_>) -> Result<Profile, TableError> {
    let id = row.id(col("id"))?.to_string();
    let lc = col("level");
    let level = Level::parse(row.text(lc)).ok_or_else(|| {
        row.error(
            lc,
            format!(
                "`{}` is not a level; use professional_contributor, team_leader or leader_of_leaders",
                row.text(lc)
            ),
        )
    })?;
    let mut p = Profile::new(id, level);
    let yc = col("years");
    let years = row.text(yc).trim();
    if !years.is_empty() {
        p.years = years
            .parse()
            .map_err(|_| row.error(yc, format!("`{years}` is not a whole number of years")))?;
    }
    p.skills_offered = parse_skills(row, col("skills_offered"))?;
    p.skills_wanted = parse_skills(row, col("skills_wanted"))?;
    p.goals = items(row.text(col("goals"))).map(str::to_string).collect();
    p.goals_text = row.text(col("goals_text")).trim().to_string();
    p.interests = items(row.text(col("interests")))
        .map(str::to_string)
        .collect();
    p.languages = items(row.text(col("languages")))
        .map(str::to_string)
        .collect();
    let zc = col("time_zone");
    let zone = row.text(zc).trim();
    if !zone.is_empty() {
        if parse_zone(zone).is_none() {
            return Err(row.error(
                zc,
                format!("`{zone}` is not an IANA time zone (for example Europe/Lisbon)"),
            ));
        }
        p.time_zone = zone.to_string();
    }
    p.availability = parse_availability(row, col("availability"))?;
    p.department = optional(row.text(col("department")));
    p.manager = optional(row.text(col("manager")));
    p.gender = optional(row.text(col("gender")));
    p.preferences = parse_preferences(row, col("preferences"))?;
    let cc = col("capacity");
    if !row.text(cc).trim().is_empty() {
        p.capacity = parse_capacity(row.text(cc)).map_err(|m| row.error(cc, m))?;
    }
    p.answers = parse_answers(row, col("answers"))?;
    p.private = parse_private(row, col("private"))?;
    Ok(p)
}

/// Reads a profile file (header [`COLUMNS`]); errors name the file, line and field.
pub fn read_profiles(path: &Path) -> anyhow::Result<Vec<Profile>> {
    let name = path.display().to_string();
    let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
    let mut reader = TableReader::new(&name, BufReader::new(file), &COLUMNS)?;
    let mut out = Vec::new();
    let mut seen = std::collections::HashMap::new();
    while let Some(row) = reader.next_row()? {
        let p = parse_row(&row)?;
        if let Some(first) = seen.insert(p.id.clone(), row.line()) {
            return Err(row
                .error(
                    col("id"),
                    format!("`{}` already appears on line {first}", p.id),
                )
                .into());
        }
        out.push(p);
    }
    Ok(out)
}

/// Reads and validates a settings TOML file.
pub fn read_settings(path: &Path) -> anyhow::Result<Settings> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let settings: Settings = toml::from_str(text).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    settings
        .validate()
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    Ok(settings)
}

/// Writes `bytes` to `target` via a temporary file in the same folder.
fn stage(
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<PathBuf> {
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let f = File::create(&tmp)?;
        let mut w = BufWriter::new(f);
        write(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(anyhow::anyhow!("cannot write {}: {e}", target.display()));
    }
    Ok(tmp)
}

fn peak_memory_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = s
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Runs profile mode.
pub fn run_profiles(args: &super::assign::AssignArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    let (Some(mentees_path), Some(mentors_path)) = (&args.mentees, &args.mentors) else {
        bail!("profile mode needs both --mentees FILE and --mentors FILE");
    };
    if args.capacities.is_some() || args.mentee_capacities.is_some() {
        bail!("--capacities and --mentee-capacities belong to --edges mode; in profile mode capacity is a column of the profile files");
    }
    let settings = match &args.settings {
        Some(p) => read_settings(p)?,
        None => Settings::default(),
    };
    let mentees = read_profiles(mentees_path)?;
    let mentors = read_profiles(mentors_path)?;
    let read_time = start.elapsed();

    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(format!(
        "matching {} mentees with {} mentors",
        mentees.len(),
        mentors.len()
    ));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let outcome = pipeline::run(
        &mentees,
        &mentors,
        &settings,
        &Options {
            explain: args.explain.then_some(Audience::Manager),
        },
    );
    bar.finish_and_clear();
    let outcome = outcome.map_err(|e| {
        anyhow::anyhow!(
            "{} / {}: {e}",
            mentees_path.display(),
            mentors_path.display()
        )
    })?;

    let t = Instant::now();
    let matches_tmp = stage(&args.out, |w| {
        outcome.write_matches(w, args.explain).map(|_| ())
    })?;
    let unmatched_tmp = match &args.unmatched {
        Some(path) => match stage(path, |w| outcome.write_unmatched(w).map(|_| ())) {
            Ok(tmp) => Some((tmp, path)),
            Err(e) => {
                let _ = std::fs::remove_file(&matches_tmp);
                return Err(e);
            }
        },
        None => None,
    };
    std::fs::rename(&matches_tmp, &args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    if let Some((tmp, path)) = unmatched_tmp {
        std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let write_time = t.elapsed();

    let o = &outcome;
    let n = o.model.n_mentees();
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "matched {} of {} mentees ({} pairs), unmatched {}, total score {}",
        o.objective.covered,
        n,
        o.objective.pairs,
        o.unmatched.len(),
        format_micros(o.objective.total_score)
    );
    let tm = o.timings;
    let _ = writeln!(
        err,
        "time: read {:.2?}, features {:.2?}, candidates {:.2?}, solve {:.2?} ({} solves, {} pairs re-added, {}), re-check {:.2?}, report {:.2?}, write {:.2?}, total {:.2?}",
        read_time,
        tm.features,
        tm.candidates,
        tm.solve,
        o.solves,
        o.readded,
        if o.certified { "optimal over all eligible pairs" } else { "re-check rounds ran out" },
        tm.recheck,
        tm.report,
        write_time,
        start.elapsed()
    );
    if let Some(mib) = peak_memory_mib() {
        let _ = writeln!(err, "peak memory: {mib:.0} MiB");
    }
    for g in &o.groups {
        let _ = writeln!(
            err,
            "blocked: {} ({} uncovered)",
            g.description, g.uncovered
        );
    }
    for f in &o.fixes {
        let _ = writeln!(err, "fix: {}", f.sentence);
    }
    if args.unmatched.is_none() {
        for u in o.unmatched.iter().take(20) {
            let _ = writeln!(
                err,
                "unmatched {}: {}",
                o.model.mentee_ids[u.mentee as usize], u.reason
            );
        }
        if o.unmatched.len() > 20 {
            let _ = writeln!(
                err,
                "... and {} more (use --unmatched FILE for the full list)",
                o.unmatched.len() - 20
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::match_cmd::assign::AssignArgs;

    fn example(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(name)
    }

    fn args(out: PathBuf) -> AssignArgs {
        AssignArgs {
            edges: None,
            capacities: None,
            mentee_capacities: None,
            mentees: Some(example("mentees.csv")),
            mentors: Some(example("mentors.csv")),
            settings: Some(example("matching.toml")),
            explain: true,
            out,
            unmatched: None,
        }
    }

    #[test]
    fn example_files_run_end_to_end() {
        let dir = std::env::temp_dir().join(format!("rapport-profiles-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("matches.csv");
        let mut a = args(out.clone());
        a.unmatched = Some(dir.join("unmatched.csv"));
        run_profiles(&a).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(
            text.starts_with("mentee,mentor,score,explanation"),
            "{text}"
        );
        assert!(text.contains("dev.patel@example.org,emma.clarke@example.org,"));
        let un = std::fs::read_to_string(dir.join("unmatched.csv")).unwrap();
        assert!(un.contains("No mentor speaks Japanese"), "{un}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn profile_columns_parse() {
        let text = format!(
            "{}\nx,TL,7,sql:5;public speaking,negotiation:2,promotion,free text; with semicolon,chess,English;Portuguese,Europe/Lisbon,mon 09:00-10:30;fri 16:00-24:00,Sales,boss,woman,gender=woman!;department=different;avoid=y!,3,format=video|chat;why~to grow,interests;years\n",
            COLUMNS.join(",")
        );
        let mut r = TableReader::new("t.csv", text.as_bytes(), &COLUMNS).unwrap();
        let row = r.next_row().unwrap().unwrap();
        let p = parse_row(&row).unwrap();
        assert_eq!(p.level, Level::TeamLeader);
        assert_eq!(p.skills_offered[0].priority, 5);
        assert_eq!(p.skills_offered[1].priority, 1);
        assert_eq!(p.availability[1].end_minute, 1440);
        assert_eq!(
            p.preferences.gender.as_ref().unwrap().strength,
            Strength::Hard
        );
        assert_eq!(p.preferences.avoid[0].strength, Strength::Hard);
        assert_eq!(p.capacity, 3);
        assert_eq!(p.answers.get("why"), Some(&Answer::Text("to grow".into())));
        assert_eq!(p.private, vec![Attribute::Interests, Attribute::Years]);
        for (bad, field) in [
            ("mon 9-10", "availability"),
            ("mon 10:00-09:00", "availability"),
        ] {
            let t = text.replace("mon 09:00-10:30;fri 16:00-24:00", bad);
            let mut r = TableReader::new("t.csv", t.as_bytes(), &COLUMNS).unwrap();
            let row = r.next_row().unwrap().unwrap();
            let e = parse_row(&row).unwrap_err().to_string();
            assert!(e.contains("line 2") && e.contains(field), "{e}");
        }
    }
}
