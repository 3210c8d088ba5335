// SPDX-License-Identifier: GPL-2.0-only
//! `bes2600-fw verify`: is this a firmware image the chip would run, in the role its name
//! gives it, and is it a published vendor build (spec §2.1-2.2)?
//!
//! An image is accepted when it parses ([`Image::parse`]), has no structural defect
//! ([`check::check`]), plays the role its file name says, and is a published build
//! ([`known::classify`]). A well-formed image that is not a published build is accepted,
//! with a warning, only under [`Policy::allow_unknown`]; a damaged copy of a published build
//! never is.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::crc::HostCrc;
use crate::image::known::{self, Build, Verdict};
use crate::image::{check, EntryClass, Image, Kind};
use crate::sha256;

/// What the caller accepts beyond the published builds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// Accept a well-formed image that is not a published build, with a warning.
    pub allow_unknown: bool,
}

/// What `verify` found about one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Role by file name, or by the published build or entry word when the name is unknown.
    pub kind: Option<&'static str>,
    /// Entry word, hex.
    pub entry: Option<String>,
    /// What the entry word says.
    pub entry_class: Option<&'static str>,
    /// Load address, hex.
    pub load_addr: Option<String>,
    /// CRC-32 of the downloaded part (as END carries it), hex.
    pub crc32: Option<String>,
    /// sha256 of the whole file, hex.
    pub sha256: Option<String>,
    /// Version string, as the vendor driver's scan finds it.
    pub version: Option<String>,
    /// `known build <stamp>`, `corrupt copy of <stamp>` or `unknown build`.
    pub build: Option<String>,
    /// Problems that make the file unusable.
    pub errors: Vec<String>,
    /// Findings worth a look.
    pub warnings: Vec<String>,
    /// No errors.
    pub ok: bool,
    /// The file could not be read (an error, not a verdict on its contents).
    pub unreadable: bool,
    #[serde(skip)]
    parsed_kind: Option<Kind>,
    #[serde(skip)]
    load: Option<u32>,
    #[serde(skip)]
    known: Option<&'static Build>,
}

impl FileReport {
    /// The role this file plays, when known.
    pub fn role(&self) -> Option<Kind> {
        self.parsed_kind
    }

