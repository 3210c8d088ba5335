// SPDX-License-Identifier: GPL-2.0-only
//! The install progress bar: one bar per file on a terminal, nothing otherwise. The draw
//! target is injectable so tests can read what a user would see.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::install::Listener;

/// The bar's layout: file name, bar, bytes copied of total.
pub const TEMPLATE: &str = "{msg:32} {bar:40} {bytes}/{total_bytes}";

/// Draws install progress and prints warnings.
pub struct Progress {
    bar: Option<ProgressBar>,
    target: Option<Box<dyn Fn() -> ProgressDrawTarget>>,
}

impl Progress {
    /// Bars on stderr when it is a terminal and the output is not JSON; otherwise silent.
    pub fn stderr(json: bool) -> Self {
        use std::io::IsTerminal;
        let tty = !json && std::io::stderr().is_terminal();
        Progress {
            bar: None,
            target: tty.then(|| Box::new(ProgressDrawTarget::stderr) as Box<_>),
        }
    }

    /// Bars drawn on the target `make` returns, one call per file.
    pub fn with_target(make: impl Fn() -> ProgressDrawTarget + 'static) -> Self {
        Progress {
            bar: None,
            target: Some(Box::new(make)),
        }
    }
}

impl Listener for Progress {
    fn start(&mut self, name: &str, bytes: u64) {
        if let Some(make) = &self.target {
            let b = ProgressBar::with_draw_target(Some(bytes), make());
            if let Ok(style) = ProgressStyle::with_template(TEMPLATE) {
                b.set_style(style);
            }
            b.set_message(name.to_string());
            self.bar = Some(b);
        }
    }

    fn advance(&mut self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish();
        }
    }

    fn warn(&mut self, msg: &str) {
        // Once, on stderr: the log at its default level would repeat it.
        eprintln!("warning: {msg}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indicatif::TermLike;
    use std::sync::{Arc, Mutex};

    /// A terminal that keeps the lines written to it.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<Vec<String>>>);

    impl Screen {
        fn lines(&self) -> Vec<String> {
            self.0.lock().map(|l| l.clone()).unwrap_or_default()
        }
    }

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            100
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            if let Ok(mut l) = self.0.lock() {
                if !s.trim().is_empty() {
                    l.push(s.to_string());
                }
            }
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// issue 19: the bar a user sees ends at the file's full size, one bar per file.
    #[test]
    fn issue_19_bar_shows_each_file_complete() {
        let screen = Screen::default();
        let s = screen.clone();
        let mut p =
            Progress::with_target(move || ProgressDrawTarget::term_like(Box::new(s.clone())));
        for (name, size) in [
            ("best2002_fw_boot_sdio.bin", 24_580u64),
            ("bes2600_factory.txt", 600),
        ] {
            p.start(name, size);
            p.advance(size / 2);
            p.advance(size - size / 2);
            p.finish();
        }
        let lines = screen.lines();
        let last_of = |name: &str| lines.iter().rev().find(|l| l.contains(name)).cloned();
        let boot = last_of("best2002_fw_boot_sdio.bin").unwrap_or_default();
        assert!(boot.contains("24.00 KiB/24.00 KiB"), "{lines:#?}");
        assert!(boot.contains(&"█".repeat(40)), "a full bar: {boot}");
        let fac = last_of("bes2600_factory.txt").unwrap_or_default();
        assert!(fac.contains("600 B/600 B"), "{lines:#?}");
    }
}
