use clap::{Parser, Subcommand};

mod match_cmd;

/// Rapport: open-source, self-hostable mentorship platform.
#[derive(Parser)]
#[command(name = "rapport", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Solve matching problems from CSV files (profiles, or your own scores).
    #[command(subcommand)]
    Match(match_cmd::MatchCommand),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Match(cmd) => match_cmd::run(cmd),
    }
}
