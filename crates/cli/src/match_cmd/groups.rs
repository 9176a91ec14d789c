//! `rapport match groups`: groups and circles of a size range, optionally with
//! leaders, maximising the mean over groups of the mean pairwise score.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use anyhow::Context;
use rapport_matching::fixed::format_micros;
use rapport_matching::groups::{form_groups, GroupsProblem, MissingPairs};
use rapport_matching::table::{TableReader, TableWriter};

use super::peers::{read_edges, write_atomic, Phases};

/// Arguments of `rapport match groups`.
#[derive(clap::Args)]
pub struct GroupsArgs {
    /// Pairwise scores, header `a,b,score` (undirected; one line per pair).
    #[arg(long)]
    pub edges: PathBuf,
    /// Smallest group size, leaders included (at least 2).
    #[arg(long)]
    pub min: usize,
    /// Largest group size, leaders included.
    #[arg(long)]
    pub max: usize,
    /// People who may lead a group, header `leader`; every group then gets leaders.
    #[arg(long)]
    pub leaders: Option<PathBuf>,
    /// Leaders each group needs when --leaders is given.
    #[arg(long, default_value_t = 1)]
    pub leaders_per_group: usize,
    /// Let people with no listed score share a group (their pair scores 0). By
    /// default a pair that is not listed may not share a group.
    #[arg(long)]
    pub unlisted_as_zero: bool,
    /// Seed for the local search.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Where to write the groups, header `group,member,role`.
    #[arg(long)]
    pub out: PathBuf,
}

/// Solves the groups mode and prints a summary.
pub fn run(args: GroupsArgs) -> anyhow::Result<()> {
    let mut phases = Phases::new();
    let mut graph = read_edges(&args.edges)?;
    let mut leaders = Vec::new();
    if let Some(path) = &args.leaders {
        let name = path.display().to_string();
        let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
        let mut reader = TableReader::new(&name, BufReader::new(file), &["leader"])?;
        let mut seen = std::collections::HashMap::new();
        while let Some(row) = reader.next_row()? {
            let id = row.id(0)?;
            // A leader with no scores is still a person (they may lead with score 0).
            let i = graph.ids.intern(id);
            if let Some(first) = seen.insert(i, row.line()) {
                return Err(row
                    .error(
                        0,
                        format!("leader `{id}` is already listed on line {first}"),
                    )
                    .into());
            }
            leaders.push(i);
        }
    }
    phases.done("read");
    let missing = if args.unlisted_as_zero {
        MissingPairs::Zero
    } else {
        MissingPairs::Forbidden
    };
    let mut problem =
        GroupsProblem::new(graph.ids.len(), &graph.edges, missing, args.min, args.max);
    problem.leaders = &leaders;
    problem.leaders_per_group = if args.leaders.is_some() {
        args.leaders_per_group
    } else {
        0
    };
    problem.seed = args.seed;
    let result = form_groups(&problem).context("forming groups")?;
    phases.done("solve");
    let ids = &graph.ids;
    write_atomic(&args.out, |w| {
        let mut table = TableWriter::new(w, &["group", "member", "role"])?;
        for (g, group) in result.groups.iter().enumerate() {
            let label = (g + 1).to_string();
            for (i, &m) in group.members.iter().enumerate() {
                let role = if i < group.leaders {
                    "leader"
                } else {
                    "member"
                };
                table.row([label.as_str(), ids.name(m), role])?;
            }
        }
        table.finish()?;
        Ok(())
    })?;
    phases.done("write");
    let placed: usize = result.groups.iter().map(|g| g.members.len()).sum();
    let ratio = if result.upper_bound > 0.0 {
        format!(
            " ({:.1}% of the bound)",
            100.0 * result.objective / result.upper_bound
        )
    } else {
        String::new()
    };
    println!("people:      {}", ids.len());
    println!("groups:      {}", result.groups.len());
    println!("placed:      {placed}");
    println!("unplaced:    {}", result.unplaced.len());
    for u in result.unplaced.iter().take(20) {
        println!("  {}: {}", ids.name(u.person), u.reason);
    }
    if result.unplaced.len() > 20 {
        println!("  ... and {} more", result.unplaced.len() - 20);
    }
    println!(
        "objective:   {}{ratio}",
        format_micros(result.objective.round() as i128)
    );
    println!(
        "upper bound: {}",
        format_micros(result.upper_bound.round() as i128)
    );
    if result.per_person_bound > result.upper_bound {
        println!(
            "per-person bound: {} ({:.1}% of it; each person's best size - 1 scores)",
            format_micros(result.per_person_bound.round() as i128),
            100.0 * result.objective / result.per_person_bound
        );
    }
    phases.print();
    Ok(())
}
