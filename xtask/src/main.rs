//! `cargo xtask`: radcheck developer tasks.
fn main() -> anyhow::Result<()> {
    anyhow::bail!("usage: cargo xtask <task>")
}
