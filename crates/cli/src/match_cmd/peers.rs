//! TODO(owner)
#[derive(clap::Args)]
pub struct PeersArgs {}

pub fn run(_args: PeersArgs) -> anyhow::Result<()> {
    anyhow::bail!("not implemented yet")
}
