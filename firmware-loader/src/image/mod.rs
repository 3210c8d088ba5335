// SPDX-License-Identifier: GPL-2.0-only
//! Firmware image format (spec §2.1-2.2).
//!
//! An image starts with four little-endian u32 words {entry, param, sp, exec_addr} and ends
//! with a 4-byte load-address trailer that is never downloaded. The CRC sent in END covers
//! everything but the trailer.

use crate::crc::Crc32;

pub mod check;
pub mod known;
pub mod view;

pub use view::{ImageRepr, ImageView};

/// Length of the image header: {entry, param, sp, exec_addr} (spec §2.2).
pub const HEADER_LEN: usize = 16;
/// Length of the load-address trailer, `CODE_DATA_USELESS_SIZE` (spec §2.2).
pub const TRAILER_LEN: usize = 4;
/// Smallest image we accept: a header, one code word and the trailer.
pub const MIN_IMAGE_LEN: usize = HEADER_LEN + 4 + TRAILER_LEN;
/// Largest image we accept. The chip's RAM size is not documented (spec §9); the largest
/// known image is 251652 bytes (spec §2.1), so 1 MiB leaves room and stops garbage early.
pub const MAX_IMAGE_LEN: usize = 1 << 20;
/// Longest version string we report; the known ones are under 64 bytes (spec §2.1).
pub const MAX_VERSION_LEN: usize = 96;

/// Entry word of the stage-1 boot/DPD image (spec §2.2).
pub const ENTRY_BOOT: u32 = 0x0020_15D5;
/// Entry word of the stage-2 "signal" image (spec §2.2).
pub const ENTRY_SIGNAL: u32 = 0x0020_0769;
/// Entry word shared by the nosignal and btrf images (spec §2.2).
pub const ENTRY_NOSIGNAL_BTRF: u32 = 0x0020_0629;

/// Which role a firmware file plays (spec §2.1, §2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Stage 1: boot / DPD-calibration firmware.
    Boot,
    /// Stage 2: normal Wi-Fi ("signal") firmware, `fw_type` 0.
    Signal,
    /// Stage 2: RF-test ("nosignal") firmware, `fw_type` 1.
    Nosignal,
    /// BT-only RF firmware, `fw_type` 2 (no boot/DPD stage).
    Btrf,
}

impl Kind {
    /// All kinds, in download order of a full set.
    pub const ALL: [Kind; 4] = [Kind::Boot, Kind::Signal, Kind::Nosignal, Kind::Btrf];

    /// The file name under `/lib/firmware/bes2600/` (spec §2.1).
    pub const fn file_name(self) -> &'static str {
        match self {
            Kind::Boot => "best2002_fw_boot_sdio.bin",
            Kind::Signal => "best2002_fw_sdio.bin",
            Kind::Nosignal => "best2002_fw_sdio_nosignal.bin",
            Kind::Btrf => "best2002_fw_sdio_btrf.bin",
        }
    }

    /// The name to pass to `request_firmware` (relative to `/lib/firmware`, spec §2.1).
    pub const fn firmware_name(self) -> &'static str {
        match self {
            Kind::Boot => "bes2600/best2002_fw_boot_sdio.bin",
            Kind::Signal => "bes2600/best2002_fw_sdio.bin",
            Kind::Nosignal => "bes2600/best2002_fw_sdio_nosignal.bin",
            Kind::Btrf => "bes2600/best2002_fw_sdio_btrf.bin",
        }
    }

    /// Classifies a file by its base name (spec §2.1); `None` for an unknown name.
    pub fn from_file_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.file_name() == name)
    }

    /// A short lower-case label (`boot`, `signal`, `nosignal`, `btrf`).
    pub const fn label(self) -> &'static str {
        match self {
            Kind::Boot => "boot",
            Kind::Signal => "signal",
            Kind::Nosignal => "nosignal",
            Kind::Btrf => "btrf",
        }
    }

    /// Whether an image with entry word class `class` may play this role.
    pub fn matches(self, class: EntryClass) -> bool {
        matches!(
            (self, class),
            (Kind::Boot, EntryClass::Boot)
                | (Kind::Signal, EntryClass::Signal)
                | (Kind::Nosignal | Kind::Btrf, EntryClass::NosignalOrBtrf)
                | (_, EntryClass::Unknown)
        )
    }
}

/// What the entry word says about an image (spec §2.2). Nosignal and btrf share one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryClass {
    /// `0x002015D5`: the boot image.
    Boot,
    /// `0x00200769`: the signal image.
    Signal,
    /// `0x00200629`: the nosignal or the btrf image.
    NosignalOrBtrf,
    /// Any other word: a build we do not know.
    Unknown,
}

impl EntryClass {
    /// Classifies an entry word.
    pub const fn of(entry: u32) -> EntryClass {
        match entry {
            ENTRY_BOOT => EntryClass::Boot,
            ENTRY_SIGNAL => EntryClass::Signal,
            ENTRY_NOSIGNAL_BTRF => EntryClass::NosignalOrBtrf,
            _ => EntryClass::Unknown,
        }
    }
}

