// SPDX-License-Identifier: GPL-2.0-only
//! Structural checks: would the chip run this image where the vendor loader puts it?
//!
//! [`Image::parse`](super::Image::parse) accepts what the vendor loader would download
//! (C:bes_fw.c:485-507 checks nothing but the file's presence). [`check`] goes further and
//! finds the defects that make an image useless or dangerous on the chip. Each
//! [`Defect`] is an error for `bes2600-fw verify` and `install`:
//!
//! - the load address is outside the RAM the images use, or the image runs past it into the
//!   areas the driver writes the factory record and the DPD blob to;
//! - header word 3 and the trailer are not the same address (every published image carries
//!   its load address in both; a zero trailer is what a file cut after its padding shows);
//! - the entry point is not inside the downloaded code;
//! - the stack pointer is neither 0 (all published images) nor inside that RAM;
//! - there is no build stamp where the vendor driver looks for one.

use super::{Image, HEADER_LEN};

/// Lowest address an image may load at: the start of the chip's data RAM. All published
/// images load at 0x20000168 (spec §2.2); the driver's own RAM addresses, 0x2008B000 and
/// 0x2008C000, lie in the same region (C:bes_fw.c:1083, 1020).
pub const RAM_START: u32 = 0x2000_0000;
/// End (exclusive) of the RAM an image may occupy: the address the factory record is
/// written to before any image (C:bes_fw.c:1083, spec §2.5 step 4). The DPD blob follows at
/// 0x2008C000 (C:bes_fw.c:1020). An image reaching past this would overwrite them, or be
/// overwritten by them, so the download cannot carry more than `RAM_END - load` bytes.
pub const RAM_END: u32 = 0x2008_B000;
/// Where the instruction bus sees [`RAM_START`]. The published images enter at 0x002xxxxx
/// although they load at 0x20000168 (spec §2.2): the entry words name the same RAM through
/// this alias. Checked on all eight published images (2022 and 2023 builds): each entry word,
/// mapped back to 0x2000xxxx, lands inside its image.
pub const RAM_CODE_ALIAS: u32 = 0x0020_0000;
/// Length of a C `__DATE__ " " __TIME__` stamp, `Mmm dd yyyy hh:mm:ss`.
pub const STAMP_DATE_LEN: usize = 20;

/// A structural defect; any one makes the image unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// The load address is not in [`RAM_START`]..[`RAM_END`].
    LoadOutsideRam {
        /// The load address by the vendor rule.
        load: u32,
    },
    /// The code does not fit between the load address and [`RAM_END`].
    TooBigForRam {
        /// The load address.
        load: u32,
        /// Bytes to download.
        code_len: usize,
    },
    /// Header word 3 and the trailer differ. The vendor loader takes the trailer when it is
    /// non-zero and the header word otherwise (C:bes_fw_common.c:58-61), so it would load
    /// such a file somewhere; but every published image carries the same address in both,
    /// a zero trailer is what a file cut after its padding shows, and a zero header word or
    /// two addresses mean a file the vendor tools did not build.
    HeaderTrailerMismatch {
        /// Header word 3.
        header: u32,
        /// The trailer.
        trailer: u32,
    },
    /// The entry point, directly or through [`RAM_CODE_ALIAS`], is not inside the code
    /// after the header.
    EntryOutsideImage {
        /// Header word 0.
        entry: u32,
        /// First address of the code, as loaded.
        start: u32,
        /// End (exclusive) of the code, as loaded.
        end: u64,
    },
    /// Header word 2 is neither 0, as in every published image, nor an address in
    /// [`RAM_START`]..=[`RAM_END`]. (Header word 1, `param`, is 0 in every published image
    /// too, but nothing says what it means, so it is not judged.)
    StackOutsideRam {
        /// Header word 2.
        sp: u32,
    },
    /// The vendor's backwards scan for a month name (C:bes_fw_common.c:103-124) finds no
    /// `Mmm dd yyyy hh:mm:ss` build stamp.
    NoVersionStamp,
}

impl core::fmt::Display for Defect {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            Defect::LoadOutsideRam { load } => write!(
                f,
                "load address {load:#010x} is outside the chip RAM the images use \
                 ({RAM_START:#010x}..{RAM_END:#010x})"
            ),
            Defect::TooBigForRam { load, code_len } => write!(
                f,
                "{code_len} bytes loaded at {load:#010x} run past {RAM_END:#010x}, where the \
                 factory calibration and DPD data go"
            ),
            Defect::HeaderTrailerMismatch { header, trailer: 0 } => write!(
                f,
                "the load-address trailer is 0 while the header says {header:#010x}: \
                 the file looks cut short"
            ),
            Defect::HeaderTrailerMismatch { header, trailer } => write!(
                f,
                "header exec address {header:#010x} and trailer {trailer:#010x} disagree \
                 (the vendor loader would load at the trailer's address)"
            ),
            Defect::EntryOutsideImage { entry, start, end } => write!(
                f,
                "entry point {entry:#010x} is outside the loaded code \
                 ({start:#010x}..{end:#010x})"
            ),
            Defect::StackOutsideRam { sp } => write!(
                f,
                "stack pointer {sp:#010x} is neither 0 nor inside the chip RAM \
                 ({RAM_START:#010x}..={RAM_END:#010x})"
            ),
            Defect::NoVersionStamp => f.write_str(
                "no build stamp: the vendor driver's backwards scan for a month name finds no \
                 `Mmm dd yyyy hh:mm:ss` date (spec §2.2)",
            ),
        }
    }
}

