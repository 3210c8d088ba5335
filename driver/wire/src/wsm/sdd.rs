// SPDX-License-Identifier: GPL-2.0-only
//! The SDD ("static and dynamic data") that Configuration 0x0009 carries (spec §3.3, §3.10,
//! errata 12): a sequence of typed elements `{u8 id, u8 len, payload}`.
//!
//! The vendor driver sends its static SDD table (`CONFIG_BES2600_STATIC_SDD ?= y`,
//! C:Makefile:11; the table `sdd_22` of C:sta.c:1872-1967) for both interfaces
//! (C:sta.c:1970-2030). Its layout is the one of the CW1200/XR family:
//!
//! * a version element (0xC0: major, minor);
//! * sections, each opened by a section header (0xC1: section id, major, minor, reserved
//!   0, u16 section length) and closed by an end-of-content element (0xFE);
//! * a last section header with section id 0xFF and nothing after it.
//!
//! Every element is padded to a multiple of 4 bytes, header included (the family's
//! `SDD_IE_ROUNDING`). Element and section ids are the family's (`sdd_defs.h` of the Xradio
//! drivers; mainline cw1200 reads 0xC5 and 0xEB). The firmware parses this stream; [`check`]
//! is what it plausibly refuses, and what the simulated firmware refuses.
//!
//! One quirk of the vendor table: its static section declares 76 bytes for the 80 it holds
//! (the wake-up margin element 0xE9 appears not to be counted), so the section length is
//! reported by [`check`] but not required to match.

use crate::{Error, Result};

enum_with_unknown! {
    /// An SDD element id (the CW1200/XR family's `SDD_*_ELT_ID`).
    pub enum ElementId(u8) {
        /// SDD version: u8 major, u8 minor.
        Version = 0xC0,
        /// Section header: u8 section id, u8 major, u8 minor, u8 reserved, u16 length.
        SectionHeader = 0xC1,
        /// End of a section's content (padding only).
        EndOfContent = 0xFE,
        /// Static section: chip pin configuration.
        PinConfig = 0xC4,
        /// Static section: reference clock frequency, u16 kHz.
        ReferenceFrequency = 0xC5,
        /// Static section: reference clock start-up time, u16.
        RefClkStartupTime = 0xC7,
        /// Static section: sleep-clock wake-up drift margin, u16 µs per second.
        WakeupMargin = 0xE9,
        /// Static section: switched-mode power supply settings.
        Smps = 0xEA,
        /// Static section: packet traffic arbitration (BT coexistence) configuration.
        PtaConfig = 0xEB,
        /// Dynamic section: the SDD's label (NUL-padded ASCII; a BES addition).
        Label = 0xF0,
        /// PHY section: per-channel maximum output power, 2.4 GHz.
        ChMaxOutputPower2g4 = 0xEC,
        /// PHY section: per-channel maximum output power, 5 GHz.
        ChMaxOutputPower5g = 0xED,
        /// PHY section: maximum output power per rate group, 2.4 GHz.
        MaxOutputPower2g4 = 0xE3,
        /// PHY section: maximum output power per rate group, 5 GHz.
        MaxOutputPower5g = 0xE4,
        /// PHY section: power back-off against supply voltage, 2.4 GHz.
        PowerBoVolt2g4 = 0x20,
        /// PHY section: power back-off against supply voltage, 5 GHz.
        PowerBoVolt5g = 0x21,
        /// PHY section: power back-off against temperature, 2.4 GHz.
        PowerBoTemp2g4 = 0x22,
        /// PHY section: power back-off against temperature, 5 GHz.
        PowerBoTemp5g = 0x23,
        /// PHY section: front-end correction, 2.4 GHz.
        FeCor2g4 = 0x30,
        /// PHY section: front-end correction, 5 GHz.
        FeCor5g = 0x31,
        /// PHY section: RSSI correction, 2.4 GHz.
        RssiCor2g4 = 0xE0,
        /// PHY section: RSSI correction, 5 GHz.
        RssiCor5g = 0xE1,
        /// PHY section: PA gain characteristic, 2.4 GHz.
        PaGainChar2g4 = 0x40,
        /// PHY section: PA gain characteristic, 5 GHz.
        PaGainChar5g = 0x41,
        /// PHY section: PA gain temperature correction, 2.4 GHz.
        PaGainTempCorr2g4 = 0x42,
        /// PHY section: PA gain temperature correction, 5 GHz.
        PaGainTempCorr5g = 0x43,
        /// PHY section: PA gain voltage correction, 2.4 GHz.
        PaGainVoltCorr2g4 = 0x44,
        /// PHY section: PA gain voltage correction, 5 GHz.
        PaGainVoltCorr5g = 0x45,
        /// PHY section: PA gain frequency correction, 2.4 GHz.
        PaGainFreqCorr2g4 = 0x46,
        /// PHY section: PA gain frequency correction, 5 GHz.
        PaGainFreqCorr5g = 0x47,
        /// PHY section: PA maximum digital gain, 2.4 GHz.
        PaMaxDigitalGain2g4 = 0x48,
        /// PHY section: PA maximum digital gain, 5 GHz.
        PaMaxDigitalGain5g = 0x49,
        /// PHY section: PA detector characteristic, 2.4 GHz.
        PaDetChar2g4 = 0x50,
        /// PHY section: PA detector characteristic, 5 GHz.
        PaDetChar5g = 0x51,
        /// PHY section: PA detector frequency correction, 2.4 GHz.
        PaDetFreqCorr2g4 = 0x52,
        /// PHY section: PA detector frequency correction, 5 GHz.
        PaDetFreqCorr5g = 0x53,
        /// PHY section: PA detector temperature correction, 2.4 GHz.
        PaDetTempCorr2g4 = 0x54,
        /// PHY section: PA detector temperature correction, 5 GHz.
        PaDetTempCorr5g = 0x55,
        /// PHY section: PA detector voltage correction, 2.4 GHz.
        PaDetVoltCorr2g4 = 0x56,
        /// PHY section: PA detector voltage correction, 5 GHz.
        PaDetVoltCorr5g = 0x57,
        /// PHY section: front-end module control table (RF switch GPIO levels).
        FemControlTable = 0xC6,
    }
}

