//! TODO(owner)
#[derive(clap::Args)]
pub struct AssignArgs {}

pub fn run(_args: AssignArgs) -> anyhow::Result<()> {
    anyhow::bail!("not implemented yet")
}
