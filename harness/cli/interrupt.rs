//! Interruption: on Ctrl-C (SIGINT) or SIGTERM radcheck ends every adapter program it runs, with
//! the processes they started (each runs in a process group of its own, which a terminal's Ctrl-C
//! does not reach), then exits with 128 + the signal number.

/// Starts the thread that waits for SIGINT and SIGTERM.
pub fn install() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            // Without the handler the default applies: radcheck ends at once.
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                radcheck_suites::end_running_adapters();
                eprintln!("radcheck: interrupted");
                std::process::exit(128 + signal);
            }
        });
    }
}