/// SDD section ids (the family's `SDD_*_SECT_ID`).
pub mod section {
    /// WLAN static section.
    pub const STATIC: u8 = 0x00;
    /// WLAN dynamic section.
    pub const DYNAMIC: u8 = 0x01;
    /// WLAN PHY section.
    pub const PHY: u8 = 0x03;
    /// The last section: a header alone, nothing after it.
    pub const LAST: u8 = 0xFF;
}

/// Element header: id and payload length.
pub const ELEMENT_HEADER_LEN: usize = 2;
/// Every element, header included, is a multiple of this many bytes (`SDD_IE_ROUNDING`).
pub const ELEMENT_ALIGN: usize = 4;
/// Payload length of a version element.
pub const VERSION_LEN: usize = 2;
/// Payload length of a section header.
pub const SECTION_HEADER_LEN: usize = 6;

mod field {
    use crate::field::Field;
    /// u8: element id.
    pub const ID: Field = 0..1;
    /// u8: payload length.
    pub const LEN: Field = 1..2;
}

/// A view of one SDD element at the start of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element<T: AsRef<[u8]>> {
    buf: T,
}

impl<T: AsRef<[u8]>> Element<T> {
    /// Wraps `buf` without checking it; getters may panic until [`Self::check_len`] succeeds.
    pub const fn new_unchecked(buf: T) -> Self {
        Self { buf }
    }

    /// Wraps `buf` and checks that no getter can panic.
    ///
    /// # Errors
    ///
    /// As [`Self::check_len`].
    pub fn new_checked(buf: T) -> Result<Self> {
        let e = Self::new_unchecked(buf);
        e.check_len()?;
        Ok(e)
    }

    /// Checks that the header and the whole payload are in the buffer; after `Ok`, no getter
    /// panics. `set_payload_len` voids the result.
    ///
    /// # Errors
    ///
    /// [`Error::Truncated`] without a whole header, [`Error::BadLength`] when the payload
    /// runs past the buffer.
    pub fn check_len(&self) -> Result<()> {
        let have = self.buf.as_ref().len();
        if have < ELEMENT_HEADER_LEN {
            return Err(Error::Truncated);
        }
        if self.total_len() > have {
            return Err(Error::BadLength);
        }
        Ok(())
    }

