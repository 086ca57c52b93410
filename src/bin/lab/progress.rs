//! A progress line on standard error for runs that take a while: shown only when standard
//! error is a terminal and only after the first second, so piped and scripted use stays
//! silent and quick runs print nothing. It reads the wall clock, which only the CLI may do:
//! the engine itself never does (clippy.toml forbids it there).
#![allow(clippy::disallowed_methods)]

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct Progress {
    enabled: bool,
    start: Instant,
    last: Option<Instant>,
}

impl Progress {
    pub fn new() -> Progress {
        Progress { enabled: std::io::stderr().is_terminal(), start: Instant::now(), last: None }
    }

    /// Seconds since the start.
    pub fn elapsed_s(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Shows `done` (0 to 1) and a detail line, at most five times a second.
    pub fn update(&mut self, done: f64, detail: impl FnOnce(f64) -> String) {
        if !self.enabled || self.start.elapsed() < Duration::from_secs(1) || self.last.is_some_and(|l| l.elapsed() < Duration::from_millis(200)) {
            return;
        }
        self.last = Some(Instant::now());
        let done = done.clamp(0.0, 1.0);
        let filled = (done * 24.0).round() as usize;
        let bar: String = "#".repeat(filled) + &".".repeat(24 - filled);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K[{bar}] {:>3.0} % · {}", done * 100.0, detail(self.elapsed_s()));
        let _ = err.flush();
    }

    /// Clears the line, if one was shown.
    pub fn finish(&mut self) {
        if self.last.is_some() {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}
