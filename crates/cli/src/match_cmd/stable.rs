//! TODO(owner)
#[derive(clap::Args)]
pub struct StableArgs {}

pub fn run(_args: StableArgs) -> anyhow::Result<()> {
    anyhow::bail!("not implemented yet")
}
