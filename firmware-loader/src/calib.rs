// SPDX-License-Identifier: GPL-2.0-only
//! Factory calibration: the `bes2600_factory.txt` text format and the 72-byte record the
//! boot ROM receives at 0x2008B000 (spec §2.6), replacing `bes2600_factory.c`.
//!
//! The parser is `no_std` and allocation-free. It is strict about the order and names of
//! the 31 fields (30 when the `##select_efuse_flag` section is absent, as in the file
//! distros ship) and lenient about whitespace and line endings.

use bes2600_wire::calib::CalibRecord;

use crate::crc::{Crc32, DynCrc};

/// Size of the binary record (spec §2.6).
pub const RECORD_LEN: usize = bes2600_wire::calib::RECORD_LEN;
/// The vendor parser reads at most 600 bytes (spec §2.6).
pub const MAX_TEXT_LEN: usize = 600;
/// Required magic (spec §2.6).
pub const MAGIC: u16 = bes2600_wire::calib::MAGIC;
/// The vendor path of the text file (spec §2.1).
pub const VENDOR_PATH: &str = "/lib/firmware/bes2600_factory.txt";
/// The path distro packages install to (spec §2.1).
pub const DISTRO_PATH: &str = "/lib/firmware/bes2600/bes2600_factory.txt";

/// The names the kernel module passes to `request_firmware`, in lookup order: the vendor
/// path, then the distro path (spec §2.1 "Path mismatch").
pub const FIRMWARE_NAMES: [&str; 2] = ["bes2600_factory.txt", "bes2600/bes2600_factory.txt"];

/// The 5 GHz power field names, in file order (spec §2.6 fields 12-24).
pub const CH_5G: [&str; 13] = [
    "ch36-40",
    "ch44-48",
    "ch52-56",
    "ch60-64",
    "ch100-104",
    "ch108-112",
    "ch116-120",
    "ch124-128",
    "ch132-136",
    "ch140-144",
    "ch149-153",
    "ch157-161",
    "ch165-169",
];

/// The decoded calibration values (spec §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Factory {
    /// head.magic, must be 0xBA80.
    pub magic: u16,
    /// head.version, 1..2.
    pub version: u16,
    /// head.crc as written in the file (ignored; recomputed before sending).
    pub crc: u32,
    /// IQ offset.
    pub iq_offset: u32,
    /// Crystal frequency calibration, sanity range 1..0x1FF.
    pub freq_cal: u16,
    /// Frequency calibration flags.
    pub freq_cal_flags: u8,
    /// 2.4 GHz TX power for channels 1, 7, 13; sanity range 1..0x3FFF.
    pub tx_power_ch: [u16; 3],
    /// TX power type.
    pub tx_power_type: u8,
    /// 2.4 GHz calibration temperature.
    pub temperature: u16,
    /// 5 GHz TX power per channel group ([`CH_5G`]).
    pub tx_power_ch_5g: [u16; 13],
    /// 5 GHz TX power flags.
    pub tx_power_flags_5g: u16,
    /// 5 GHz calibration temperature.
    pub temperature_5g: u16,
    /// BT power: bdr_div, bdr_power, edr_div, edr_power.
    pub bt_tx_power: [u32; 4],
    /// select_efuse; `None` when the file has no `##select_efuse_flag` section.
    pub select_efuse: Option<u16>,
}