    /// The element id.
    pub fn id(&self) -> ElementId {
        ElementId::from(self.buf.as_ref()[field::ID.start])
    }

    /// The payload length field.
    pub fn payload_len(&self) -> u8 {
        self.buf.as_ref()[field::LEN.start]
    }

    /// Header plus payload.
    pub fn total_len(&self) -> usize {
        ELEMENT_HEADER_LEN + usize::from(self.payload_len())
    }

    /// The payload.
    pub fn payload(&self) -> &[u8] {
        &self.buf.as_ref()[ELEMENT_HEADER_LEN..self.total_len()]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Element<T> {
    /// Sets the element id.
    pub fn set_id(&mut self, id: ElementId) {
        self.buf.as_mut()[field::ID.start] = id.into();
    }

    /// Sets the payload length field (voids an earlier `check_len`).
    pub fn set_payload_len(&mut self, len: u8) {
        self.buf.as_mut()[field::LEN.start] = len;
    }

    /// The payload, for writing.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let end = self.total_len();
        &mut self.buf.as_mut()[ELEMENT_HEADER_LEN..end]
    }
}

/// One SDD element (the payload is borrowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ElementRepr<'a> {
    /// The element id.
    pub id: ElementId,
    /// The payload (at most 255 bytes; [`Self::buffer_len`] reports more as an error).
    pub payload: &'a [u8],
}

impl<'a> ElementRepr<'a> {
    /// Parses the element at the start of `buf` (bytes after it are ignored).
    ///
    /// # Errors
    ///
    /// As [`Element::check_len`].
    pub fn parse(buf: &'a [u8]) -> Result<Self> {
        let e = Element::new_checked(buf)?;
        let end = e.total_len();
        Ok(Self {
            id: e.id(),
            payload: &buf[ELEMENT_HEADER_LEN..end],
        })
    }

    /// Bytes [`Self::emit`] writes.
    ///
    /// # Errors
    ///
    /// [`Error::BadLength`] when the payload does not fit the u8 length field.
    pub fn buffer_len(&self) -> Result<usize> {
        if self.payload.len() > usize::from(u8::MAX) {
            return Err(Error::BadLength);
        }
        Ok(ELEMENT_HEADER_LEN + self.payload.len())
    }

    /// Writes the element at the start of `buf`; returns the bytes written.
    ///
    /// # Errors
    ///
    /// [`Error::BadLength`] as [`Self::buffer_len`]; [`Error::BufferTooSmall`] when `buf` is
    /// shorter than that.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let n = self.buffer_len()?;
        let out = buf.get_mut(..n).ok_or(Error::BufferTooSmall)?;
        let mut e = Element::new_unchecked(out);
        e.set_id(self.id);
        // CAST: buffer_len checked that the payload fits a u8.
        e.set_payload_len(self.payload.len() as u8);
        e.payload_mut().copy_from_slice(self.payload);
        Ok(n)
    }
}

/// The elements of an SDD stream, in order; stops after the first error.
#[derive(Debug, Clone)]
pub struct Elements<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> Elements<'a> {
    /// Iterates over the elements of `sdd`.
    pub fn new(sdd: &'a [u8]) -> Self {
        Self {
            rest: sdd,
            failed: false,
        }
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = Result<ElementRepr<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() || self.failed {
            return None;
        }
        match ElementRepr::parse(self.rest) {
            Ok(e) => {
                let n = ELEMENT_HEADER_LEN + e.payload.len();
                self.rest = self.rest.get(n..).unwrap_or(&[]);
                Some(Ok(e))
            }
            Err(err) => {
                self.failed = true;
                Some(Err(err))
            }
        }
    }
}

/// A section header element's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SectionHeader {
    /// Section id ([`section`]).
    pub id: u8,
    /// Section major version.
    pub major: u8,
    /// Section minor version.
    pub minor: u8,
    /// Declared section length in bytes, its own header included.
    pub len: u16,
}

