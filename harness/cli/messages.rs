//! How the CLI reports errors: `radcheck: <error>: <cause>: ...` on stderr.

/// Prints an error with its chain of causes.
pub fn error(err: &anyhow::Error) {
    let chain: Vec<String> = err.chain().map(|e| e.to_string()).collect();
    eprintln!("radcheck: {}", chain.join(": "));
}

/// Whether the error is a closed output pipe (e.g. `radcheck ... | head`), which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
