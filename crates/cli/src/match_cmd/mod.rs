//! `rapport match`: the matching engine on CSV files.

use clap::Subcommand;

pub mod assign;
pub mod groups;
pub mod peers;
pub mod profiles;
pub mod stable;

#[derive(Subcommand)]
pub enum MatchCommand {
    /// Many-to-one assignment: most mentees matched, then highest total score.
    Assign(assign::AssignArgs),
    /// Pairs on a general graph: most pairs, then highest total score.
    Peers(peers::PeersArgs),
    /// Stable matching with capacities (mentee-proposing deferred acceptance).
    Stable(stable::StableArgs),
    /// Groups and circles of a given size range.
    Groups(groups::GroupsArgs),
}

pub fn run(cmd: MatchCommand) -> anyhow::Result<()> {
    match cmd {
        MatchCommand::Assign(args) => assign::run(args),
        MatchCommand::Peers(args) => peers::run(args),
        MatchCommand::Stable(args) => stable::run(args),
        MatchCommand::Groups(args) => groups::run(args),
    }
}