impl SectionHeader {
    /// Parses a section header payload.
    ///
    /// # Errors
    ///
    /// [`Error::BadLength`] unless it is exactly [`SECTION_HEADER_LEN`] bytes,
    /// [`Error::Reserved`] when the reserved byte is not 0.
    pub fn parse(p: &[u8]) -> Result<Self> {
        let &[id, major, minor, reserved, lo, hi] = p else {
            return Err(Error::BadLength);
        };
        if reserved != 0 {
            return Err(Error::Reserved);
        }
        Ok(Self {
            id,
            major,
            minor,
            len: u16::from_le_bytes([lo, hi]),
        })
    }

    /// The payload bytes.
    pub fn to_bytes(&self) -> [u8; SECTION_HEADER_LEN] {
        let [lo, hi] = self.len.to_le_bytes();
        [self.id, self.major, self.minor, 0, lo, hi]
    }
}

/// What [`check`] found in a well-formed SDD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Summary {
    /// SDD version (major, minor).
    pub version: (u8, u8),
    /// Sections before the last one.
    pub sections: u8,
    /// Elements in all, version and section headers included.
    pub elements: u16,
    /// Sections whose declared length differs from what they hold (the vendor's static
    /// section is one, see the module docs).
    pub section_len_mismatches: u8,
}

