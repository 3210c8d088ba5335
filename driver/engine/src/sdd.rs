// SPDX-License-Identifier: GPL-2.0-only
//! The SDD the engine sends in Configuration 0x0009 (spec §3.3, §3.10, errata 12), built
//! from named values.
//!
//! The vendor build sends its static SDD (`CONFIG_BES2600_STATIC_SDD ?= y`, C:Makefile:11;
//! C:sta.c:1872-1967) to both interfaces (C:sta.c:1970-2030). Here it is written down as what
//! it is: a version, three sections of typed elements and the last section header
//! (`bes2600_wire::wsm::sdd` has the layout and the element ids). The values are the ones
//! of the shipped build's macros (`TEST_11B=0`, `DPD_CALI=0`, `CHIP_WIFI_ROM_VER=1`,
//! `WIFI_OUT_FEM=0`, `RF_TX_CONTROL_IO=16`, C:Makefile:171-185). Where an element's unit is
//! known it is in its name; the others (PA and detector characterisation) are the raw
//! calibration words, kept as signed or unsigned 16-bit values as their element defines them.
//!
//! The result is 832 bytes, element for element and byte for byte what C sends (the tests
//! check the length, the element order of spec §3.10 and the CRC-32 of the vendor's table).
//! A caller with its own SDD file (C's `request_firmware` path when the static SDD is off)
//! passes it in [`crate::StartConfig::sdd`] instead.

use bes2600_wire::wsm::sdd::{section, ElementId, ElementRepr, SectionHeader, ELEMENT_ALIGN};
use bes2600_wire::Error;

/// Length of the built SDD in bytes (spec §3.10).
pub const SDD_LEN: usize = 832;

/// SDD format version: 2.3.
pub const VERSION: (u8, u8) = (2, 3);
/// Reference clock: 26 MHz, in kHz (the family's 0xC5 codes the frequency in kHz).
pub const REFERENCE_FREQUENCY_KHZ: u16 = 26_000;
/// Reference clock start-up time (the family's unit; the vendor comment gives none).
pub const REF_CLK_STARTUP_TIME: u16 = 5;
/// Sleep-clock wake-up drift margin, µs per second (C:sta.c:1878 names it).
pub const WAKEUP_MARGIN_US_PER_S: u16 = 3000;
/// The SDD's label in the dynamic section.
pub const LABEL: &[u8] = b"ADB_2905_1250_R20_Low_SMPS_v7.01";
/// Packet-traffic-arbitration (BT coexistence) configuration: 30 bytes, only the first 15
/// set.
pub const PTA_CONFIG: [u8; 30] = [
    6, 0, 129, 2, 1, 52, 13, 33, 17, 29, 124, 133, 107, 110, 13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0,
];
/// Front-end module control table: the RF switch GPIO levels of the build without an
/// external FEM (`WIFI_OUT_FEM=0`, `RF_TX_CONTROL_IO=16`).
pub const FEM_CONTROL_TABLE: [u8; 34] = [
    1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0,
    0, 0,
];
/// The static section's declared length. It holds 80 bytes but declares 76, as in C: the
/// wake-up margin element appears to have been added without updating it. Sent as C sends
/// it; the other sections declare what they hold.
pub const STATIC_SECTION_DECLARED_LEN: u16 = 76;

