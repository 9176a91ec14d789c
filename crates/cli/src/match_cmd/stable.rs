//! `rapport match stable`: mentee-optimal stable matching with mentor capacities.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rapport_matching::stable::{is_stable, stable_match, StableInstance};
use rapport_matching::table::{TableError, TableReader, TableWriter};

use super::peers::{write_atomic, Ids, Phases};

/// Arguments of `rapport match stable`.
#[derive(clap::Args)]
pub struct StableArgs {
    /// Mentees' rankings of mentors, header `who,ranked,rank` (1 is best).
    #[arg(long)]
    pub mentee_ranks: PathBuf,
    /// Mentors' rankings of mentees, header `who,ranked,rank` (1 is best).
    #[arg(long)]
    pub mentor_ranks: PathBuf,
    /// Mentor capacities, header `mentor,capacity`.
    #[arg(long)]
    pub capacities: PathBuf,
    /// Where to write the matches, header `mentee,mentor`.
    #[arg(long)]
    pub out: PathBuf,
}

/// Solves the stable mode and prints a summary.
pub fn run(args: StableArgs) -> anyhow::Result<()> {
    let mut phases = Phases::new();
    let mut mentors = Ids::default();
    let mut capacities = Vec::new();
    read_capacities(&args.capacities, &mut mentors, &mut capacities)?;
    let mut mentees = Ids::default();
    let mentee_lists = read_ranks(&args.mentee_ranks, Side::Mentee, &mut mentees, &mentors)?;
    let mentor_lists = read_ranks(&args.mentor_ranks, Side::Mentor, &mut mentees, &mentors)?;
    let mut inst = StableInstance {
        mentee_prefs: vec![Vec::new(); mentees.len()],
        mentor_prefs: vec![Vec::new(); mentors.len()],
        capacities,
    };
    for (who, list) in mentee_lists {
        inst.mentee_prefs[who as usize] = list;
    }
    for (who, list) in mentor_lists {
        inst.mentor_prefs[who as usize] = list;
    }
    phases.done("read");
    let matching = stable_match(&inst).context("solving the stable matching")?;
    phases.done("solve");
    let stable = is_stable(&inst, &matching).is_ok();
    phases.done("check");
    write_atomic(&args.out, |w| {
        let mut table = TableWriter::new(w, &["mentee", "mentor"])?;
        for (mentee, m) in matching.mentor_of.iter().enumerate() {
            if let Some(mentor) = m {
                table.row([mentees.name(mentee as u32), mentors.name(*mentor)])?;
            }
        }
        table.finish()?;
        Ok(())
    })?;
    phases.done("write");
    let matched = matching.matched();
    println!("mentees:     {}", mentees.len());
    println!("matched:     {matched}");
    println!("unmatched:   {}", mentees.len() - matched);
    println!("stable:      {}", if stable { "yes" } else { "NO (bug)" });
    phases.print();
    anyhow::ensure!(stable, "internal error: the result is not stable");
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Mentee,
    Mentor,
}

fn open(path: &Path, columns: &[&str]) -> anyhow::Result<TableReader<BufReader<File>>> {
    let name = path.display().to_string();
    let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
    Ok(TableReader::new(&name, BufReader::new(file), columns)?)
}

fn read_capacities(path: &Path, mentors: &mut Ids, caps: &mut Vec<u32>) -> anyhow::Result<()> {
    let mut reader = open(path, &["mentor", "capacity"])?;
    let mut line_of: HashMap<u32, u64> = HashMap::new();
    while let Some(row) = reader.next_row()? {
        let mentor = row.id(0)?;
        let cap = row.capacity(1)?;
        let i = mentors.intern(mentor);
        if let Some(first) = line_of.insert(i, row.line()) {
            return Err(row
                .error(
                    0,
                    format!("mentor `{mentor}` is already listed on line {first}"),
                )
                .into());
        }
        caps.push(cap);
    }
    Ok(())
}

/// Reads one rank file into per-`who` lists sorted best first.
fn read_ranks(
    path: &Path,
    side: Side,
    mentees: &mut Ids,
    mentors: &Ids,
) -> anyhow::Result<Vec<(u32, Vec<u32>)>> {
    let mut reader = open(path, &["who", "ranked", "rank"])?;
    let name = path.display().to_string();
    // who -> (rank, ranked, line)
    let mut lists: HashMap<u32, Vec<(u32, u32, u64)>> = HashMap::new();
    let mut order = Vec::new();
    let mut pair_line: HashMap<(u32, u32), u64> = HashMap::new();
    while let Some(row) = reader.next_row()? {
        let who = row.id(0)?;
        let ranked = row.id(1)?;
        let rank_text = row.text(2).trim();
        let rank: u32 = match rank_text.parse() {
            Ok(r) if r >= 1 => r,
            _ => {
                return Err(row
                    .error(
                        2,
                        format!(
                            "rank must be a whole number, 1 (best) or more, found `{rank_text}`"
                        ),
                    )
                    .into())
            }
        };
        let mentor_id = if side == Side::Mentee { ranked } else { who };
        let Some(mentor) = mentors.get(mentor_id) else {
            let col = if side == Side::Mentee { 1 } else { 0 };
            return Err(row
                .error(
                    col,
                    format!("mentor `{mentor_id}` has no capacity; add it to the capacities file"),
                )
                .into());
        };
        let mentee = mentees.intern(if side == Side::Mentee { who } else { ranked });
        let (w, r) = if side == Side::Mentee {
            (mentee, mentor)
        } else {
            (mentor, mentee)
        };
        if let Some(first) = pair_line.insert((w, r), row.line()) {
            return Err(row
                .error(
                    1,
                    format!("`{who}` already ranks `{ranked}` on line {first}"),
                )
                .into());
        }
        let list = lists.entry(w).or_insert_with(|| {
            order.push(w);
            Vec::new()
        });
        list.push((rank, r, row.line()));
    }
    let mut out = Vec::with_capacity(order.len());
    for w in order {
        let mut list = lists.remove(&w).unwrap_or_default();
        list.sort_unstable();
        for pair in list.windows(2) {
            if pair[0].0 == pair[1].0 {
                return Err(TableError::field(
                    &name,
                    pair[1].2.max(pair[0].2),
                    "rank",
                    format!(
                        "rank {} is used twice by the same person (also on line {}); \
                         ranks must be distinct",
                        pair[0].0,
                        pair[1].2.min(pair[0].2)
                    ),
                )
                .into());
            }
        }
        out.push((w, list.into_iter().map(|(_, r, _)| r).collect()));
    }
    Ok(out)
}