/// Why an image was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageError {
    /// Shorter than [`MIN_IMAGE_LEN`].
    TooShort(usize),
    /// Longer than [`MAX_IMAGE_LEN`].
    TooLong(usize),
    /// The code length (file minus trailer) is not a multiple of 4.
    Unaligned(usize),
    /// Neither header word 3 nor the trailer gives a load address.
    NoLoadAddress,
}

impl core::fmt::Display for ImageError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ImageError::TooShort(n) => {
                write!(f, "image is {n} bytes, at least {MIN_IMAGE_LEN} expected")
            }
            ImageError::TooLong(n) => {
                write!(f, "image is {n} bytes, at most {MAX_IMAGE_LEN} accepted")
            }
            ImageError::Unaligned(n) => write!(f, "code length {n} is not a multiple of 4"),
            ImageError::NoLoadAddress => {
                f.write_str("header word 3 and the trailer are both 0 (no load address)")
            }
        }
    }
}

/// The 16-byte image header (spec §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Entry point; also identifies the image role (spec §2.2).
    pub entry: u32,
    /// Parameter word.
    pub param: u32,
    /// Initial stack pointer.
    pub sp: u32,
    /// Execution (load) address as the header states it.
    pub exec_addr: u32,
}

/// A parsed, length-checked firmware image borrowing the file contents.
#[derive(Debug, Clone, Copy)]
pub struct Image<'a> {
    data: &'a [u8],
    repr: ImageRepr,
    crc: u32,
}

impl<'a> Image<'a> {
    /// Checks sizes and the load address ([`ImageRepr::parse`]) and computes the CRC over
    /// `data[..len-4]`. This is what the vendor loader needs to download the file; whether
    /// the chip can run it is [`check::check`]'s question.
    ///
    /// # Errors
    ///
    /// See [`ImageError`].
    pub fn parse(data: &'a [u8], crc: &dyn Crc32) -> Result<Self, ImageError> {
        let view = ImageView::new_checked(data)?;
        let repr = ImageRepr::parse(&view)?;
        Ok(Image {
            data,
            repr,
            crc: crc.crc32(view.code()),
        })
    }

    /// The parsed header.
    pub fn header(&self) -> Header {
        Header {
            entry: self.repr.entry,
            param: self.repr.param,
            sp: self.repr.sp,
            exec_addr: self.repr.exec_addr,
        }
    }

    /// The parsed layout.
    pub fn repr(&self) -> ImageRepr {
        self.repr
    }

