//! A progress bar on stderr (hidden when stderr is not a terminal or with --quiet).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Bar(ProgressBar);

impl Bar {
    pub fn new(total: usize, what: &str, quiet: bool) -> Bar {
        let bar = ProgressBar::with_draw_target(
            Some(total as u64),
            if quiet {
                ProgressDrawTarget::hidden()
            } else {
                ProgressDrawTarget::stderr()
            },
        );
        let style = ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what} {{msg}} [{{elapsed_precise}}, eta {{eta}}]"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Bar(bar)
    }

    pub fn set(&self, done: usize, reused: usize) {
        self.0.set_position(done as u64);
        if reused > 0 {
            self.0.set_message(format!("({reused} reused)"));
        }
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}
