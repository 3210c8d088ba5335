// SPDX-License-Identifier: GPL-2.0-only
//! `bes2600-fw install`: verify a whole firmware set, then install it all or nothing.
//!
//! Nothing is written unless every file verifies ([`verify`]) and the set is consistent.
//! Then every file is written to a temporary file in the target directory and fsynced, and
//! only when all are staged does [`txn::commit`] put them in place: a failure rolls back, a
//! crash leaves a journal that the next run rolls back ([`txn::recover`]). The directory
//! holds the whole old set or the whole new set; stale temporaries are removed by the next
//! run.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use super::{is_read_only, noted, txn, verify, Noted};
use crate::calib::Factory;
use crate::image::Kind;

/// Name of the calibration file inside a set (spec §2.1).
pub const FACTORY_FILE: &str = "bes2600_factory.txt";
/// Prefix of staged temporary files.
pub const TMP_PREFIX: &str = ".bes2600-fw-";
/// Test hook: when this variable is set, the installer prints `staged` on stderr after
/// staging and waits, so a test can kill it at the most delicate point.
pub const STALL_ENV: &str = "BES2600_FW_TEST_STALL_AFTER_STAGING";

/// Receives progress and warnings; the binary draws a progress bar, tests collect.
pub trait Listener {
    /// A file of `bytes` starts copying.
    fn start(&mut self, name: &str, bytes: u64);
    /// `n` more bytes were copied.
    fn advance(&mut self, n: u64);
    /// The current file is staged.
    fn finish(&mut self);
    /// A non-fatal finding.
    fn warn(&mut self, msg: &str);
}

/// A listener that ignores everything.
pub struct NoOpListener;

impl Listener for NoOpListener {
    fn start(&mut self, _: &str, _: u64) {}
    fn advance(&mut self, _: u64) {}
    fn finish(&mut self) {}
    fn warn(&mut self, _: &str) {}
}

/// How to install.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// What verification accepts beyond the published builds.
    pub policy: verify::Policy,
    /// Failures to inject (tests only; the binary never sets them).
    pub faults: txn::Faults,
}

/// The set did not verify; nothing was written. The binary exits 1 for it.
#[derive(Debug)]
pub struct Refused(pub Noted);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Refused {}

/// One installed file.
#[derive(Debug, Clone, Serialize)]
pub struct Installed {
    /// Final path.
    pub path: PathBuf,
    /// Bytes.
    pub size: u64,
}

/// Roles a set must contain: enough for Wi-Fi (spec §2.5).
pub const REQUIRED: [Kind; 2] = [Kind::Boot, Kind::Signal];

/// Verifies the set in `from` and installs it under `root` + `fw_dir`.
///
/// # Errors
///
/// [`Refused`] for a set that does not verify, or is incomplete or mismatched (nothing is
/// written); otherwise an I/O error, after which the installed set is as it was.
pub fn install(
    from: &Path,
    root: &Path,
    fw_dir: &str,
    opts: &Options,
    l: &mut dyn Listener,
) -> Result<Vec<Installed>> {
    let mut sources: Vec<PathBuf> = Kind::ALL
        .iter()
        .map(|k| from.join(k.file_name()))
        .filter(|p| p.is_file())
        .collect();
    if !from.is_dir() {
        return Err(noted(format!("{} is not a directory", from.display()), &[]));
    }
    let reports: Vec<_> = sources
        .iter()
        .map(|p| verify::verify_file(p, opts.policy))
        .collect();
    let mut problems: Vec<String> = reports
        .iter()
        .flat_map(|r| {
            r.errors
                .iter()
                .map(move |e| format!("{}: {e}", r.path.display()))
        })
        .collect();
    problems.extend(verify::check_set(&reports));
    for k in REQUIRED {
        if !reports.iter().any(|r| r.role() == Some(k)) {
            problems.push(format!("missing {} ({} image)", k.file_name(), k.label()));
        }
    }
    let factory = from.join(FACTORY_FILE);
    if factory.is_file() {
        let text =
            fs::read(&factory).with_context(|| format!("cannot read {}", factory.display()))?;
        match Factory::parse(&text) {
            Ok(f) => f.sanity(|w| l.warn(&format!("{}: {w}", factory.display()))),
            Err(e) => problems.push(format!("{}: {e}", factory.display())),
        }
        sources.push(factory);
    }
    if !problems.is_empty() {
        problems.push("nothing was installed; the installed set is unchanged".into());
        return Err(anyhow::Error::new(Refused(Noted {
            msg: format!(
                "refusing to install the firmware set in {}: {} problem(s)",
                from.display(),
                problems.len() - 1
            ),
            notes: problems,
        })));
    }
    for r in &reports {
        for w in &r.warnings {
            l.warn(&format!("{}: {w}", r.path.display()));
        }
    }

    let dest = super::under(root, fw_dir);
    fs::create_dir_all(&dest).map_err(|e| io_err(e, &dest, "cannot create"))?;
    if txn::recover(&dest)? {
        l.warn(&format!(
            "{}: rolled back an install that was interrupted",
            dest.display()
        ));
    }
    remove_stale(&dest);
    let mut staged = Vec::new();
    for (i, src) in sources.iter().enumerate() {
        let fail = opts.faults.fail_write == Some(i);
        staged.push(stage(src, &dest, fail, l)?);
    }
    if std::env::var_os(STALL_ENV).is_some() {
        eprintln!("staged");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
    let done = txn::commit(&dest, staged, opts.faults)?;
    Ok(done
        .into_iter()
        .map(|(path, size)| Installed { path, size })
        .collect())
}

fn io_err(e: std::io::Error, path: &Path, what: &str) -> anyhow::Error {
    if is_read_only(&e) {
        noted(
            format!("{what} {}: read-only file system", path.display()),
            &[
                "nothing was changed",
                "use --root to install into a writable tree (e.g. an image staging dir)",
            ],
        )
    } else {
        anyhow::Error::new(e).context(format!("{what} {}", path.display()))
    }
}

/// Removes temporaries a killed run left behind.
fn remove_stale(dir: &Path) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        if e.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
            let _ = fs::remove_file(e.path());
        }
    }
}

fn stage(src: &Path, dest: &Path, fail_write: bool, l: &mut dyn Listener) -> Result<txn::Staged> {
    let name = src
        .file_name()
        .and_then(|n| n.to_str())
        .map(String::from)
        .with_context(|| format!("bad file name {}", src.display()))?;
    let mut input =
        fs::File::open(src).with_context(|| format!("cannot open {}", src.display()))?;
    let size = input.metadata().map(|m| m.len()).unwrap_or(0);
    let mut tmp = tempfile::Builder::new()
        .prefix(TMP_PREFIX)
        .tempfile_in(dest)
        .map_err(|e| io_err(e, dest, "cannot create a temporary file in"))?;
    l.start(&name, size);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = input
            .read(&mut buf)
            .with_context(|| format!("cannot read {}", src.display()))?;
        if n == 0 {
            break;
        }
        let r = if fail_write {
            Err(std::io::Error::other("injected write failure"))
        } else {
            tmp.write_all(buf.get(..n).unwrap_or(&[]))
        };
        r.map_err(|e| io_err(e, tmp.path(), "cannot write"))?;
        l.advance(n as u64);
    }
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(0o644))
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| io_err(e, tmp.path(), "cannot sync"))?;
    l.finish();
    Ok((tmp, name, size))
}
