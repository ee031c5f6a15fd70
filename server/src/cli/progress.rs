//! A progress bar on stderr for checks that take a while. It is drawn only when stderr is a
//! terminal, and only once a check has run for [`DELAY`], so that short runs and every piped or
//! CI run stay silent; stdout, which carries the report, is never touched.

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a check runs before the bar appears.
const DELAY: Duration = Duration::from_millis(400);

pub(crate) struct Progress {
    /// `None` when nothing is ever drawn.
    bar: Option<ProgressBar>,
    started: Instant,
    shown: AtomicBool,
}

/// A progress bar for files as they are found, drawn on stderr when stderr is a terminal.
pub(crate) fn bar() -> Progress {
    Progress::new(io::stderr().is_terminal())
}

impl Progress {
    fn new(on_terminal: bool) -> Progress {
        let bar = on_terminal.then(|| {
            // Hidden until DELAY has passed; `inc` gives it its target.
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
            let style = ProgressStyle::with_template("checking {pos}/{len} files {wide_bar}")
                .expect("the template is valid");
            bar.set_style(style.progress_chars("=> "));
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            shown: AtomicBool::new(false),
        }
    }

    /// More files were found, to be checked.
    pub(crate) fn found(&self, files: u64) {
        if let Some(bar) = &self.bar {
            bar.inc_length(files);
        }
    }

    /// One more file is done.
    pub(crate) fn inc(&self, files: u64) {
        let Some(bar) = &self.bar else { return };
        bar.inc(files);
        if !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() >= DELAY
            && self.is_drawable()
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Removes the bar before the report is written.
    pub(crate) fn finish_and_clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    /// Whether a bar is drawn once the check has taken long enough: on a terminal, for more than
    /// one file.
    fn is_drawable(&self) -> bool {
        self.bar
            .as_ref()
            .is_some_and(|bar| bar.length().is_some_and(|length| length > 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_terminal_gets_a_bar() {
        let piped = Progress::new(false);
        piped.found(1000);
        assert!(!piped.is_drawable());
        let one = Progress::new(true);
        one.found(1);
        assert!(!one.is_drawable());
        let two = Progress::new(true);
        two.found(1);
        assert!(!two.is_drawable());
        two.found(1);
        assert!(two.is_drawable());
        // Counting without a bar is a no-op, not a panic.
        let silent = Progress::new(false);
        silent.found(10);
        silent.inc(1);
        silent.finish_and_clear();
    }
}