/// Checks the structure of an SDD stream, as the firmware plausibly reads it.
///
/// # Errors
///
/// * [`Error::Truncated`]: empty, or an element cut off after its id;
/// * [`Error::BadLength`]: an element past the end, not 4-byte rounded, a version or section
///   header of the wrong size, or bytes after the last section header;
/// * [`Error::BadValue`]: no version element first, an element outside a section, a
///   section opened inside another, or no last section;
/// * [`Error::Reserved`]: a section header's reserved byte is not 0.
pub fn check(sdd: &[u8]) -> Result<Summary> {
    if sdd.is_empty() {
        return Err(Error::Truncated);
    }
    let mut it = Elements::new(sdd);
    let first = it.next().ok_or(Error::Truncated)??;
    let version = match (first.id, first.payload) {
        (ElementId::Version, &[major, minor]) => (major, minor),
        (ElementId::Version, _) => return Err(Error::BadLength),
        _ => return Err(Error::BadValue),
    };
    if !(ELEMENT_HEADER_LEN + first.payload.len()).is_multiple_of(ELEMENT_ALIGN) {
        return Err(Error::BadLength);
    }
    let mut s = Summary {
        version,
        sections: 0,
        elements: 1,
        section_len_mismatches: 0,
    };
    // (declared length, bytes so far) of the open section.
    let mut open: Option<(u16, usize)> = None;
    let mut last = false;
    for e in it {
        let e = e?;
        if last {
            return Err(Error::BadLength);
        }
        let n = ELEMENT_HEADER_LEN + e.payload.len();
        if !n.is_multiple_of(ELEMENT_ALIGN) {
            return Err(Error::BadLength);
        }
        s.elements = s.elements.saturating_add(1);
        match e.id {
            ElementId::SectionHeader => {
                if open.is_some() {
                    return Err(Error::BadValue);
                }
                let h = SectionHeader::parse(e.payload)?;
                if h.id == section::LAST {
                    last = true;
                } else {
                    open = Some((h.len, n));
                }
            }
            _ => {
                let Some((declared, so_far)) = open.as_mut() else {
                    return Err(Error::BadValue);
                };
                *so_far += n;
                if e.id == ElementId::EndOfContent {
                    if usize::from(*declared) != *so_far {
                        s.section_len_mismatches = s.section_len_mismatches.saturating_add(1);
                    }
                    s.sections = s.sections.saturating_add(1);
                    open = None;
                }
            }
        }
    }
    if !last {
        return Err(Error::BadValue);
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small synthetic SDD: version 2.3, one static section (reference clock 26 MHz),
    /// the last section.
    #[rustfmt::skip]
    const SDD: [u8; 24] = [
        0xC0, 0x02, 0x02, 0x03,                         // version 2.3
        0xC1, 0x06, 0x00, 0x01, 0x00, 0x00, 0x10, 0x00, // static section 1.0, 16 bytes
        0xC5, 0x02, 0x90, 0x65,                         // reference clock 26000 kHz
        0xFE, 0x02, 0x00, 0x00,                         // end of content
        0xC1, 0x02, 0xFF, 0x00,                         // (cut below: a last header is 6)
    ];

    fn good() -> [u8; 28] {
        let mut b = [0u8; 28];
        b[..20].copy_from_slice(&SDD[..20]);
        b[20..].copy_from_slice(&[0xC1, 0x06, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00]);
        b
    }

    #[test]
    fn deconstruct() {
        let b = good();
        let e = Element::new_checked(&b[12..]).unwrap();
        assert_eq!(e.id(), ElementId::ReferenceFrequency);
        assert_eq!(e.payload_len(), 2);
        assert_eq!(u16::from_le_bytes([e.payload()[0], e.payload()[1]]), 26000);
        let h = SectionHeader::parse(ElementRepr::parse(&b[4..]).unwrap().payload).unwrap();
        assert_eq!(
            h,
            SectionHeader {
                id: section::STATIC,
                major: 1,
                minor: 0,
                len: 16
            }
        );
        assert_eq!(h.to_bytes(), [0, 1, 0, 0, 16, 0]);
    }

    #[test]
    fn construct() {
        let mut out = [0xa5u8; 4];
        let r = ElementRepr {
            id: ElementId::ReferenceFrequency,
            payload: &26000u16.to_le_bytes(),
        };
        assert_eq!(r.emit(&mut out), Ok(4));
        assert_eq!(out, [0xC5, 0x02, 0x90, 0x65]);
        assert_eq!(r.emit(&mut out[..3]), Err(Error::BufferTooSmall));
        let big = [0u8; 256];
        let r = ElementRepr {
            id: ElementId::Label,
            payload: &big,
        };
        assert_eq!(r.buffer_len(), Err(Error::BadLength));
    }

    #[test]
    fn check_good() {
        let s = check(&good()).unwrap();
        assert_eq!(s.version, (2, 3));
        assert_eq!(s.sections, 1);
        assert_eq!(s.elements, 5);
        assert_eq!(s.section_len_mismatches, 0);
        let mut b = good();
        b[10] = 12; // the section declares less than it holds: reported, not refused
        assert_eq!(check(&b).unwrap().section_len_mismatches, 1);
    }

    #[test]
    fn check_refuses() {
        assert_eq!(check(&[]), Err(Error::Truncated));
        // Cut inside the last element.
        assert_eq!(check(&good()[..27]), Err(Error::BadLength));
        // Cut after an element id.
        assert_eq!(check(&good()[..21]), Err(Error::Truncated));
        // No version first.
        assert_eq!(check(&good()[4..]), Err(Error::BadValue));
        // No last section.
        assert_eq!(check(&good()[..20]), Err(Error::BadValue));
        // Something after the last section.
        let mut long = [0u8; 32];
        long[..28].copy_from_slice(&good());
        long[28..].copy_from_slice(&[0xFE, 0x02, 0, 0]);
        assert_eq!(check(&long), Err(Error::BadLength));
        // An element outside any section.
        let mut b = good();
        b[16] = 0xC5; // the end of content becomes a plain element: the section stays open
        assert_eq!(check(&b), Err(Error::BadValue));
        // Reserved byte of a section header.
        let mut b = good();
        b[9] = 1;
        assert_eq!(check(&b), Err(Error::Reserved));
        // An element that is not 4-byte rounded.
        let mut b = good();
        b[13] = 1;
        assert!(check(&b).is_err());
        assert_eq!(check(&SDD), Err(Error::BadLength));
    }

    #[test]
    fn iterator_stops_after_error() {
        let b = [0xC0, 0x02, 0x02, 0x03, 0xC1, 0x09, 0x00];
        let v: Vec<_> = Elements::new(&b).collect();
        assert_eq!(v.len(), 2);
        assert!(v[0].is_ok());
        assert_eq!(v[1], Err(Error::BadLength));
    }
}
