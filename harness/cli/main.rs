//! The `radcheck` command.
fn main() {}
