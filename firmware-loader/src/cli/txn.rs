// SPDX-License-Identifier: GPL-2.0-only
//! All-or-nothing replacement of a set of files in one directory (`install`'s commit).
//!
//! The new files are already staged as temporaries in the directory. Committing them:
//!
//! 1. hard-link every file that will be replaced to a backup name ([`BACKUP_PREFIX`]);
//! 2. write and fsync a journal ([`JOURNAL`]) naming the files;
//! 3. rename each temporary over its final name;
//! 4. fsync the directory, remove the journal (the commit point), fsync, drop the backups.
//!
//! A failure in step 3 rolls back at once: each backup is renamed back, and a file that did
//! not exist before is removed. A crash in step 3 leaves the journal, and the next
//! [`recover`] does the same roll-back. So the directory holds the whole old set or the whole
//! new set, each file complete, whatever happens.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::noted;

/// The journal that marks a commit in progress.
pub const JOURNAL: &str = ".bes2600-fw-journal";
/// Prefix of the backups of replaced files.
pub const BACKUP_PREFIX: &str = ".bes2600-fw-old-";

/// Failures to inject, for tests of the guarantees above: each counts files from 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    /// Writing the staged copy of file N fails.
    pub fail_write: Option<usize>,
    /// Renaming file N into place fails.
    pub fail_rename: Option<usize>,
    /// The process "dies" right after renaming file N: no roll-back, journal left behind.
    pub crash_after_rename: Option<usize>,
}

/// One staged file: the temporary, its final name and its size.
pub type Staged = (tempfile::NamedTempFile, String, u64);

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

fn backup(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{BACKUP_PREFIX}{name}"))
}

fn injected(what: &str) -> std::io::Error {
    std::io::Error::other(format!("injected {what} failure"))
}

/// Puts the staged files in place, all or nothing; returns the final paths and sizes.
///
/// # Errors
///
/// An I/O error before or during the renames, after rolling back (nothing changed), or a
/// roll-back that itself failed (the journal stays for the next [`recover`]).
pub fn commit(dir: &Path, staged: Vec<Staged>, faults: Faults) -> Result<Vec<(PathBuf, u64)>> {
    let names: Vec<String> = staged.iter().map(|(_, n, _)| n.clone()).collect();
    for n in &names {
        let (cur, bak) = (dir.join(n), backup(dir, n));
        let _ = fs::remove_file(&bak);
        if cur.exists() {
            fs::hard_link(&cur, &bak)
                .with_context(|| format!("cannot back up {} (nothing changed)", cur.display()))?;
        }
    }
    let journal = dir.join(JOURNAL);
    fs::File::create(&journal)
        .and_then(|mut f| {
            f.write_all(names.join("\n").as_bytes())?;
            f.sync_all()
        })
        .and_then(|()| sync_dir(dir))
        .with_context(|| format!("cannot write {} (nothing changed)", journal.display()))?;
    let mut done = Vec::new();
    for (i, (tmp, name, size)) in staged.into_iter().enumerate() {
        let path = dir.join(&name);
        let r = if faults.fail_rename == Some(i) {
            Err(injected("rename"))
        } else {
            tmp.persist(&path).map(|_| ()).map_err(|e| e.error)
        };
        if let Err(e) = r {
            roll_back(dir, &names).with_context(|| {
                format!(
                    "roll-back after a failed rename of {} failed",
                    path.display()
                )
            })?;
            return Err(noted(
                format!("cannot rename into {}: {e}", path.display()),
                &["the installed set was left as it was"],
            ));
        }
        done.push((path, size));
        if faults.crash_after_rename == Some(i) {
            return Err(anyhow::anyhow!("injected crash after renaming {name}"));
        }
    }
    sync_dir(dir).with_context(|| format!("cannot sync {}", dir.display()))?;
    fs::remove_file(&journal)
        .and_then(|()| sync_dir(dir))
        .with_context(|| format!("cannot remove {}", journal.display()))?;
    for n in &names {
        let _ = fs::remove_file(backup(dir, n));
    }
    Ok(done)
}

/// Undoes the renames of a commit: backups go back, files new to the set go away.
fn roll_back(dir: &Path, names: &[String]) -> std::io::Result<()> {
    for n in names {
        let (cur, bak) = (dir.join(n), backup(dir, n));
        if bak.exists() {
            fs::rename(&bak, &cur)?;
        } else {
            match fs::remove_file(&cur) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
    }
    sync_dir(dir)?;
    fs::remove_file(dir.join(JOURNAL))?;
    // A backup of a file that was never replaced is a second link to the same inode, and
    // renaming it onto that file leaves it in place (rename(2)); drop what is left.
    for n in names {
        let _ = fs::remove_file(backup(dir, n));
    }
    sync_dir(dir)
}

/// Finishes what an interrupted run left in `dir`: rolls back a commit whose journal is
/// still there, then removes stray backups. Returns whether a commit was rolled back.
///
/// # Errors
///
/// The journal cannot be read or the roll-back fails.
pub fn recover(dir: &Path) -> Result<bool> {
    let journal = dir.join(JOURNAL);
    let rolled = match fs::read_to_string(&journal) {
        Ok(text) => {
            let names: Vec<String> = text
                .lines()
                .map(str::trim)
                // Only plain names: a journal never names anything outside `dir`.
                .filter(|n| !n.is_empty() && !n.contains('/') && *n != "." && *n != "..")
                .map(String::from)
                .collect();
            roll_back(dir, &names)
                .with_context(|| format!("cannot roll back the commit in {}", dir.display()))?;
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("cannot read {}", journal.display())))
        }
    };
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().starts_with(BACKUP_PREFIX) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
    Ok(rolled)
}
