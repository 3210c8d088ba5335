// SPDX-License-Identifier: GPL-2.0-only
//! The published vendor firmware builds, recognised by sha256 (spec §2.1).
//!
//! This table is the one list of known builds in the project. The firmware recipe
//! (`meta-bes2600/recipes-bsp/bes2600-firmware`) pins the 2024 set by the same digests, and
//! a test (`tests/known_builds.rs`) fails when a recipe pin is missing here. Digests, sizes,
//! CRCs and stamps were computed from the files of
//! `sailfish-on-dontbeevil/firmware-pine64-pinetab2` (`rpm/`) at the two commits named in
//! [`Build::published`]; no byte of those files is in this repository.

use super::{Image, Kind};
use crate::sha256::{from_hex, Digest};

/// One published vendor image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Build {
    /// The role the file plays (its published file name, spec §2.1).
    pub kind: Kind,
    /// sha256 of the whole file.
    pub sha256: Digest,
    /// File length in bytes.
    pub len: usize,
    /// CRC-32 of `file[..len-4]`, as END carries it (spec §2.2).
    pub crc32: u32,
    /// The build stamp the vendor driver logs (C:bes_fw.c:494-498).
    pub stamp: &'static str,
    /// Where and when it was published: `<commit> (<date>)` of the firmware repository.
    pub published: &'static str,
}

const fn digest(hex: &str) -> Digest {
    match from_hex(hex) {
        Some(d) => d,
        None => panic!("bad digest in the known-build table"),
    }
}

const SET_2024: &str = "9622a2d (2024-01-05)";
const SET_2022: &str = "09aa11d (2022-12)";

/// Every published build. The 2024 set is the one the firmware recipe installs.
pub const BUILDS: [Build; 8] = [
    Build {
        kind: Kind::Boot,
        sha256: digest("9edccb0e14ed97f611e10ab7982e6f4804a258e016a48d2f200dce56d2411da2"),
        len: 165_024,
        crc32: 0x4973_D932,
        stamp: "Dec 27 2023 11:55:58 8125e20be:best2002_fw_boot",
        published: SET_2024,
    },
    Build {
        kind: Kind::Signal,
        sha256: digest("b04c8d70d4428c04bf2ae91883c408762169e6b595a7ecb0ce9b0f376268d4af"),
        len: 251_652,
        crc32: 0x9A99_0534,
        stamp: "Dec 26 2023 19:34:29 8125e20be:best2002_fw",
        published: SET_2024,
    },
    Build {
        kind: Kind::Nosignal,
        sha256: digest("22925eb53ae169effb7527da412abd8690c0d73fbf806448344e48eca4eb22c8"),
        len: 220_296,
        crc32: 0x6024_D59B,
        stamp: "Dec 27 2023 11:56:33 8125e20be:best2002_fw",
        published: SET_2024,
    },
    Build {
        kind: Kind::Btrf,
        sha256: digest("2020b418bb5f8bcce866f444b52cb8c4c3b50a61f94afdde20d3a8cf7a8c2331"),
        len: 132_640,
        crc32: 0x870E_B6D4,
        stamp: "Dec 27 2023 11:56:42 8125e20be:best2002_fw",
        published: SET_2024,
    },
    Build {
        kind: Kind::Boot,
        sha256: digest("136c977edc7ce27289ae98aa887504228d375e4b1695c2f8f12ddf950a9def05"),
        len: 157_240,
        crc32: 0x781E_84EE,
        stamp: "Nov 25 2022 11:22:44 5203b7659:best2002_fw_boot",
        published: SET_2022,
    },
    Build {
        kind: Kind::Signal,
        sha256: digest("a78abb151053dfcee56afe9141af90f450227fef12191e87fb8ea7c38240d84d"),
        len: 221_344,
        crc32: 0xE9E0_9A48,
        stamp: "Dec  1 2022 11:32:06 9df4c0e12-dirty:best2002_fw",
        published: SET_2022,
    },
    Build {
        kind: Kind::Nosignal,
        sha256: digest("5e91ad3afda2a311010f117f2bdc8c7b5f7a1c3274df1a64b1eb92415587b0a4"),
        len: 204_060,
        crc32: 0xF57F_B75E,
        stamp: "Nov 25 2022 11:24:57 5203b7659:best2002_fw",
        published: SET_2022,
    },
    Build {
        kind: Kind::Btrf,
        sha256: digest("6cd5813399ea1901da2d2954ac0b68c696b5dd3647daa66b8066602753709c03"),
        len: 120_844,
        crc32: 0x0E08_3880,
        stamp: "Nov 25 2022 11:25:34 5203b7659:best2002_fw",
        published: SET_2022,
    },
];

/// How an image compares with the published builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Byte for byte a published build.
    Known(&'static Build),
    /// Not a published build, yet it carries a published build's stamp, or has the size of
    /// the published build of its role: a damaged or modified copy of that build.
    Corrupt(&'static Build),
    /// Some other build (synthetic, newer, or not firmware at all).
    Unknown,
}

/// The published build with this digest.
pub fn by_sha256(d: &Digest) -> Option<&'static Build> {
    BUILDS.iter().find(|b| &b.sha256 == d)
}

/// Compares an image (of role `kind` when known) whose whole file hashes to `d`.
pub fn classify(img: &Image<'_>, kind: Option<Kind>, d: &Digest) -> Verdict {
    if let Some(b) = by_sha256(d) {
        return Verdict::Known(b);
    }
    let len = img.bytes().len();
    let stamp = img.version();
    BUILDS
        .iter()
        .find(|b| stamp == Some(b.stamp.as_bytes()) || (Some(b.kind) == kind && b.len == len))
        .map_or(Verdict::Unknown, Verdict::Corrupt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crc::HostCrc;
    use crate::image::check;

    #[test]
    fn table_is_consistent() {
        for (i, b) in BUILDS.iter().enumerate() {
            assert!(check::is_stamp(b.stamp.as_bytes()), "{}", b.stamp);
            assert_eq!(b.len % 4, 0);
            assert!(
                BUILDS[..i].iter().all(|o| o.sha256 != b.sha256),
                "duplicate digest"
            );
        }
        assert_eq!(BUILDS.iter().filter(|b| b.published == SET_2024).count(), 4);
    }

    #[test]
    fn a_copy_with_a_published_stamp_is_corrupt() {
        let mut f = vec![0u8; 64];
        f[..16].copy_from_slice(&[
            0x69, 0x07, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x68, 0x01, 0, 0x20,
        ]);
        let stamp = BUILDS[1].stamp.as_bytes();
        f[16..16 + stamp.len()].copy_from_slice(stamp);
        let img = Image::parse(&f, &HostCrc).unwrap();
        let d = crate::sha256::sha256(&f);
        assert_eq!(classify(&img, None, &d), Verdict::Corrupt(&BUILDS[1]));
        f[16] = b'X';
        let img = Image::parse(&f, &HostCrc).unwrap();
        assert_eq!(
            classify(&img, Some(Kind::Signal), &crate::sha256::sha256(&f)),
            Verdict::Unknown
        );
    }
}
