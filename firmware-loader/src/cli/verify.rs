// SPDX-License-Identifier: GPL-2.0-only
//! `bes2600-fw verify`: header, load address, CRC, size limits and role of image files
//! (spec §2.1-2.2), and the consistency of a set.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::crc::HostCrc;
use crate::image::{known_build, EntryClass, Image, Kind, KnownBuild};

/// What `verify` found about one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Role by file name, or by entry word when the name is unknown.
    pub kind: Option<&'static str>,
    /// Entry word, hex.
    pub entry: Option<String>,
    /// What the entry word says.
    pub entry_class: Option<&'static str>,
    /// Load address, hex.
    pub load_addr: Option<String>,
    /// CRC-32 of the downloaded part (as END carries it), hex.
    pub crc32: Option<String>,
    /// Build stamp.
    pub version: Option<String>,
    /// Comparison with the known vendor build of spec §2.1.
    pub vendor_build: Option<&'static str>,
    /// Problems that make the file unusable.
    pub errors: Vec<String>,
    /// Findings worth a look.
    pub warnings: Vec<String>,
    /// No errors.
    pub ok: bool,
    #[serde(skip)]
    parsed_kind: Option<Kind>,
    #[serde(skip)]
    load: Option<u32>,
}

impl FileReport {
    /// The role this file plays, when known.
    pub fn role(&self) -> Option<Kind> {
        self.parsed_kind
    }

    /// The build id in the version stamp (`<date> <time> <build>:<name>`), if any.
    pub fn build_id(&self) -> Option<&str> {
        let v = self.version.as_deref()?;
        let tok = v.split_whitespace().nth(4)?;
        tok.split_once(':').map(|(b, _)| b)
    }
}

fn class_label(c: EntryClass) -> &'static str {
    match c {
        EntryClass::Boot => "boot",
        EntryClass::Signal => "signal",
        EntryClass::NosignalOrBtrf => "nosignal/btrf",
        EntryClass::Unknown => "unknown",
    }
}

/// Verifies one file. Never fails: read errors become report errors.
pub fn verify_file(path: &Path) -> FileReport {
    match std::fs::read(path) {
        Ok(data) => verify_bytes(path, &data),
        Err(e) => {
            let mut r = empty(path, 0);
            r.errors.push(format!("cannot read: {e}"));
            r.ok = false;
            r
        }
    }
}

fn empty(path: &Path, size: u64) -> FileReport {
    FileReport {
        path: path.to_path_buf(),
        size,
        kind: None,
        entry: None,
        entry_class: None,
        load_addr: None,
        crc32: None,
        version: None,
        vendor_build: None,
        errors: Vec::new(),
        warnings: Vec::new(),
        ok: true,
        parsed_kind: None,
        load: None,
    }
}

/// Verifies the contents of a file named `path`.
pub fn verify_bytes(path: &Path, data: &[u8]) -> FileReport {
    let mut r = empty(path, data.len() as u64);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let by_name = Kind::from_file_name(name);
    let img = match Image::parse(data, &HostCrc) {
        Ok(i) => i,
        Err(e) => {
            r.errors.push(e.to_string());
            r.ok = false;
            r.kind = by_name.map(Kind::label);
            r.parsed_kind = by_name;
            return r;
        }
    };
    let class = img.entry_class();
    let kind = by_name.or(match class {
        EntryClass::Boot => Some(Kind::Boot),
        EntryClass::Signal => Some(Kind::Signal),
        _ => None,
    });
    r.parsed_kind = kind;
    r.kind = kind.map(Kind::label);
    r.entry = Some(format!("{:#010x}", img.header().entry));
    r.entry_class = Some(class_label(class));
    r.load_addr = Some(format!("{:#010x}", img.load_addr()));
    r.load = Some(img.load_addr());
    r.crc32 = Some(format!("{:#010x}", img.crc()));
    r.version = img
        .version()
        .map(|v| String::from_utf8_lossy(v).into_owned());
    if r.version.is_none() {
        r.warnings.push("no version stamp found (spec §2.2)".into());
    }
    if img.load_addr_conflict() {
        r.warnings.push(format!(
            "header exec address {:#010x} differs from the trailer {:#010x}; the trailer wins",
            img.header().exec_addr,
            img.trailer()
        ));
    }
    if by_name.is_none() {
        r.warnings.push(format!(
            "`{name}` is not one of the four firmware file names (spec §2.1)"
        ));
    }
    match (by_name, class) {
        (Some(k), c) if !k.matches(c) => r.errors.push(format!(
            "entry word {:#010x} is a {} image, but the file name says {}",
            img.header().entry,
            class_label(c),
            k.label()
        )),
        (_, EntryClass::Unknown) => r.warnings.push(format!(
            "entry word {:#010x} is not a known build (spec §2.2)",
            img.header().entry
        )),
        _ => {}
    }
    if let Some(k) = kind {
        r.vendor_build = Some(match known_build(k, &img) {
            KnownBuild::Matches => "matches",
            KnownBuild::Other => "other",
            KnownBuild::CrcMismatch { expected } => {
                r.errors.push(format!(
                    "same size as the vendor {} build but CRC {:#010x} instead of {expected:#010x}: corrupt copy",
                    k.label(),
                    img.crc()
                ));
                "corrupt"
            }
        });
    }
    r.ok = r.errors.is_empty();
    r
}

/// Checks that verified files form one consistent set; returns the problems.
///
/// A set is inconsistent when two files claim the same role, when load addresses differ,
/// or when the boot and signal images carry different build ids.
pub fn check_set(reports: &[FileReport]) -> Vec<String> {
    let mut errs = Vec::new();
    for k in Kind::ALL {
        let n = reports.iter().filter(|r| r.role() == Some(k)).count();
        if n > 1 {
            errs.push(format!("{n} files claim the {} role", k.label()));
        }
    }
    let loads: Vec<u32> = reports.iter().filter_map(|r| r.load).collect();
    if loads.windows(2).any(|w| w[0] != w[1]) {
        errs.push("the images have different load addresses".into());
    }
    let build = |k| {
        reports
            .iter()
            .find(|r| r.role() == Some(k))
            .and_then(|r| r.build_id())
    };
    if let (Some(b), Some(s)) = (build(Kind::Boot), build(Kind::Signal)) {
        if b != s {
            errs.push(format!(
                "boot image is build {b} but the signal image is build {s}: mismatched set"
            ));
        }
    }
    errs
}

/// Prints a report as text.
pub fn print_text(r: &FileReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let verdict = if r.ok { "ok" } else { "FAILED" };
    writeln!(out, "{}: {verdict}", r.path.display())?;
    let field = |out: &mut dyn std::io::Write, k: &str, v: &Option<String>| match v {
        Some(v) => writeln!(out, "  {k:<13} {v}"),
        None => Ok(()),
    };
    writeln!(out, "  {:<13} {}", "size", r.size)?;
    field(out, "role", &r.kind.map(String::from))?;
    field(
        out,
        "entry",
        &r.entry
            .as_ref()
            .map(|e| format!("{e} ({})", r.entry_class.unwrap_or("?"))),
    )?;
    field(out, "load address", &r.load_addr)?;
    field(out, "crc32", &r.crc32)?;
    field(out, "version", &r.version)?;
    field(out, "vendor build", &r.vendor_build.map(String::from))?;
    for e in &r.errors {
        writeln!(out, "  error: {e}")?;
    }
    for w in &r.warnings {
        writeln!(out, "  warning: {w}")?;
    }
    Ok(())
}