/// The defects of one image, in a fixed-size list (no allocation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Defects {
    list: [Option<Defect>; 6],
    len: usize,
}

impl Defects {
    fn push(&mut self, d: Defect) {
        if let Some(slot) = self.list.get_mut(self.len) {
            *slot = Some(d);
            self.len += 1;
        }
    }

    /// Whether the image has no defect.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The defects found, in check order.
    pub fn iter(&self) -> impl Iterator<Item = Defect> + '_ {
        self.list.iter().flatten().copied()
    }
}

/// Runs every structural check on a parsed image.
pub fn check(img: &Image<'_>) -> Defects {
    let mut d = Defects::default();
    let h = img.header();
    let load = img.load_addr();
    let code_len = img.code().len();
    // CAST: addresses are u32; u64 sums cannot overflow.
    let end = u64::from(load) + code_len as u64;
    if !(RAM_START..RAM_END).contains(&load) {
        d.push(Defect::LoadOutsideRam { load });
    } else if end > u64::from(RAM_END) {
        d.push(Defect::TooBigForRam { load, code_len });
    }
    if h.exec_addr != img.trailer() {
        d.push(Defect::HeaderTrailerMismatch {
            header: h.exec_addr,
            trailer: img.trailer(),
        });
    }
    if !entry_inside(h.entry, load, end) {
        d.push(Defect::EntryOutsideImage {
            entry: h.entry,
            start: load,
            end,
        });
    }
    if h.sp != 0 && !(RAM_START..=RAM_END).contains(&h.sp) {
        d.push(Defect::StackOutsideRam { sp: h.sp });
    }
    if img.stamp().is_none() {
        d.push(Defect::NoVersionStamp);
    }
    d
}

/// Whether `entry` (Thumb bit ignored) points into the code after the header, either as a
/// data address or through [`RAM_CODE_ALIAS`].
fn entry_inside(entry: u32, load: u32, end: u64) -> bool {
    let e = u64::from(entry & !1);
    let first = u64::from(load) + HEADER_LEN as u64;
    let direct = (first..end).contains(&e);
    let alias = u64::from(RAM_START - RAM_CODE_ALIAS) + e;
    direct || (e >= u64::from(RAM_CODE_ALIAS) && (first..end).contains(&alias))
}

/// Whether `s` starts with a C `__DATE__ " " __TIME__` stamp: `Mmm dd yyyy hh:mm:ss`, the
/// day padded with a space below 10 (as in the published `Dec  1 2022 11:32:06 …`).
pub fn is_stamp(s: &[u8]) -> bool {
    let Some(s) = s.get(..STAMP_DATE_LEN) else {
        return false;
    };
    let digit = |i: usize| s.get(i).is_some_and(u8::is_ascii_digit);
    let at = |i: usize, c: u8| s.get(i) == Some(&c);
    super::MONTHS.iter().any(|m| s.starts_with(*m))
        && at(3, b' ')
        && (digit(4) || at(4, b' '))
        && digit(5)
        && at(6, b' ')
        && (7..11).all(digit)
        && at(11, b' ')
        && digit(12)
        && digit(13)
        && at(14, b':')
        && digit(15)
        && digit(16)
        && at(17, b':')
        && digit(18)
        && digit(19)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_of_the_published_builds_pass() {
        for s in [
            &b"Dec 27 2023 11:55:58 8125e20be:best2002_fw_boot"[..],
            b"Dec  1 2022 11:32:06 9df4c0e12-dirty:best2002_fw",
            b"Nov 24 2026 12:00:00",
        ] {
            assert!(is_stamp(s), "{}", String::from_utf8_lossy(s));
        }
        for s in [
            &b"Dec 27 2023 11:55"[..],
            b"Decx27 2023 11:55:58",
            b"Dec 27 2O23 11:55:58",
            b"Foo 27 2023 11:55:58",
            b"Dec 27 2023 11-55:58",
        ] {
            assert!(!is_stamp(s), "{}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn entries_of_the_published_builds_are_inside() {
        // (entry, file length) of the eight published images, all loaded at 0x20000168.
        for (entry, len) in [
            (0x0020_15D5u32, 165_024u64),
            (0x0020_0769, 251_652),
            (0x0020_0629, 220_296),
            (0x0020_0629, 132_640),
            (0x0020_15B5, 157_240),
            (0x0020_0939, 221_344),
            (0x0020_07AD, 204_060),
            (0x0020_07B1, 120_844),
        ] {
            assert!(entry_inside(entry, 0x2000_0168, 0x2000_0168 + len - 4));
        }
        let end = 0x2000_0168 + 0x1000;
        assert!(entry_inside(0x2000_0179, 0x2000_0168, end));
        assert!(
            !entry_inside(0x2000_0168, 0x2000_0168, end),
            "in the header"
        );
        assert!(
            !entry_inside(0x0020_0168, 0x2000_0168, end),
            "alias, in the header"
        );
        assert!(!entry_inside(0x2000_1169, 0x2000_0168, end), "past the end");
        assert!(
            !entry_inside(0x0000_1000, 0x2000_0168, end),
            "below the alias"
        );
        assert!(!entry_inside(u32::MAX, 0x2000_0168, end));
    }
}