/// Why a calibration text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// Longer than [`MAX_TEXT_LEN`] bytes.
    TooLong(usize),
    /// Not valid UTF-8 / ASCII.
    NotText,
    /// A required section header is missing; carries its name (e.g. `##bt`).
    MissingSection(&'static str),
    /// A required field is missing; carries its name.
    MissingField(&'static str),
    /// A line is not what the format expects at this point.
    Unexpected {
        /// 1-based line number.
        line: usize,
        /// What was expected there (a section or field name).
        expected: &'static str,
    },
    /// A field value is not hex or does not fit its type.
    BadValue {
        /// 1-based line number.
        line: usize,
        /// The field name.
        field: &'static str,
    },
    /// The `%%` end marker is missing.
    NoEndMarker,
    /// Something follows the `%%` end marker.
    TrailingData(usize),
}

impl core::fmt::Display for ParseError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ParseError::TooLong(n) => {
                write!(f, "file is {n} bytes, the format allows {MAX_TEXT_LEN}")
            }
            ParseError::NotText => f.write_str("file is not ASCII text"),
            ParseError::MissingSection(s) => write!(f, "missing section `{s}`"),
            ParseError::MissingField(s) => write!(f, "missing field `{s}`"),
            ParseError::Unexpected { line, expected } => {
                write!(f, "line {line}: expected `{expected}`")
            }
            ParseError::BadValue { line, field } => {
                write!(
                    f,
                    "line {line}: `{field}` needs a hex value (0x…) that fits the field"
                )
            }
            ParseError::NoEndMarker => f.write_str("missing end marker `%%`"),
            ParseError::TrailingData(line) => {
                write!(f, "line {line}: data after the end marker `%%`")
            }
        }
    }
}

/// A sanity-check finding; the vendor only warns (spec §2.5 step 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warning {
    /// magic is not 0xBA80.
    Magic(u16),
    /// version is not 1 or 2.
    Version(u16),
    /// freq_cal outside 1..=0x1FF.
    FreqCal(u16),
    /// A 2.4 GHz power (index 0..3) outside 1..=0x3FFF.
    TxPower(usize, u16),
    /// bdr_div or edr_div (index 0 or 2) is not 5.
    BtDiv(usize, u32),
    /// bdr_power or edr_power (index 1 or 3) outside 1..=0x20.
    BtPower(usize, u32),
    /// No efuse section: the vendor driver (31 fields) would refuse this file (spec §2.1).
    NoEfuseSection,
}

impl core::fmt::Display for Warning {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Warning::Magic(v) => write!(f, "magic {v:#06x} is not {MAGIC:#06x}"),
            Warning::Version(v) => write!(f, "version {v:#x} is not 1 or 2"),
            Warning::FreqCal(v) => write!(f, "freq_cal {v:#x} is outside 0x1..=0x1ff"),
            Warning::TxPower(i, v) => {
                let ch = ["ch1", "ch7", "ch13"].get(*i).copied().unwrap_or("?");
                write!(f, "{ch} power {v:#x} is outside 0x1..=0x3fff")
            }
            Warning::BtDiv(i, v) => {
                write!(
                    f,
                    "{} {v:#x} is not 5",
                    if *i == 0 { "bdr_div" } else { "edr_div" }
                )
            }
            Warning::BtPower(i, v) => {
                let n = if *i == 1 { "bdr_power" } else { "edr_power" };
                write!(f, "{n} {v:#x} is outside 0x1..=0x20")
            }
            Warning::NoEfuseSection => f.write_str(
                "no `##select_efuse_flag` section (30 fields): the vendor driver skips such a file",
            ),
        }
    }
}

