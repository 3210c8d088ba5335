// SPDX-License-Identifier: GPL-2.0-only
//! The logic behind the `bes2600-fw` subcommands (std only). `main.rs` parses arguments
//! and reports; everything it calls lives here so tests can reach it.

pub mod busreset;
pub mod calib;
pub mod config;
pub mod install;
pub mod netmgr;
pub mod progress;
pub mod status;
pub mod trace;
pub mod txn;
pub mod verify;
pub mod watch;

use std::path::{Path, PathBuf};

pub use config::Config;

/// Joins an absolute system path under a sysroot (`--sysroot`, default `/`).
pub fn under(sysroot: &Path, abs: &str) -> PathBuf {
    sysroot.join(abs.trim_start_matches('/'))
}

/// An error that already carries its user-facing `note:` lines.
#[derive(Debug)]
pub struct Noted {
    /// The main message.
    pub msg: String,
    /// Extra lines printed as `note: …`.
    pub notes: Vec<String>,
}

impl std::fmt::Display for Noted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.msg)?;
        for n in &self.notes {
            write!(f, "\nnote: {n}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Noted {}

/// Builds a [`Noted`] error as an `anyhow::Error`.
pub fn noted(msg: impl Into<String>, notes: &[&str]) -> anyhow::Error {
    anyhow::Error::new(Noted {
        msg: msg.into(),
        notes: notes.iter().map(|s| s.to_string()).collect(),
    })
}

/// Whether an I/O error means the file system is read-only.
pub fn is_read_only(e: &std::io::Error) -> bool {
    // `tempfile` wraps the OS error with its path, which keeps the kind but not the errno.
    e.kind() == std::io::ErrorKind::ReadOnlyFilesystem || e.raw_os_error() == Some(nix::libc::EROFS)
}
