// SPDX-License-Identifier: GPL-2.0-only
//! `bes2600-fw calib show|check|convert`: the factory calibration file (spec §2.6).
//!
//! Without an explicit file the vendor path and the distro path are both searched
//! (spec §2.1 "Path mismatch"). Nothing here writes unless asked to convert.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use super::{noted, under};
use crate::calib::{Factory, DISTRO_PATH, RECORD_LEN, VENDOR_PATH};
use crate::crc::HostCrc;

/// The format of a calibration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `bes2600_factory.txt`.
    Text,
    /// The 72-byte record.
    Binary,
}

/// A loaded calibration file.
#[derive(Debug, Clone, Serialize)]
pub struct Loaded {
    /// Where it came from.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// Number of fields (30 or 31; 31 for a record).
    pub fields: usize,
    /// Sanity findings (spec §2.5 step 4).
    pub warnings: Vec<String>,
    /// The values.
    #[serde(skip)]
    pub factory: Factory,
    /// The record that would be sent (CRC recomputed), hex.
    pub record_hex: String,
}

/// Finds the calibration file: the vendor path first, then the distro path.
///
/// # Errors
///
/// Neither exists; the error lists both paths.
pub fn locate(sysroot: &Path) -> Result<PathBuf> {
    for p in [VENDOR_PATH, DISTRO_PATH] {
        let full = under(sysroot, p);
        if full.is_file() {
            return Ok(full);
        }
    }
    Err(noted(
        "no factory calibration file found",
        &[
            &format!("looked in {}", under(sysroot, VENDOR_PATH).display()),
            &format!("looked in {}", under(sysroot, DISTRO_PATH).display()),
            "without it the chip uses its built-in defaults (spec §2.1)",
        ],
    ))
}

/// Loads a text or binary calibration file.
///
/// # Errors
///
/// Unreadable, or not a valid text file or record; the message names the path and what
/// is missing.
pub fn load(path: &Path) -> Result<Loaded> {
    let data = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let (format, factory) = if let Ok(rec) = <&[u8; RECORD_LEN]>::try_from(data.as_slice()) {
        let f = Factory::from_record(rec, &HostCrc).map_err(|e| {
            let what = if e == bes2600_wire::Error::Checksum {
                "a bad CRC"
            } else {
                "a bad magic or version"
            };
            noted(
                format!("{}: 72-byte record with {what}", path.display()),
                &["the record starts with magic 0xba80, version 1 or 2, and a CRC over bytes 8..72 (spec §2.6)"],
            )
        })?;
        (Format::Binary, f)
    } else {
        let f = Factory::parse(&data).map_err(|e| {
            noted(
                format!("{}: {e}", path.display()),
                &["expected the bes2600_factory.txt format of spec §2.6 (sections ##head … ##bt, then %%)"],
            )
        })?;
        (Format::Text, f)
    };
    let mut warnings = Vec::new();
    factory.sanity(|w| warnings.push(w.to_string()));
    if format == Format::Binary {
        // A record always has the efuse slot; the "no section" warning is about text files.
        warnings.retain(|w| !w.contains("select_efuse_flag"));
    }
    let record = factory.to_record(&HostCrc);
    Ok(Loaded {
        path: path.to_path_buf(),
        format,
        fields: factory.field_count(),
        warnings,
        factory,
        record_hex: record.iter().map(|b| format!("{b:02x}")).collect(),
    })
}

/// Converts `input` (text or record) to the other format, written atomically to `output`.
///
/// # Errors
///
/// Invalid input, or the output cannot be written (nothing is left half-written).
pub fn convert(input: &Path, output: &Path) -> Result<Format> {
    let l = load(input)?;
    let (bytes, fmt) = match l.format {
        Format::Text => (l.factory.to_record(&HostCrc).to_vec(), Format::Binary),
        Format::Binary => {
            let mut s = String::new();
            l.factory
                .write_text(&mut s)
                .map_err(|_| anyhow::anyhow!("cannot format the text"))?;
            if s.len() > crate::calib::MAX_TEXT_LEN {
                return Err(noted(
                    format!(
                        "cannot convert {}: the text would be {} bytes",
                        input.display(),
                        s.len()
                    ),
                    &["the driver reads at most 600 bytes of bes2600_factory.txt (spec §2.6)"],
                ));
            }
            (s.into_bytes(), Format::Text)
        }
    };
    write_atomic(output, &bytes)?;
    Ok(fmt)
}

/// Writes `bytes` to `path` through a fsynced temporary file and a rename.
///
/// # Errors
///
/// I/O errors with the path; a read-only target gets a `note:`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let wrap = |e: std::io::Error| {
        if super::is_read_only(&e) {
            noted(
                format!("cannot write {}: read-only file system", path.display()),
                &["nothing was changed"],
            )
        } else {
            anyhow::Error::new(e).context(format!("cannot write {}", path.display()))
        }
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(super::install::TMP_PREFIX)
        .tempfile_in(&dir)
        .map_err(wrap)?;
    tmp.write_all(bytes).map_err(wrap)?;
    tmp.as_file().sync_all().map_err(wrap)?;
    tmp.persist(path).map_err(|e| wrap(e.error))?;
    Ok(())
}

/// Prints the decoded values as text.
pub fn print_text(l: &Loaded, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let f = &l.factory;
    writeln!(
        out,
        "{} ({:?}, {} fields)",
        l.path.display(),
        l.format,
        l.fields
    )?;
    writeln!(out, "  magic           {:#06x}", f.magic)?;
    writeln!(out, "  version         {}", f.version)?;
    writeln!(out, "  iQ_offset       {:#x}", f.iq_offset)?;
    writeln!(
        out,
        "  freq_cal        {:#x} (flags {:#x})",
        f.freq_cal, f.freq_cal_flags
    )?;
    writeln!(
        out,
        "  2.4G power      ch1 {:#x} ch7 {:#x} ch13 {:#x} (type {:#x})",
        f.tx_power_ch[0], f.tx_power_ch[1], f.tx_power_ch[2], f.tx_power_type
    )?;
    writeln!(
        out,
        "  temperature     {:#x} (5G {:#x})",
        f.temperature, f.temperature_5g
    )?;
    let g: Vec<String> = f.tx_power_ch_5g.iter().map(|p| format!("{p:#x}")).collect();
    writeln!(
        out,
        "  5G power        {} (flags {:#x})",
        g.join(" "),
        f.tx_power_flags_5g
    )?;
    let b = f.bt_tx_power;
    writeln!(
        out,
        "  bt              bdr {:#x}/{:#x} edr {:#x}/{:#x}",
        b[0], b[1], b[2], b[3]
    )?;
    match f.select_efuse {
        Some(e) => writeln!(out, "  select_efuse    {e:#x}")?,
        None => writeln!(out, "  select_efuse    (no section)")?,
    }
    writeln!(out, "  record          {}", l.record_hex)?;
    for w in &l.warnings {
        writeln!(out, "  warning: {w}")?;
    }
    Ok(())
}
