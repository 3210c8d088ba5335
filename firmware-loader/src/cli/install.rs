// SPDX-License-Identifier: GPL-2.0-only
//! `bes2600-fw install`: verify a whole firmware set, then install it atomically.
//!
//! Every file is first written to a temporary file in the target directory and fsynced;
//! only when all are staged are they renamed over the final names, and the directory is
//! fsynced. A crash at any point leaves each final name with either the old or the new
//! complete file, never a partial one; stale temporaries are removed by the next run.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use super::{is_read_only, noted, verify};
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
/// A corrupt, incomplete or mismatched set (nothing is written), or an I/O error.
pub fn install(
    from: &Path,
    root: &Path,
    fw_dir: &str,
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
    let reports: Vec<_> = sources.iter().map(|p| verify::verify_file(p)).collect();
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
        let notes: Vec<&str> = problems.iter().map(String::as_str).collect();
        return Err(noted(
            format!(
                "refusing to install the firmware set in {}: {} problem(s)",
                from.display(),
                problems.len()
            ),
            &notes,
        ));
    }
    for r in &reports {
        for w in &r.warnings {
            l.warn(&format!("{}: {w}", r.path.display()));
        }
    }

    let dest = super::under(root, fw_dir);
    fs::create_dir_all(&dest).map_err(|e| io_err(e, &dest, "cannot create"))?;
    remove_stale(&dest);
    let mut staged = Vec::new();
    for src in &sources {
        staged.push(stage(src, &dest, l)?);
    }
    if std::env::var_os(STALL_ENV).is_some() {
        eprintln!("staged");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
    let mut done = Vec::new();
    for (tmp, name, size) in staged {
        let path = dest.join(&name);
        tmp.persist(&path)
            .map_err(|e| io_err(e.error, &path, "cannot rename into"))?;
        done.push(Installed { path, size });
    }
    fs::File::open(&dest)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_err(e, &dest, "cannot sync"))?;
    Ok(done)
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

fn stage(
    src: &Path,
    dest: &Path,
    l: &mut dyn Listener,
) -> Result<(tempfile::NamedTempFile, String, u64)> {
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
        tmp.write_all(&buf[..n])
            .map_err(|e| io_err(e, tmp.path(), "cannot write"))?;
        l.advance(n as u64);
    }
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(0o644))
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| io_err(e, tmp.path(), "cannot sync"))?;
    l.finish();
    Ok((tmp, name, size))
}