    /// The whole file.
    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// The bytes that are downloaded: everything but the trailer.
    pub fn code(&self) -> &'a [u8] {
        self.data.get(..self.repr.code_len).unwrap_or(&[])
    }

    /// The trailer word (last 4 bytes).
    pub fn trailer(&self) -> u32 {
        self.repr.trailer
    }

    /// The load address: header word 3, unless it is 0 or differs from a non-zero trailer,
    /// in which case the trailer wins (spec §2.2, [`ImageRepr::load_addr`]).
    pub fn load_addr(&self) -> u32 {
        self.repr.load_addr()
    }

    /// Whether header word 3 and the trailer are both non-zero and differ
    /// ([`check::Defect::HeaderTrailerMismatch`]).
    pub fn load_addr_conflict(&self) -> bool {
        let r = &self.repr;
        r.trailer != 0 && r.exec_addr != 0 && r.exec_addr != r.trailer
    }

    /// CRC-32 over the downloaded bytes, as sent in END (spec §2.2).
    pub fn crc(&self) -> u32 {
        self.crc
    }

    /// The role the entry word indicates.
    pub fn entry_class(&self) -> EntryClass {
        EntryClass::of(self.repr.entry)
    }

    /// The version string, found like the vendor driver does: scan backwards from the end
    /// for a three-letter month name, then take printable bytes (spec §2.2).
    pub fn version(&self) -> Option<&'a [u8]> {
        find_version(self.data)
    }

    /// The version string when it starts with a well-formed `Mmm dd yyyy hh:mm:ss` build
    /// stamp ([`check::is_stamp`]); `None` when the scan finds nothing or something else.
    pub fn stamp(&self) -> Option<&'a [u8]> {
        self.version().filter(|v| check::is_stamp(v))
    }
}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// Scans `data` backwards for the version string like the vendor driver: from 3 bytes
/// before the end down to offset 1, the last three-letter English month name
/// (C:bes_fw_common.c:103-124); then the printable bytes from there, at most
/// [`MAX_VERSION_LEN`]. See [`Image::version`].
pub fn find_version(data: &[u8]) -> Option<&[u8]> {
    let last = data.len().checked_sub(3)?;
    let at = (1..=last).rev().find(|&i| {
        data.get(i..i + 3)
            .is_some_and(|w| MONTHS.iter().any(|m| w == *m))
    })?;
    let rest = data.get(at..)?;
    let end = rest
        .iter()
        .position(|&b| !(0x20..0x7f).contains(&b))
        .unwrap_or(rest.len())
        .min(MAX_VERSION_LEN);
    rest.get(..end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crc::HostCrc;

    fn image(entry: u32, exec: u32, trailer: u32, code_words: usize, stamp: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        for w in [entry, 0, 0x2004_0000, exec] {
            v.extend_from_slice(&w.to_le_bytes());
        }
        v.extend((0..code_words * 4).map(|i| (i * 7) as u8 & 0x1f));
        v.extend_from_slice(stamp);
        while v.len() % 4 != 0 {
            v.push(0);
        }
        v.extend_from_slice(&trailer.to_le_bytes());
        v
    }

    #[test]
    fn parses_header_crc_and_version() {
        let f = image(
            ENTRY_BOOT,
            0x2000_0168,
            0x2000_0168,
            16,
            b"Dec 27 2023 11:55:58 abc:boot\0",
        );
        let img = Image::parse(&f, &HostCrc).unwrap();
        assert_eq!(img.header().entry, ENTRY_BOOT);
        assert_eq!(img.load_addr(), 0x2000_0168);
        assert!(!img.load_addr_conflict());
        assert_eq!(img.crc(), HostCrc.crc32(&f[..f.len() - 4]));
        assert_eq!(img.code().len(), f.len() - 4);
        assert_eq!(img.entry_class(), EntryClass::Boot);
        assert_eq!(img.version(), Some(&b"Dec 27 2023 11:55:58 abc:boot"[..]));
    }

    #[test]
    fn trailer_wins_when_header_is_zero_or_differs() {
        let f = image(ENTRY_SIGNAL, 0, 0x2000_0200, 4, b"");
        assert_eq!(Image::parse(&f, &HostCrc).unwrap().load_addr(), 0x2000_0200);
        let f = image(ENTRY_SIGNAL, 0x2000_0100, 0x2000_0200, 4, b"");
        let img = Image::parse(&f, &HostCrc).unwrap();
        assert_eq!(img.load_addr(), 0x2000_0200);
        assert!(img.load_addr_conflict());
        let f = image(ENTRY_SIGNAL, 0x2000_0100, 0, 4, b"");
        assert_eq!(Image::parse(&f, &HostCrc).unwrap().load_addr(), 0x2000_0100);
        let f = image(ENTRY_SIGNAL, 0, 0, 4, b"");
        assert_eq!(
            Image::parse(&f, &HostCrc).unwrap_err(),
            ImageError::NoLoadAddress
        );
    }

    #[test]
    fn rejects_bad_sizes() {
        assert_eq!(
            Image::parse(&[0; 8], &HostCrc).unwrap_err(),
            ImageError::TooShort(8)
        );
        let mut f = image(ENTRY_SIGNAL, 0x2000_0168, 0x2000_0168, 4, b"");
        f.insert(20, 0);
        assert!(matches!(
            Image::parse(&f, &HostCrc),
            Err(ImageError::Unaligned(_))
        ));
        let big = vec![0u8; MAX_IMAGE_LEN + 4];
        assert!(matches!(
            Image::parse(&big, &HostCrc),
            Err(ImageError::TooLong(_))
        ));
    }

    #[test]
    fn kinds_and_entry_classes() {
        assert_eq!(
            Kind::from_file_name("best2002_fw_sdio_btrf.bin"),
            Some(Kind::Btrf)
        );
        assert_eq!(Kind::from_file_name("foo.bin"), None);
        for k in Kind::ALL {
            assert_eq!(
                k.firmware_name().strip_prefix("bes2600/"),
                Some(k.file_name())
            );
        }
        assert!(Kind::Btrf.matches(EntryClass::of(ENTRY_NOSIGNAL_BTRF)));
        assert!(!Kind::Signal.matches(EntryClass::of(ENTRY_BOOT)));
        assert!(Kind::Signal.matches(EntryClass::Unknown));
    }

    #[test]
    fn no_version_when_no_month() {
        assert_eq!(find_version(b"xxxxJanuaryxx"), Some(&b"Januaryxx"[..]));
        assert_eq!(find_version(b"ab"), None);
        assert_eq!(find_version(b"..Jan 1\x00Feb 2\x01"), Some(&b"Feb 2"[..]));
        // Like C, a month name needs no space after it, and offset 0 is never looked at.
        assert_eq!(find_version(b"Jan.Decx\x00"), Some(&b"Decx"[..]));
        assert_eq!(find_version(b"Jan\x00\x00"), None);
    }

    proptest::proptest! {
        /// The load-address rule of spec §2.2 for any header word and trailer.
        #[test]
        fn load_address_rule(exec in proptest::prelude::any::<u32>(), trailer in proptest::prelude::any::<u32>(), words in 1usize..64) {
            let f = image(ENTRY_SIGNAL, exec, trailer, words, b"");
            match Image::parse(&f, &HostCrc) {
                Ok(img) => {
                    let want = if trailer != 0 { trailer } else { exec };
                    proptest::prop_assert_eq!(img.load_addr(), want);
                    proptest::prop_assert_eq!(img.code(), &f[..f.len() - 4]);
                }
                Err(e) => proptest::prop_assert!(exec == 0 && trailer == 0 && e == ImageError::NoLoadAddress),
            }
        }
    }
}
