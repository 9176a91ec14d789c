//! `rapport match peers`: pairs on a general graph, most pairs first, then the highest
//! total score.
//!
//! Also holds the small pieces shared by the `peers`, `stable` and `groups` modes:
//! id interning, atomic output, phase timing and the peak-memory reading.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use rapport_matching::fixed::format_micros;
use rapport_matching::peers::{max_weight_matching, Objective, PeerEdge};
use rapport_matching::table::{TableReader, TableWriter};

/// Arguments of `rapport match peers`.
#[derive(clap::Args)]
pub struct PeersArgs {
    /// Undirected edges, header `a,b,score`. A pair that is not listed is not allowed.
    #[arg(long)]
    pub edges: PathBuf,
    /// Where to write the pairs, header `a,b,score`.
    #[arg(long)]
    pub out: PathBuf,
}

/// Solves the peers mode and prints a summary.
pub fn run(args: PeersArgs) -> anyhow::Result<()> {
    let mut phases = Phases::new();
    let graph = read_edges(&args.edges)?;
    phases.done("read");
    let matching = max_weight_matching(graph.ids.len(), &graph.edges, Objective::MaxCardinality)
        .context("solving the peer matching")?;
    phases.done("solve");
    write_atomic(&args.out, |w| {
        let mut table = TableWriter::new(w, &["a", "b", "score"])?;
        for (a, b, k) in matching.pair_list() {
            let score = graph.edges[k as usize].weight;
            table.row([
                graph.ids.name(a),
                graph.ids.name(b),
                &format_micros(i128::from(score)),
            ])?;
        }
        table.finish()?;
        Ok(())
    })?;
    phases.done("write");
    let people = graph.ids.len();
    println!("people:      {people}");
    println!("pairs:       {}", matching.pairs);
    println!("unmatched:   {}", people - 2 * matching.pairs);
    println!("total score: {}", format_micros(matching.total));
    phases.print();
    Ok(())
}

/// An undirected edge list read from `a,b,score`, with ids interned.
pub(crate) struct EdgeFile {
    pub ids: Ids,
    pub edges: Vec<PeerEdge>,
}

/// Reads an undirected `a,b,score` file: refuses self-loops and duplicate pairs
/// (`b,a` after `a,b` included), naming the file, line and field.
pub(crate) fn read_edges(path: &Path) -> anyhow::Result<EdgeFile> {
    let name = path.display().to_string();
    let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
    let mut reader = TableReader::new(&name, BufReader::new(file), &["a", "b", "score"])?;
    let mut ids = Ids::default();
    let mut edges = Vec::new();
    let mut seen: HashMap<(u32, u32), u64> = HashMap::new();
    while let Some(row) = reader.next_row()? {
        let a = row.id(0)?;
        let b = row.id(1)?;
        let score = row.score(2)?;
        if a == b {
            return Err(row
                .error(
                    1,
                    format!("`{a}` is paired with themself; remove this line"),
                )
                .into());
        }
        let (ia, ib) = (ids.intern(a), ids.intern(b));
        let key = (ia.min(ib), ia.max(ib));
        if let Some(first) = seen.insert(key, row.line()) {
            return Err(row
                .line_error(format!(
                    "the pair `{a}`,`{b}` is already listed on line {first} \
                     (the graph is undirected); keep one line per pair"
                ))
                .into());
        }
        edges.push(PeerEdge {
            a: ia,
            b: ib,
            weight: score.micros(),
        });
    }
    Ok(EdgeFile { ids, edges })
}

/// Interns exact, case-sensitive ids as dense indices, in first-seen order.
#[derive(Default)]
pub(crate) struct Ids {
    index: HashMap<String, u32>,
    names: Vec<String>,
}

impl Ids {
    /// The index of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.index.insert(name.to_string(), i);
        self.names.push(name.to_string());
        i
    }

    /// The index of `name`, if known.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    /// The name of index `i`.
    pub fn name(&self, i: u32) -> &str {
        &self.names[i as usize]
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.names.len()
    }
}

/// Writes `path` atomically: into a temporary file in the same directory, then
/// renamed over `path`. On any error the temporary file is removed and `path` is
/// left untouched.
pub(crate) fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<&File>) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(file_name) = path.file_name() else {
        bail!("--out {} is not a file path", path.display());
    };
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let file = File::create(&tmp)?;
        {
            let mut w = BufWriter::new(&file);
            fill(&mut w)?;
            w.flush()?;
        }
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}

/// Wall-clock time per phase, for the summary.
pub(crate) struct Phases {
    last: Instant,
    done: Vec<(&'static str, f64)>,
}

impl Phases {
    /// Starts timing the first phase.
    pub fn new() -> Phases {
        Phases {
            last: Instant::now(),
            done: Vec::new(),
        }
    }

    /// Ends the current phase under `name` and starts the next.
    pub fn done(&mut self, name: &'static str) {
        let now = Instant::now();
        self.done
            .push((name, now.duration_since(self.last).as_secs_f64()));
        self.last = now;
    }

    /// Prints each phase's time and the peak memory.
    pub fn print(&self) {
        let parts: Vec<String> = self
            .done
            .iter()
            .map(|(n, s)| format!("{n} {s:.3} s"))
            .collect();
        println!("time:        {}", parts.join(", "));
        match peak_memory_kib() {
            Some(kib) => println!("peak memory: {:.1} MiB", kib as f64 / 1024.0),
            None => println!("peak memory: unknown"),
        }
    }
}

/// Peak resident memory (VmHWM) in KiB, from /proc/self/status on Linux.
pub(crate) fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
