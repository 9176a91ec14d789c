//! `rapport match assign`: many-to-one assignment from CSV files.
//!
//! Two modes, exactly one of which must be chosen:
//! - edges mode (`--edges edges.csv --capacities capacities.csv`): bring your own scores;
//! - profile mode (`--mentees mentees.csv --mentors mentors.csv`): scored by the engine
//!   (implemented in [`super::profiles`]).
//!
//! Input files are validated completely before anything is written; outputs are written
//! to a temporary file next to the target and renamed into place, so a failed run leaves
//! no partial file behind.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use rapport_matching::assign::{self, AssignError, Constraints, Edge, Problem};
use rapport_matching::fixed::{format_micros, Score};
use rapport_matching::table::{TableError, TableReader, TableWriter};
use rapport_matching::unmatched;

/// Arguments of `rapport match assign`.
#[derive(clap::Args, Debug, Clone)]
pub struct AssignArgs {
    /// Edges mode: candidate pairs, header `mentee,mentor,score`. A pair not listed is not allowed.
    #[arg(long, value_name = "FILE", requires = "capacities")]
    pub edges: Option<PathBuf>,
    /// Edges mode: mentor capacities, header `mentor,capacity`.
    #[arg(long, value_name = "FILE")]
    pub capacities: Option<PathBuf>,
    /// Edges mode: mentee capacities, header `mentee,capacity` (default 1 per mentee).
    #[arg(long, value_name = "FILE")]
    pub mentee_capacities: Option<PathBuf>,
    /// Profile mode: mentee profiles.
    #[arg(long, value_name = "FILE", requires = "mentors")]
    pub mentees: Option<PathBuf>,
    /// Profile mode: mentor profiles.
    #[arg(long, value_name = "FILE")]
    pub mentors: Option<PathBuf>,
    /// Profile mode: matching settings (the TOML a programme's settings export to).
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,
    /// Profile mode: add an `explanation` column to the output.
    #[arg(long)]
    pub explain: bool,
    /// Where to write the matches: header `mentee,mentor,score`, matched rows only.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Also write unmatched mentees with their reason: header `mentee,reason`.
    #[arg(long, value_name = "FILE")]
    pub unmatched: Option<PathBuf>,
}

/// Runs `rapport match assign`.
pub fn run(args: AssignArgs) -> anyhow::Result<()> {
    match (&args.edges, &args.mentees) {
        (Some(_), Some(_)) => bail!(
            "give either --edges (your own scores) or --mentees/--mentors (profiles), not both"
        ),
        (None, None) => bail!(
            "nothing to match: give --edges FILE --capacities FILE, or --mentees FILE --mentors FILE"
        ),
        (Some(_), None) => run_edges(&args),
        (None, Some(_)) => super::profiles::run_profiles(&args),
    }
}

/// FxHash: ids are short strings and the tables are large, so a fast non-keyed hash
/// matters (inputs are the user's own files, so hash flooding is not a concern).
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type Ids = HashMap<Box<str>, u32, BuildHasherDefault<FxHasher>>;

/// Names interned in order of first appearance.
#[derive(Default)]
struct Names {
    index: Ids,
    names: Vec<Box<str>>,
}

impl Names {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.into());
        self.index.insert(name.into(), i);
        i
    }
}

/// Timing of one phase, for the summary.
struct Phases {
    list: Vec<(&'static str, Duration)>,
    spinner: ProgressBar,
}

impl Phases {
    fn new() -> Phases {
        let spinner = ProgressBar::new_spinner();
        spinner.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        spinner.enable_steady_tick(Duration::from_millis(120));
        Phases {
            list: Vec::new(),
            spinner,
        }
    }

    fn run<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        self.spinner.set_message(name);
        let start = Instant::now();
        let out = f();
        self.list.push((name, start.elapsed()));
        out
    }
}

