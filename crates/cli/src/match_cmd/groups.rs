//! TODO(owner)
#[derive(clap::Args)]
pub struct GroupsArgs {}

pub fn run(_args: GroupsArgs) -> anyhow::Result<()> {
    anyhow::bail!("not implemented yet")
}