    /// The published build this file is, if it is one.
    pub fn known_build(&self) -> Option<&'static Build> {
        self.known
    }

    /// The build id in the version stamp (`<date> <time> <build>:<name>`), if any.
    pub fn build_id(&self) -> Option<&str> {
        let v = self.version.as_deref()?;
        let tok = v.split_whitespace().nth(4)?;
        tok.split_once(':').map(|(b, _)| b)
    }

    fn fail(&mut self, msg: String) {
        self.errors.push(msg);
        self.ok = false;
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

/// Verifies one file. Never fails: read errors become report errors (`unreadable`).
pub fn verify_file(path: &Path, policy: Policy) -> FileReport {
    match std::fs::read(path) {
        Ok(data) => verify_bytes(path, &data, policy),
        Err(e) => {
            let mut r = empty(path, 0);
            r.fail(format!("cannot read: {e}"));
            r.unreadable = true;
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
        sha256: None,
        version: None,
        build: None,
        errors: Vec::new(),
        warnings: Vec::new(),
        ok: true,
        unreadable: false,
        parsed_kind: None,
        load: None,
        known: None,
    }
}

fn hex(d: &sha256::Digest) -> String {
    let mut s = String::with_capacity(64);
    // Writing to a String cannot fail.
    let _ = sha256::write_hex(d, &mut s);
    s
}

/// Verifies the contents of a file named `path`.
pub fn verify_bytes(path: &Path, data: &[u8], policy: Policy) -> FileReport {
    let mut r = empty(path, data.len() as u64);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let by_name = Kind::from_file_name(name);
    r.parsed_kind = by_name;
    r.kind = by_name.map(Kind::label);
    let digest = sha256::sha256(data);
    r.sha256 = Some(hex(&digest));
    if by_name.is_none() {
        r.warnings.push(format!(
            "`{name}` is not one of the four firmware file names (spec §2.1)"
        ));
    }
    let img = match Image::parse(data, &HostCrc) {
        Ok(i) => i,
        Err(e) => {
            r.fail(e.to_string());
            return r;
        }
    };
    describe(&mut r, &img);
    for d in check::check(&img).iter() {
        r.fail(d.to_string());
    }
    let verdict = known::classify(&img, by_name, &digest);
    judge_role(&mut r, &img, by_name, verdict);
    judge_build(&mut r, verdict, policy);
    r
}

fn describe(r: &mut FileReport, img: &Image<'_>) {
    let class = img.entry_class();
    r.entry = Some(format!("{:#010x}", img.header().entry));
    r.entry_class = Some(class_label(class));
    r.load_addr = Some(format!("{:#010x}", img.load_addr()));
    r.load = Some(img.load_addr());
    r.crc32 = Some(format!("{:#010x}", img.crc()));
    r.version = img
        .version()
        .map(|v| String::from_utf8_lossy(v).into_owned());
}

/// The role by name must agree with the published build's role, else with the entry word.
fn judge_role(r: &mut FileReport, img: &Image<'_>, by_name: Option<Kind>, v: Verdict) {
    let class = img.entry_class();
    if let Verdict::Known(b) = v {
        match by_name {
            Some(k) if k != b.kind => r.fail(format!(
                "this is the published {} build `{}`, but the file name says {}",
                b.kind.label(),
                b.stamp,
                k.label()
            )),
            _ => {
                r.parsed_kind = Some(b.kind);
                r.kind = Some(b.kind.label());
            }
        }
        return;
    }
    match (by_name, class) {
        (Some(k), c) if !k.matches(c) => r.fail(format!(
            "entry word {:#010x} is a {} image, but the file name says {}",
            img.header().entry,
            class_label(c),
            k.label()
        )),
        (None, EntryClass::Boot | EntryClass::Signal) => {
            let k = if class == EntryClass::Boot {
                Kind::Boot
            } else {
                Kind::Signal
            };
            r.parsed_kind = Some(k);
            r.kind = Some(k.label());
        }
        (_, EntryClass::Unknown) => r.warnings.push(format!(
            "entry word {:#010x} is none of the 2023 builds' entry words; the role cannot be \
             confirmed (spec §2.2)",
            img.header().entry
        )),
        _ => {}
    }
}

fn judge_build(r: &mut FileReport, v: Verdict, policy: Policy) {
    let sha = r.sha256.clone().unwrap_or_default();
    match v {
        Verdict::Known(b) => {
            r.known = Some(b);
            r.build = Some(format!("known build {}", b.stamp));
        }
        Verdict::Corrupt(b) => {
            r.build = Some(format!("corrupt copy of {}", b.stamp));
            r.fail(format!(
                "looks like the published build `{}` (published {}) but its sha256 {sha} is not \
                 that build's: a damaged or modified copy",
                b.stamp, b.published
            ));
        }
        Verdict::Unknown => {
            r.build = Some("unknown build".into());
            let msg = format!("sha256 {sha} is not one of the published vendor builds");
            if policy.allow_unknown {
                r.warnings
                    .push(format!("{msg}; accepted because of --allow-unknown"));
            } else {
                r.fail(format!(
                    "{msg}; pass --allow-unknown to accept a well-formed unknown image"
                ));
            }
        }
    }
}

/// Checks that verified files form one consistent set; returns the problems.
///
/// A set is inconsistent when two files claim the same role, when load addresses differ,
/// or when the boot and signal images carry different build ids, unless both are published
/// builds of the same published set (the 2022 set pairs two build ids).
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
    let find = |k| reports.iter().find(|r| r.role() == Some(k));
    if let (Some(b), Some(s)) = (find(Kind::Boot), find(Kind::Signal)) {
        let published_pair = match (b.known, s.known) {
            (Some(x), Some(y)) => Some(x.published == y.published),
            _ => None,
        };
        match (published_pair, b.build_id(), s.build_id()) {
            (Some(false), _, _) => errs.push(format!(
                "boot image `{}` and signal image `{}` come from different published sets: \
                 mismatched set",
                b.version.as_deref().unwrap_or("?"),
                s.version.as_deref().unwrap_or("?")
            )),
            (None, Some(x), Some(y)) if x != y => errs.push(format!(
                "boot image is build {x} but the signal image is build {y}: mismatched set"
            )),
            _ => {}
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
    field(out, "sha256", &r.sha256)?;
    field(out, "version", &r.version)?;
    field(out, "build", &r.build)?;
    for e in &r.errors {
        writeln!(out, "  error: {e}")?;
    }
    for w in &r.warnings {
        writeln!(out, "  warning: {w}")?;
    }
    Ok(())
}