fn open(path: &Path) -> anyhow::Result<BufReader<File>> {
    let file = File::open(path).with_context(|| format!("could not open {}", path.display()))?;
    Ok(BufReader::with_capacity(1 << 20, file))
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// An instance read from files, with enough bookkeeping to name lines in errors.
struct EdgesInput {
    mentees: Names,
    mentors: Names,
    problem: Problem,
    /// Line of each edge in the edges file.
    lines: Vec<u32>,
}

/// Edges parsed by [`read_edges_fast`]: names, edges and the line of each edge.
type FastEdges = (Names, Names, Vec<Edge>, Vec<u32>);

/// The common case of the edges file, read whole and split by hand: the exact header,
/// LF line ends, no quotes, no blank lines, three fields per line, non-blank ids.
/// Scores go through the same parser as the general reader. Anything else returns
/// `None`, and the general CSV reader reads the file again (so every error message
/// stays the general reader's).
fn read_edges_fast(path: &Path) -> anyhow::Result<Option<FastEdges>> {
    let bytes =
        std::fs::read(path).with_context(|| format!("could not open {}", path.display()))?;
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Ok(None);
    };
    let Some(body) = text.strip_prefix("mentee,mentor,score\n") else {
        return Ok(None);
    };
    if body.bytes().any(|b| b == b'"' || b == b'\r') {
        return Ok(None);
    }
    let mut mentees = Names::default();
    let mut mentors = Names::default();
    let rows = body.bytes().filter(|&b| b == b'\n').count() + 1;
    let mut edges = Vec::with_capacity(rows);
    let mut lines = Vec::with_capacity(rows);
    let mut last: Option<(&str, u32)> = None;
    // The mentor at each position of the previous mentee's rows: dense files list the
    // same mentors in the same order for every mentee.
    let mut by_position: Vec<(&str, u32)> = Vec::new();
    let mut position = 0usize;
    for (k, line) in body.split_terminator('\n').enumerate() {
        let mut fields = line.split(',');
        let (Some(a), Some(b), Some(c), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Ok(None);
        };
        if a.trim().is_empty() || b.trim().is_empty() {
            return Ok(None);
        }
        let Ok(score) = Score::parse(c) else {
            return Ok(None);
        };
        let mentee = match last {
            Some((name, id)) if name == a => {
                position += 1;
                id
            }
            _ => {
                let id = mentees.intern(a);
                last = Some((a, id));
                position = 0;
                id
            }
        };
        let mentor = match by_position.get(position) {
            Some(&(name, id)) if name == b => id,
            _ => {
                let id = mentors.intern(b);
                if position < by_position.len() {
                    by_position[position] = (b, id);
                } else if position == by_position.len() {
                    by_position.push((b, id));
                }
                id
            }
        };
        edges.push(Edge {
            mentee,
            mentor,
            score: score.micros(),
        });
        lines.push(u32::try_from(k + 2).unwrap_or(u32::MAX));
    }
    Ok(Some((mentees, mentors, edges, lines)))
}

fn read_edges(args: &AssignArgs, edges_path: &Path) -> anyhow::Result<EdgesInput> {
    let edges_name = display_name(edges_path);
    let (mentees, mentors, edges, lines) = match read_edges_fast(edges_path)? {
        Some(parsed) => parsed,
        None => read_edges_general(&edges_name, edges_path)?,
    };
    finish_input(args, edges_name, mentees, mentors, edges, lines)
}

/// The edges file through the general CSV reader (quotes, CRLF, blank lines, errors).
fn read_edges_general(edges_name: &str, edges_path: &Path) -> anyhow::Result<FastEdges> {
    let mut mentees = Names::default();
    let mut mentors = Names::default();
    let mut edges = Vec::new();
    let mut lines = Vec::new();
    let mut table = TableReader::new(
        edges_name,
        open(edges_path)?,
        &["mentee", "mentor", "score"],
    )?;
    let mut last: Option<(Box<str>, u32)> = None;
    while let Some(row) = table.next_row()? {
        let mentee_name = row.id(0)?;
        let mentor = mentors.intern(row.id(1)?);
        let score = row.score(2)?;
        // Edge files are usually grouped by mentee: skip the lookup on repeats.
        let mentee = match &last {
            Some((name, id)) if **name == *mentee_name => *id,
            _ => {
                let id = mentees.intern(mentee_name);
                last = Some((mentee_name.into(), id));
                id
            }
        };
        edges.push(Edge {
            mentee,
            mentor,
            score: score.micros(),
        });
        lines.push(u32::try_from(row.line()).unwrap_or(u32::MAX));
    }
    Ok((mentees, mentors, edges, lines))
}