/// How an element's value is laid out in its payload (little-endian; then zero padding to
/// a multiple of 4 bytes, header included).
#[derive(Debug, Clone, Copy)]
enum Value {
    /// `n` zero bytes.
    Zeros(usize),
    /// One u16.
    U16(u16),
    /// u16 words.
    U16s(&'static [u16]),
    /// i16 words.
    I16s(&'static [i16]),
    /// Raw bytes (a string, a GPIO table).
    Bytes(&'static [u8]),
    /// u16 count, then per channel `{u8 channel, u8 value, u8 value}`.
    ChannelPower3(&'static [(u8, u8, u8)]),
    /// u16 count, then per channel `{u8 channel, u8 value}`.
    ChannelPower2(&'static [(u8, u8)]),
}

/// One section: header fields and elements (the end-of-content element is added).
struct Section {
    id: u8,
    major: u8,
    minor: u8,
    declared_len: Option<u16>,
    elements: &'static [(ElementId, Value)],
}

#[rustfmt::skip]
const STATIC: &[(ElementId, Value)] = &[
    (ElementId::PinConfig, Value::Zeros(10)),
    (ElementId::ReferenceFrequency, Value::U16(REFERENCE_FREQUENCY_KHZ)),
    (ElementId::RefClkStartupTime, Value::U16(REF_CLK_STARTUP_TIME)),
    (ElementId::WakeupMargin, Value::U16(WAKEUP_MARGIN_US_PER_S)),
    (ElementId::Smps, Value::U16s(&[0, 56, 128, 120, 128])),
    (ElementId::PtaConfig, Value::Bytes(&PTA_CONFIG)),
];

#[rustfmt::skip]
const DYNAMIC: &[(ElementId, Value)] = &[
    (ElementId::Label, Value::Bytes(LABEL)),
];

#[rustfmt::skip]
const PHY: &[(ElementId, Value)] = &[
    (ElementId::ChMaxOutputPower2g4, Value::ChannelPower3(&[(1, 192, 192), (2, 192, 192), (11, 192, 192), (12, 192, 192), (13, 192, 192)])),
    (ElementId::ChMaxOutputPower5g, Value::ChannelPower2(&[(184, 120), (34, 120), (52, 120), (100, 120), (149, 120)])),
    (ElementId::MaxOutputPower2g4, Value::U16s(&[284, 284, 280, 280, 280, 280, 280, 272, 256, 240, 224, 0, 0])),
    (ElementId::MaxOutputPower5g, Value::U16s(&[292, 292, 292, 292, 292, 292, 276, 260, 244, 228, 212, 0, 0])),
    (ElementId::PowerBoVolt2g4, Value::U16s(&[909, 627, 883, 832, 691, 1088, 1229, 95, 1280, 95, 1331, 95, 0])),
    (ElementId::PowerBoVolt5g, Value::U16s(&[883, 627, 653, 832, 538, 1088, 1024, 56, 1229, 102, 1280, 87, 0])),
    (ElementId::PowerBoTemp2g4, Value::U16(7)),
    (ElementId::PowerBoTemp5g, Value::U16(7)),
    (ElementId::FeCor2g4, Value::U16(8)),
    (ElementId::FeCor5g, Value::U16(8)),
    (ElementId::RssiCor2g4, Value::U16(58)),
    (ElementId::RssiCor5g, Value::U16(50)),
    (ElementId::PaGainChar2g4, Value::I16s(&[-12, 66, -35, 63, 0])),
    (ElementId::PaGainChar5g, Value::I16s(&[-128, 99, -40, 32, 0])),
    (ElementId::PaGainFreqCorr2g4, Value::I16s(&[0, 6660, 1288, -24831, 0, -614, -110, 2570, 0, 704, 108, -2692, 0, -412, -54, 1656, 0])),
    (ElementId::PaGainFreqCorr5g, Value::I16s(&[0, -2370, 228, 1296, 0, 295, 348, 68, 0, -492, -109, 176, 0, 368, 74, -145, 0])),
    (ElementId::PaGainVoltCorr2g4, Value::I16s(&[0, 944, -941, 1529, 0, -266, 132, -202, 0, 315, -152, 232, 0, -392, 125, -175, 0])),
    (ElementId::PaGainVoltCorr5g, Value::I16s(&[0, 986, -16, -204, 0, -98, -3, 13, 0, 168, -32, -2, 0, -130, 41, -16, 0])),
    (ElementId::PaGainTempCorr2g4, Value::I16s(&[0, -2040, -16, 88, 0, 11, 0, -8, 0, -119, 6, 5, 0, -46, -1, -2, 0])),
    (ElementId::PaGainTempCorr5g, Value::I16s(&[0, 172, -246, 867, 0, -207, 242, -275, 0, 88, -94, 147, 0, -76, 101, -140, 0])),
    (ElementId::PaMaxDigitalGain2g4, Value::U16s(&[320, 320, 320, 320, 320, 320, 320, 320, 320, 320, 320])),
    (ElementId::PaMaxDigitalGain5g, Value::U16s(&[352, 352, 352, 352, 352, 352, 352, 352, 352, 352, 352])),
    (ElementId::PaDetChar2g4, Value::U16s(&[18660, 17287, 59631])),
    (ElementId::PaDetChar5g, Value::U16s(&[3227, 61287, 5711])),
    (ElementId::PaDetFreqCorr2g4, Value::U16s(&[0, 17076, 0, 0, 0, 27369, 0, 0, 0, 44560, 0, 0, 0])),
    (ElementId::PaDetFreqCorr5g, Value::U16s(&[0, 37018, 0, 0, 0, 52011, 0, 0, 0, 43613, 0, 0, 0])),
    (ElementId::PaDetTempCorr2g4, Value::U16s(&[0, 13318, 0, 0, 0, 32389, 0, 0, 0, 17156, 0, 0, 0])),
    (ElementId::PaDetTempCorr5g, Value::U16s(&[0, 34320, 0, 0, 0, 14744, 0, 0, 0, 9188, 0, 0, 0])),
    (ElementId::PaDetVoltCorr2g4, Value::U16s(&[0, 46579, 0, 0, 0, 63543, 0, 0, 0, 54396, 0, 0, 0])),
    (ElementId::PaDetVoltCorr5g, Value::U16s(&[0, 3008, 0, 0, 0, 19412, 0, 0, 0, 25845, 0, 0, 0])),
    (ElementId::FemControlTable, Value::Bytes(&FEM_CONTROL_TABLE)),
];

const SECTIONS: [Section; 3] = [
    Section {
        id: section::STATIC,
        major: 1,
        minor: 0,
        declared_len: Some(STATIC_SECTION_DECLARED_LEN),
        elements: STATIC,
    },
    Section {
        id: section::DYNAMIC,
        major: 1,
        minor: 0,
        declared_len: None,
        elements: DYNAMIC,
    },
    Section {
        id: section::PHY,
        major: 1,
        minor: 0,
        declared_len: None,
        elements: PHY,
    },
];

/// Largest element payload the builder lays out.
const PAYLOAD_MAX: usize = 64;

/// Lays `v` out into `p`; returns the payload length, padding included.
fn layout(v: Value, p: &mut [u8; PAYLOAD_MAX]) -> Result<usize, Error> {
    p.fill(0);
    let mut n = 0usize;
    let mut put = |b: &[u8]| -> Result<(), Error> {
        let end = n.checked_add(b.len()).ok_or(Error::BadLength)?;
        p.get_mut(n..end)
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(b);
        n = end;
        Ok(())
    };
    let count = |len: usize| u16::try_from(len).map_err(|_| Error::BadCount);
    match v {
        Value::Zeros(k) => put(&[0; PAYLOAD_MAX][..k.min(PAYLOAD_MAX)])?,
        Value::U16(x) => put(&x.to_le_bytes())?,
        Value::U16s(xs) => xs.iter().try_for_each(|x| put(&x.to_le_bytes()))?,
        Value::I16s(xs) => xs.iter().try_for_each(|x| put(&x.to_le_bytes()))?,
        Value::Bytes(b) => put(b)?,
        Value::ChannelPower3(es) => {
            put(&count(es.len())?.to_le_bytes())?;
            es.iter().try_for_each(|&(c, a, b)| put(&[c, a, b]))?;
        }
        Value::ChannelPower2(es) => {
            put(&count(es.len())?.to_le_bytes())?;
            es.iter().try_for_each(|&(c, a)| put(&[c, a]))?;
        }
    }
    // Element (2-byte header + payload) rounded up to 4 bytes with zeros.
    let total = (2 + n).div_ceil(ELEMENT_ALIGN) * ELEMENT_ALIGN;
    let padded = total - 2;
    if padded > PAYLOAD_MAX {
        return Err(Error::BadLength);
    }
    Ok(padded)
}

/// Appends one element at `*at`.
fn put_element(out: &mut [u8], at: &mut usize, id: ElementId, payload: &[u8]) -> Result<(), Error> {
    let dst = out.get_mut(*at..).ok_or(Error::BufferTooSmall)?;
    *at += ElementRepr { id, payload }.emit(dst)?;
    Ok(())
}

/// Writes the SDD into `out`; returns its length ([`SDD_LEN`]).
///
/// # Errors
///
/// [`Error::BufferTooSmall`] when `out` is shorter than [`SDD_LEN`]; the others cannot occur
/// with the tables above (the tests build it).
pub fn build(out: &mut [u8]) -> Result<usize, Error> {
    let mut at = 0usize;
    put_element(out, &mut at, ElementId::Version, &[VERSION.0, VERSION.1])?;
    let mut p = [0u8; PAYLOAD_MAX];
    for s in &SECTIONS {
        let start = at;
        // The header's length is patched once the section is written.
        let mut h = SectionHeader {
            id: s.id,
            major: s.major,
            minor: s.minor,
            len: 0,
        };
        put_element(out, &mut at, ElementId::SectionHeader, &h.to_bytes())?;
        for &(id, v) in s.elements {
            let n = layout(v, &mut p)?;
            put_element(out, &mut at, id, p.get(..n).ok_or(Error::BadLength)?)?;
        }
        put_element(out, &mut at, ElementId::EndOfContent, &[0, 0])?;
        let held = u16::try_from(at - start).map_err(|_| Error::BadLength)?;
        h.len = s.declared_len.unwrap_or(held);
        let hdr = out
            .get_mut(start + 2..start + 8)
            .ok_or(Error::BufferTooSmall)?;
        hdr.copy_from_slice(&h.to_bytes());
    }
    let last = SectionHeader {
        id: section::LAST,
        major: 0,
        minor: 0,
        len: 0,
    };
    put_element(out, &mut at, ElementId::SectionHeader, &last.to_bytes())?;
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bes2600_wire::wsm::sdd::{check, Elements};

    /// CRC-32 (IEEE, reflected), bit by bit: enough for one test.
    fn crc32(b: &[u8]) -> u32 {
        let mut c = !0u32;
        for &x in b {
            c ^= u32::from(x);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    /// The CRC-32 of C's `sdd_22` (C:sta.c:1872-1967) with the shipped build's macros,
    /// computed from the C source; the table itself is not copied here.
    const VENDOR_SDD_CRC32: u32 = 0x463B_48B5;

    fn built() -> ([u8; 1024], usize) {
        let mut b = [0xa5u8; 1024];
        let n = build(&mut b).unwrap();
        (b, n)
    }

    #[test]
    fn same_bytes_as_the_vendor_table() {
        let (b, n) = built();
        assert_eq!(n, SDD_LEN);
        assert_eq!(crc32(&b[..n]), VENDOR_SDD_CRC32);
    }

    #[test]
    fn element_order_of_spec_3_10() {
        let (b, n) = built();
        let ids: Vec<u8> = Elements::new(&b[..n])
            .map(|e| u8::from(e.unwrap().id))
            .collect();
        #[rustfmt::skip]
        let spec: [u8; 46] = [
            0xc0, 0xc1, 0xc4, 0xc5, 0xc7, 0xe9, 0xea, 0xeb, 0xfe, 0xc1, 0xf0, 0xfe, 0xc1, 0xec,
            0xed, 0xe3, 0xe4, 0x20, 0x21, 0x22, 0x23, 0x30, 0x31, 0xe0, 0xe1, 0x40, 0x41, 0x46,
            0x47, 0x44, 0x45, 0x42, 0x43, 0x48, 0x49, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56,
            0x57, 0xc6, 0xfe, 0xc1,
        ];
        assert_eq!(ids, spec.to_vec());
    }

    #[test]
    fn passes_the_structure_check() {
        let (b, n) = built();
        let s = check(&b[..n]).unwrap();
        assert_eq!(s.version, VERSION);
        assert_eq!(s.sections, 3);
        // Only the static section's declared length differs (see the constant).
        assert_eq!(s.section_len_mismatches, 1);
    }

    #[test]
    fn named_values_are_where_the_family_puts_them() {
        let (b, n) = built();
        let find = |id: ElementId| {
            Elements::new(&b[..n])
                .map(|e| e.unwrap())
                .find(|e| e.id == id)
                .unwrap()
                .payload
                .to_vec()
        };
        assert_eq!(find(ElementId::ReferenceFrequency), 26_000u16.to_le_bytes());
        assert_eq!(find(ElementId::WakeupMargin), 3000u16.to_le_bytes());
        assert_eq!(&find(ElementId::Label)[..LABEL.len()], LABEL);
    }

    #[test]
    fn short_buffer_is_refused() {
        let mut b = [0u8; SDD_LEN - 1];
        assert_eq!(build(&mut b), Err(Error::BufferTooSmall));
    }
}