/// How a field is stored: its width in bytes.
#[derive(Clone, Copy)]
enum Item {
    Section(&'static str),
    Field(&'static str, u8),
}

use Item::{Field as F, Section as S};

/// The exact text layout (spec §2.6), without the optional efuse section and `%%`.
const LAYOUT: [Item; 35] = [
    S("##head"),
    F("magic", 2),
    F("version", 2),
    F("crc", 4),
    S("##iq&xtal"),
    F("iQ_offset", 4),
    F("freq_cal", 2),
    F("freq_cal_flags", 1),
    S("##2.4g_power_11n"),
    F("ch1", 2),
    F("ch7", 2),
    F("ch13", 2),
    F("tx_power_type", 1),
    F("temperature", 2),
    S("##5g_power_11n"),
    F(CH_5G[0], 2),
    F(CH_5G[1], 2),
    F(CH_5G[2], 2),
    F(CH_5G[3], 2),
    F(CH_5G[4], 2),
    F(CH_5G[5], 2),
    F(CH_5G[6], 2),
    F(CH_5G[7], 2),
    F(CH_5G[8], 2),
    F(CH_5G[9], 2),
    F(CH_5G[10], 2),
    F(CH_5G[11], 2),
    F(CH_5G[12], 2),
    F("tx_power_flags_5G", 2),
    F("temperature_5G", 2),
    S("##bt"),
    F("bdr_div", 4),
    F("bdr_power", 4),
    F("edr_div", 4),
    F("edr_power", 4),
];
const EFUSE_SECTION: &str = "##select_efuse_flag";
const EFUSE_FIELD: &str = "select_efuse";
const END_MARKER: &str = "%%";

/// The number of value fields in [`LAYOUT`] (30).
const BASE_FIELDS: usize = 30;

fn parse_hex(s: &str, width: u8) -> Option<u32> {
    let s = s.trim();
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    if digits.is_empty() {
        return None;
    }
    let v = u32::from_str_radix(digits, 16).ok()?;
    let fits = match width {
        1 => v <= 0xFF,
        2 => v <= 0xFFFF,
        _ => true,
    };
    fits.then_some(v)
}

impl Factory {
    /// Parses the text format (spec §2.6).
    ///
    /// # Errors
    ///
    /// See [`ParseError`]; a missing section is reported by name.
    pub fn parse(text: &[u8]) -> Result<Factory, ParseError> {
        if text.len() > MAX_TEXT_LEN {
            return Err(ParseError::TooLong(text.len()));
        }
        let text = core::str::from_utf8(text).map_err(|_| ParseError::NotText)?;
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty());
        let mut values = [0u32; BASE_FIELDS];
        let mut nval = 0;
        for item in LAYOUT {
            match item {
                // Whatever stands where a section header belongs, the header is missing.
                S(name) => match lines.next() {
                    Some((_, l)) if l == name => {}
                    _ => return Err(ParseError::MissingSection(name)),
                },
                F(name, width) => {
                    let (line, l) = match lines.next() {
                        Some(x) => x,
                        None => return Err(ParseError::MissingField(name)),
                    };
                    let Some(v) = l
                        .strip_prefix(name)
                        .and_then(|r| r.trim_start().strip_prefix(':'))
                    else {
                        if l.starts_with("##") || l == END_MARKER {
                            return Err(ParseError::MissingField(name));
                        }
                        return Err(ParseError::Unexpected {
                            line,
                            expected: name,
                        });
                    };
                    let v =
                        parse_hex(v, width).ok_or(ParseError::BadValue { line, field: name })?;
                    if let Some(slot) = values.get_mut(nval) {
                        *slot = v;
                    }
                    nval += 1;
                }
            }
        }
        let mut select_efuse = None;
        let mut ended = false;
        while let Some((line, l)) = lines.next() {
            if ended {
                return Err(ParseError::TrailingData(line));
            }
            if l == END_MARKER {
                ended = true;
            } else if l == EFUSE_SECTION && select_efuse.is_none() {
                let (line, l) = lines.next().ok_or(ParseError::MissingField(EFUSE_FIELD))?;
                let v = l
                    .strip_prefix(EFUSE_FIELD)
                    .and_then(|r| r.trim_start().strip_prefix(':'))
                    .ok_or(ParseError::Unexpected {
                        line,
                        expected: EFUSE_FIELD,
                    })?;
                let v = parse_hex(v, 2).ok_or(ParseError::BadValue {
                    line,
                    field: EFUSE_FIELD,
                })?;
                select_efuse = Some(v as u16);
            } else {
                return Err(ParseError::Unexpected {
                    line,
                    expected: END_MARKER,
                });
            }
        }
        if !ended {
            return Err(ParseError::NoEndMarker);
        }
        Ok(Self::from_values(&values, select_efuse))
    }

    // CAST: every value was range-checked against its field width by `parse_hex`.
    fn from_values(v: &[u32; BASE_FIELDS], select_efuse: Option<u16>) -> Factory {
        let mut f = Factory {
            magic: v[0] as u16,
            version: v[1] as u16,
            crc: v[2],
            iq_offset: v[3],
            freq_cal: v[4] as u16,
            freq_cal_flags: v[5] as u8,
            tx_power_ch: [v[6] as u16, v[7] as u16, v[8] as u16],
            tx_power_type: v[9] as u8,
            temperature: v[10] as u16,
            tx_power_ch_5g: [0; 13],
            tx_power_flags_5g: v[24] as u16,
            temperature_5g: v[25] as u16,
            bt_tx_power: [v[26], v[27], v[28], v[29]],
            select_efuse,
        };
        for (dst, src) in f.tx_power_ch_5g.iter_mut().zip(&v[11..24]) {
            *dst = *src as u16;
        }
        f
    }

    /// Number of fields the file had: 31 with the efuse section, 30 without.
    pub fn field_count(&self) -> usize {
        BASE_FIELDS + usize::from(self.select_efuse.is_some())
    }

    /// Runs the vendor's sanity checks; each finding calls `warn` (spec §2.5 step 4).
    pub fn sanity(&self, mut warn: impl FnMut(Warning)) {
        if self.magic != MAGIC {
            warn(Warning::Magic(self.magic));
        }
        if !(1..=2).contains(&self.version) {
            warn(Warning::Version(self.version));
        }
        if !(1..=0x1FF).contains(&self.freq_cal) {
            warn(Warning::FreqCal(self.freq_cal));
        }
        for (i, p) in self.tx_power_ch.iter().enumerate() {
            if !(1..=0x3FFF).contains(p) {
                warn(Warning::TxPower(i, *p));
            }
        }
        for (i, v) in self.bt_tx_power.iter().enumerate() {
            if i % 2 == 0 && *v != 5 {
                warn(Warning::BtDiv(i, *v));
            } else if i % 2 == 1 && !(1..=0x20).contains(v) {
                warn(Warning::BtPower(i, *v));
            }
        }
        if self.select_efuse.is_none() {
            warn(Warning::NoEfuseSection);
        }
    }

    /// The wire crate's record for these values (`select_efuse` 0 when absent).
    pub fn calib_record(&self) -> CalibRecord {
        CalibRecord {
            version: self.version,
            iq_offset: self.iq_offset,
            freq_cal: self.freq_cal,
            tx_power_ch: self.tx_power_ch,
            freq_cal_flags: self.freq_cal_flags,
            tx_power_type: self.tx_power_type,
            temperature: self.temperature,
            tx_power_ch_5g: self.tx_power_ch_5g,
            tx_power_flags_5g: self.tx_power_flags_5g,
            bt_tx_power: self.bt_tx_power,
            temperature_5g: self.temperature_5g,
            select_efuse: self.select_efuse.unwrap_or(0),
        }
    }

    /// Emits the 72-byte little-endian record: magic 0xBA80 and the CRC recomputed over
    /// bytes 8..72 (spec §2.5 step 4, §2.6), through the wire crate's `CalibRecord`.
    pub fn to_record(&self, crc: &dyn Crc32) -> [u8; RECORD_LEN] {
        let mut r = [0u8; RECORD_LEN];
        // Cannot fail: the buffer is exactly RECORD_LEN bytes.
        let _ = self.calib_record().emit(&mut r, &DynCrc(crc));
        r
    }

    /// The record to send at download, or `None` where the vendor driver sends none.
    ///
    /// The shipped vendor build parses with the efuse section (`STANDARD_FACTORY_EFUSE_FLAG=y`,
    /// spec §0's build configuration): `FACTORY_MEMBER_NUM` is then 31 (C:bes2600_factory.h:58-60), a
    /// 30-field file fails `factory_parse` (C:bes2600_factory.c:253-257), and the download
    /// skips the factory write (C:bes_fw.c:1078-1079). The chip then keeps the calibration in
    /// its efuse (spec errata 15): sending generic values would override it. So a file
    /// without `##select_efuse_flag` (the distribution's) yields no record.
    pub fn download_record(&self, crc: &dyn Crc32) -> Option<[u8; RECORD_LEN]> {
        self.select_efuse.map(|_| self.to_record(crc))
    }

    /// Decodes a 72-byte record, checking magic, version and CRC. `select_efuse` is always
    /// `Some` (the record has the slot); `crc` holds the stored CRC.
    ///
    /// # Errors
    ///
    /// The wire crate's `BadValue` (magic/version) or `Checksum` (CRC).
    pub fn from_record(
        r: &[u8; RECORD_LEN],
        crc: &dyn Crc32,
    ) -> Result<Factory, bes2600_wire::Error> {
        let c = CalibRecord::parse_with_crc(r, &DynCrc(crc))?;
        Ok(Factory {
            magic: MAGIC,
            version: c.version,
            crc: u32::from_le_bytes([r[4], r[5], r[6], r[7]]),
            iq_offset: c.iq_offset,
            freq_cal: c.freq_cal,
            freq_cal_flags: c.freq_cal_flags,
            tx_power_ch: c.tx_power_ch,
            tx_power_type: c.tx_power_type,
            temperature: c.temperature,
            tx_power_ch_5g: c.tx_power_ch_5g,
            tx_power_flags_5g: c.tx_power_flags_5g,
            temperature_5g: c.temperature_5g,
            bt_tx_power: c.bt_tx_power,
            select_efuse: Some(c.select_efuse),
        })
    }

    /// Writes the text format, one field per line, sections in order (spec §2.6).
    ///
    /// # Errors
    ///
    /// Whatever `out` returns.
    pub fn write_text(&self, out: &mut dyn core::fmt::Write) -> core::fmt::Result {
        let v = self.values();
        let mut i = 0;
        for item in LAYOUT {
            match item {
                S(name) => writeln!(out, "{name}")?,
                F(name, _) => {
                    writeln!(out, "{name}:{:#x}", v[i])?;
                    i += 1;
                }
            }
        }
        if let Some(e) = self.select_efuse {
            writeln!(out, "{EFUSE_SECTION}")?;
            writeln!(out, "{EFUSE_FIELD}:{e:#x}")?;
        }
        writeln!(out, "{END_MARKER}")
    }

    fn values(&self) -> [u32; BASE_FIELDS] {
        let mut v = [0u32; BASE_FIELDS];
        let head = [
            u32::from(self.magic),
            u32::from(self.version),
            self.crc,
            self.iq_offset,
            u32::from(self.freq_cal),
            u32::from(self.freq_cal_flags),
            u32::from(self.tx_power_ch[0]),
            u32::from(self.tx_power_ch[1]),
            u32::from(self.tx_power_ch[2]),
            u32::from(self.tx_power_type),
            u32::from(self.temperature),
        ];
        v[..11].copy_from_slice(&head);
        for (d, s) in v[11..24].iter_mut().zip(self.tx_power_ch_5g) {
            *d = u32::from(s);
        }
        v[24] = u32::from(self.tx_power_flags_5g);
        v[25] = u32::from(self.temperature_5g);
        v[26..30].copy_from_slice(&self.bt_tx_power);
        v
    }
}

/// Whether a record's stored CRC matches bytes 8..72.
pub fn record_crc_ok(r: &[u8; RECORD_LEN], crc: &dyn Crc32) -> bool {
    u32::from_le_bytes([r[4], r[5], r[6], r[7]]) == crc.crc32(&r[8..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crc::HostCrc;

    /// A synthetic file in the distro style of spec §2.6 (no efuse section).
    pub(crate) const DISTRO_STYLE: &str = "##head\nmagic:0xba80\nversion:0x2\ncrc:0x0\n\
##iq&xtal\niQ_offset:0x0\nfreq_cal:0x100\nfreq_cal_flags:0x1\n\
##2.4g_power_11n\nch1:0x1400\nch7:0x1400\nch13:0x1400\ntx_power_type:0xff\ntemperature:0x0\n\
##5g_power_11n\nch36-40:0x1400\nch44-48:0x1400\nch52-56:0x1400\nch60-64:0x1400\n\
ch100-104:0x1400\nch108-112:0x1400\nch116-120:0x1400\nch124-128:0x1400\nch132-136:0x1400\n\
ch140-144:0x1400\nch149-153:0x1400\nch157-161:0x1400\nch165-169:0x1400\n\
tx_power_flags_5G:0x0\ntemperature_5G:0x0\n\
##bt\nbdr_div:0x5\nbdr_power:0x10\nedr_div:0x5\nedr_power:0x15\n%%\n";

    #[test]
    fn parses_thirty_fields_without_efuse() {
        let f = Factory::parse(DISTRO_STYLE.as_bytes()).unwrap();
        assert_eq!(f.field_count(), 30);
        assert_eq!(f.magic, 0xBA80);
        assert_eq!(f.freq_cal, 0x100);
        assert_eq!(f.tx_power_type, 0xFF);
        assert_eq!(f.tx_power_ch_5g, [0x1400; 13]);
        assert_eq!(f.bt_tx_power, [5, 0x10, 5, 0x15]);
        assert_eq!(f.select_efuse, None);
        let mut w = Vec::new();
        f.sanity(|x| w.push(x));
        assert_eq!(w, vec![Warning::NoEfuseSection]);
    }

    #[test]
    fn parses_thirty_one_fields_with_efuse_and_crlf() {
        let t = DISTRO_STYLE
            .replace("%%\n", "##select_efuse_flag\nselect_efuse:0x1\n%%\n")
            .replace('\n', "\r\n");
        let f = Factory::parse(t.as_bytes()).unwrap();
        assert_eq!(f.field_count(), 31);
        assert_eq!(f.select_efuse, Some(1));
    }

    /// Spec errata 15: the vendor build sends no record for a file without the efuse
    /// section, so the chip keeps its efuse calibration; with the section, the record.
    #[test]
    fn download_record_only_with_the_efuse_section() {
        let distro = Factory::parse(DISTRO_STYLE.as_bytes()).unwrap();
        assert_eq!(distro.download_record(&HostCrc), None);
        let t = DISTRO_STYLE.replace("%%\n", "##select_efuse_flag\nselect_efuse:0x0\n%%\n");
        let full = Factory::parse(t.as_bytes()).unwrap();
        assert_eq!(
            full.download_record(&HostCrc),
            Some(full.to_record(&HostCrc))
        );
    }

    #[test]
    fn missing_section_is_named() {
        let t = DISTRO_STYLE.replace("##bt\n", "");
        assert_eq!(
            Factory::parse(t.as_bytes()),
            Err(ParseError::MissingSection("##bt"))
        );
        let t = DISTRO_STYLE.replace("##head\n", "");
        assert_eq!(
            Factory::parse(t.as_bytes()),
            Err(ParseError::MissingSection("##head"))
        );
        let t = DISTRO_STYLE.replace("ch7:0x1400\n", "");
        assert!(matches!(
            Factory::parse(t.as_bytes()),
            Err(ParseError::Unexpected {
                expected: "ch7",
                ..
            })
        ));
        let t = DISTRO_STYLE.replace("edr_power:0x15\n", "");
        assert_eq!(
            Factory::parse(t.as_bytes()),
            Err(ParseError::MissingField("edr_power"))
        );
        let t = DISTRO_STYLE.replace("%%\n", "");
        assert_eq!(Factory::parse(t.as_bytes()), Err(ParseError::NoEndMarker));
    }

    #[test]
    fn bad_values_are_refused() {
        let t = DISTRO_STYLE.replace("freq_cal_flags:0x1", "freq_cal_flags:0x100");
        assert!(matches!(
            Factory::parse(t.as_bytes()),
            Err(ParseError::BadValue {
                field: "freq_cal_flags",
                ..
            })
        ));
        let t = DISTRO_STYLE.replace("magic:0xba80", "magic:zz");
        assert!(matches!(
            Factory::parse(t.as_bytes()),
            Err(ParseError::BadValue { field: "magic", .. })
        ));
        let t = DISTRO_STYLE.replace("%%\n", "%%\nmore\n");
        assert!(matches!(
            Factory::parse(t.as_bytes()),
            Err(ParseError::TrailingData(_))
        ));
        let long = "#".repeat(601);
        assert_eq!(
            Factory::parse(long.as_bytes()),
            Err(ParseError::TooLong(601))
        );
    }

    fn arb_factory() -> impl proptest::strategy::Strategy<Value = Factory> {
        use proptest::prelude::*;
        (
            (
                any::<u16>(),
                1u16..=2,
                any::<u32>(),
                any::<u32>(),
                any::<u16>(),
                any::<u8>(),
            ),
            (
                any::<[u16; 3]>(),
                any::<u8>(),
                any::<u16>(),
                any::<[u16; 13]>(),
            ),
            (
                any::<u16>(),
                any::<u16>(),
                any::<[u32; 4]>(),
                proptest::option::of(any::<u16>()),
            ),
        )
            .prop_map(
                |((magic, version, crc, iq, fc, fcf), (p24, ty, t, p5), (f5, t5, bt, ef))| {
                    Factory {
                        magic,
                        version,
                        crc,
                        iq_offset: iq,
                        freq_cal: fc,
                        freq_cal_flags: fcf,
                        tx_power_ch: p24,
                        tx_power_type: ty,
                        temperature: t,
                        tx_power_ch_5g: p5,
                        tx_power_flags_5g: f5,
                        temperature_5g: t5,
                        bt_tx_power: bt,
                        select_efuse: ef,
                    }
                },
            )
    }

    proptest::proptest! {
        /// parse(write_text(f)) == f, and the record keeps every value.
        #[test]
        fn text_and_record_round_trip(f in arb_factory()) {
            let mut s = String::new();
            f.write_text(&mut s).unwrap();
            // Large values can push the text past the vendor's 600-byte limit; the parser
            // refuses such a file like the vendor does, and `calib convert` will not write it.
            if s.len() <= MAX_TEXT_LEN {
                proptest::prop_assert_eq!(Factory::parse(s.as_bytes()), Ok(f));
            } else {
                proptest::prop_assert_eq!(Factory::parse(s.as_bytes()), Err(ParseError::TooLong(s.len())));
            }
            let r = f.to_record(&HostCrc);
            let back = Factory::from_record(&r, &HostCrc).unwrap();
            proptest::prop_assert_eq!(back.calib_record(), f.calib_record());
        }
    }

    #[test]
    fn record_round_trips_and_carries_a_fresh_crc() {
        let mut f = Factory::parse(DISTRO_STYLE.as_bytes()).unwrap();
        f.crc = 0x1234_5678;
        let r = f.to_record(&HostCrc);
        assert!(record_crc_ok(&r, &HostCrc));
        let back = Factory::from_record(&r, &HostCrc).unwrap();
        assert_eq!(back.crc, HostCrc.crc32(&r[8..]));
        assert_eq!(back.freq_cal, f.freq_cal);
        assert_eq!(back.bt_tx_power, f.bt_tx_power);
        assert_eq!(back.select_efuse, Some(0));
        let mut s = String::new();
        back.write_text(&mut s).unwrap();
        assert_eq!(Factory::parse(s.as_bytes()).unwrap(), back);
        let mut bad = r;
        bad[30] ^= 1;
        assert_eq!(
            Factory::from_record(&bad, &HostCrc),
            Err(bes2600_wire::Error::Checksum)
        );
    }
}