fn finish_input(
    args: &AssignArgs,
    edges_name: String,
    mentees: Names,
    mut mentors: Names,
    edges: Vec<Edge>,
    lines: Vec<u32>,
) -> anyhow::Result<EdgesInput> {
    // Mentor capacities: every mentor in the edges needs one; extra mentors are fine.
    let cap_path = args
        .capacities
        .as_deref()
        .context("--edges needs --capacities FILE (header mentor,capacity)")?;
    let cap_name = display_name(cap_path);
    let mut mentor_capacity: Vec<Option<u32>> = vec![None; mentors.names.len()];
    let mut table = TableReader::new(&cap_name, open(cap_path)?, &["mentor", "capacity"])?;
    let mut cap_lines: HashMap<u32, u64> = HashMap::new();
    while let Some(row) = table.next_row()? {
        let name = row.id(0)?;
        let capacity = row.capacity(1)?;
        let j = mentors.intern(name) as usize;
        if j >= mentor_capacity.len() {
            mentor_capacity.resize(j + 1, None);
        }
        if let Some(first) = cap_lines.get(&(j as u32)) {
            return Err(row
                .error(
                    0,
                    format!("mentor \"{name}\" is listed twice (first on line {first})"),
                )
                .into());
        }
        cap_lines.insert(j as u32, row.line());
        mentor_capacity[j] = Some(capacity);
    }
    let mut missing_first: Option<(u32, usize)> = None;
    for (idx, e) in edges.iter().enumerate() {
        if mentor_capacity[e.mentor as usize].is_none() {
            missing_first = Some((lines[idx], e.mentor as usize));
            break;
        }
    }
    if let Some((line, j)) = missing_first {
        return Err(TableError::field(
            &edges_name,
            u64::from(line),
            "mentor",
            format!(
                "mentor \"{}\" has no capacity in {cap_name}; add a line \"{},<capacity>\"",
                mentors.names[j], mentors.names[j]
            ),
        )
        .into());
    }
    let mentor_capacity: Vec<u32> = mentor_capacity
        .into_iter()
        .map(|c| c.unwrap_or(0))
        .collect();

    // Mentee capacities: optional, default 1; mentees not in the edges are ignored.
    let mut mentee_capacity = vec![1u32; mentees.names.len()];
    if let Some(path) = args.mentee_capacities.as_deref() {
        let name = display_name(path);
        let mut table = TableReader::new(&name, open(path)?, &["mentee", "capacity"])?;
        let mut seen: HashMap<u32, u64> = HashMap::new();
        while let Some(row) = table.next_row()? {
            let who = row.id(0)?;
            let capacity = row.capacity(1)?;
            if let Some(&i) = mentees.index.get(who) {
                if let Some(first) = seen.insert(i, row.line()) {
                    return Err(row
                        .error(
                            0,
                            format!("mentee \"{who}\" is listed twice (first on line {first})"),
                        )
                        .into());
                }
                mentee_capacity[i as usize] = capacity;
            }
        }
    }
    Ok(EdgesInput {
        mentees,
        mentors,
        problem: Problem {
            mentee_capacity,
            mentor_capacity,
            edges,
        },
        lines,
    })
}

/// Writes `contents` through a temporary file in the target's directory.
struct Staged {
    tmp: PathBuf,
    target: PathBuf,
}

fn stage(
    target: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> anyhow::Result<Staged> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .with_context(|| format!("{} is not a file path", target.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let file = File::create(&tmp).with_context(|| format!("could not create {}", tmp.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let result = write(&mut w).and_then(|_| w.flush());
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("could not write {}", target.display()));
    }
    Ok(Staged {
        tmp,
        target: target.to_path_buf(),
    })
}

fn commit(staged: Vec<Staged>) -> anyhow::Result<()> {
    for s in &staged {
        std::fs::rename(&s.tmp, &s.target)
            .with_context(|| format!("could not move the result into {}", s.target.display()))?;
    }
    Ok(())
}

fn discard(staged: Vec<Staged>) {
    for s in staged {
        let _ = std::fs::remove_file(s.tmp);
    }
}

/// Peak resident memory of this process (VmHWM), when the platform reports it.
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{:.1} MiB", kib as f64 / 1024.0))
}

fn run_edges(args: &AssignArgs) -> anyhow::Result<()> {
    let edges_path = args.edges.as_deref().context("--edges FILE is required")?;
    let started = Instant::now();
    let mut phases = Phases::new();
    let input = phases.run("reading input", || read_edges(args, edges_path));
    let input = match input {
        Ok(i) => i,
        Err(e) => {
            phases.spinner.finish_and_clear();
            return Err(e);
        }
    };
    let solved = phases.run("solving", || {
        assign::solve(&input.problem, &Constraints::default())
    });
    let solution = match solved {
        Ok(s) => s,
        Err(AssignError::DuplicatePair {
            first,
            second,
            mentee,
            mentor,
        }) => {
            phases.spinner.finish_and_clear();
            return Err(TableError::line(
                &display_name(edges_path),
                u64::from(input.lines[second]),
                format!(
                    "duplicate pair (\"{}\", \"{}\"); it is first listed on line {}. List each pair once",
                    input.mentees.names[mentee as usize],
                    input.mentors.names[mentor as usize],
                    input.lines[first]
                ),
            )
            .into());
        }
        Err(e) => {
            phases.spinner.finish_and_clear();
            return Err(e).context("could not solve");
        }
    };
    let n = input.problem.mentee_capacity.len();
    let report = phases.run("explaining unmatched", || {
        unmatched::analyse(&input.problem, &solution)
    });
    let staged = phases.run("writing output", || -> anyhow::Result<Vec<Staged>> {
        let mut staged = Vec::new();
        let out = stage(&args.out, |w| {
            let mut t = TableWriter::new(w, &["mentee", "mentor", "score"])?;
            let mut chosen = solution.chosen.clone();
            chosen.sort_by_key(|&c| (input.problem.edges[c].mentee, c));
            for c in chosen {
                let e = input.problem.edges[c];
                t.row([
                    &*input.mentees.names[e.mentee as usize],
                    &*input.mentors.names[e.mentor as usize],
                    &Score::from_micros(e.score).to_string(),
                ])?;
            }
            t.finish().map(|_| ())
        });
        staged.push(match out {
            Ok(s) => s,
            Err(e) => {
                discard(staged);
                return Err(e);
            }
        });
        if let Some(path) = args.unmatched.as_deref() {
            let un = stage(path, |w| {
                let mut t = TableWriter::new(w, &["mentee", "reason"])?;
                for item in &report.mentees {
                    t.row([
                        &*input.mentees.names[item.mentee as usize],
                        item.reason.describe(),
                    ])?;
                }
                t.finish().map(|_| ())
            });
            match un {
                Ok(s) => staged.push(s),
                Err(e) => {
                    discard(staged);
                    return Err(e);
                }
            }
        }
        Ok(staged)
    })?;
    commit(staged)?;
    phases.spinner.finish_and_clear();

    let obj = solution.objective;
    let unmatched_count = n as u64 - obj.covered;
    println!(
        "matched:     {} of {} mentees ({} pairs)",
        obj.covered, n, obj.pairs
    );
    println!(
        "unmatched:   {} ({} with no eligible mentor, {} whose eligible mentors are all full)",
        unmatched_count, report.no_edges, report.all_full
    );
    for g in report.groups.iter().take(5) {
        println!(
            "  blocking group: {} mentees share {} mentors with {} slots; {} more slot(s) needed",
            g.mentees.len(),
            g.mentors.len(),
            g.capacity,
            g.deficiency
        );
    }
    println!("total score: {}", format_micros(obj.total_score));
    let times: Vec<String> = phases
        .list
        .iter()
        .map(|(name, d)| format!("{name} {:.3}s", d.as_secs_f64()))
        .collect();
    println!(
        "time:        {} (total {:.3}s)",
        times.join(", "),
        started.elapsed().as_secs_f64()
    );
    if let Some(mem) = peak_memory() {
        println!("peak memory: {mem}");
    }
    Ok(())
}
