// SPDX-License-Identifier: GPL-2.0-only
//! A synthetic firmware set in the documented format (spec §2.2) for tests and the QEMU
//! image. Nothing here comes from vendor files: the code bytes are a seeded pseudo-random
//! fill, and only the documented header words, entry words and load address are real.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::calib::Factory;
use crate::image::{Kind, ENTRY_BOOT, ENTRY_NOSIGNAL_BTRF, ENTRY_SIGNAL};

/// The load address all four known images use (spec §2.2).
pub const LOAD_ADDR: u32 = 0x2000_0168;
/// The stack pointer the synthetic images carry (any value; not checked by anyone).
pub const SYNTH_SP: u32 = 0x2004_0000;
/// Build-id prefix in the synthetic version strings; shared by the whole set.
pub const SYNTH_BUILD: &str = "5e7000000";

/// Code size of each synthetic image; distinct from the vendor sizes of spec §2.1.
pub const fn code_len(kind: Kind) -> usize {
    match kind {
        Kind::Boot => 24 * 1024,
        Kind::Signal => 40 * 1024,
        Kind::Nosignal => 32 * 1024,
        Kind::Btrf => 16 * 1024,
    }
}

/// The entry word for a kind (spec §2.2).
pub const fn entry(kind: Kind) -> u32 {
    match kind {
        Kind::Boot => ENTRY_BOOT,
        Kind::Signal => ENTRY_SIGNAL,
        Kind::Nosignal | Kind::Btrf => ENTRY_NOSIGNAL_BTRF,
    }
}

/// Builds one synthetic image of about `code_len` bytes: header, seeded filler, a version
/// stamp `Nov 24 2026 12:00:00 <build>:<name>` and the load-address trailer.
pub fn image(kind: Kind, code_len: usize, seed: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity(code_len + 80);
    for w in [entry(kind), 0, SYNTH_SP, LOAD_ADDR] {
        v.extend_from_slice(&w.to_le_bytes());
    }
    let mut x = seed | 1;
    while v.len() < code_len.saturating_sub(64) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        // Keep filler out of the printable range so the version scan finds only the stamp.
        v.push((x as u8) & 0x1F);
    }
    let name = kind
        .file_name()
        .trim_end_matches(".bin")
        .trim_end_matches("_sdio");
    let stamp = format!("Nov 24 2026 12:00:00 {SYNTH_BUILD}:{name}");
    v.extend_from_slice(stamp.as_bytes());
    v.push(0);
    while v.len() % 4 != 0 {
        v.push(0);
    }
    v.extend_from_slice(&LOAD_ADDR.to_le_bytes());
    v
}

/// The default synthetic image of a kind.
pub fn default_image(kind: Kind) -> Vec<u8> {
    image(
        kind,
        code_len(kind),
        0xB526_0000 ^ entry(kind) ^ code_len(kind) as u32,
    )
}

/// A synthetic factory file with every section (31 fields), values as the vendor
/// driver's defaults (spec §2.6).
pub fn factory() -> Factory {
    Factory {
        magic: crate::calib::MAGIC,
        version: 2,
        crc: 0,
        iq_offset: 0,
        freq_cal: 0xA0,
        freq_cal_flags: 0,
        tx_power_ch: [0x1400; 3],
        tx_power_type: 0,
        temperature: 0,
        tx_power_ch_5g: [0x1400; 13],
        tx_power_flags_5g: 0,
        temperature_5g: 0,
        bt_tx_power: [5, 0x10, 5, 0x15],
        select_efuse: Some(0),
    }
}

/// Text of [`factory`].
pub fn factory_text() -> String {
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = factory().write_text(&mut s);
    s
}

/// Writes the four images and `bes2600_factory.txt` into `dir` (created if needed).
///
/// # Errors
///
/// Any I/O error, with the path.
pub fn write_set(dir: &Path) -> Result<Vec<PathBuf>> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut out = Vec::new();
    for kind in Kind::ALL {
        let p = dir.join(kind.file_name());
        fs::write(&p, default_image(kind))
            .with_context(|| format!("cannot write {}", p.display()))?;
        out.push(p);
    }
    let p = dir.join("bes2600_factory.txt");
    fs::write(&p, factory_text()).with_context(|| format!("cannot write {}", p.display()))?;
    out.push(p);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crc::HostCrc;
    use crate::image::Image;

    #[test]
    fn synthetic_images_parse_as_their_kind() {
        for kind in Kind::ALL {
            let f = default_image(kind);
            let img = Image::parse(&f, &HostCrc).unwrap();
            assert!(kind.matches(img.entry_class()), "{kind:?}");
            assert_eq!(img.load_addr(), LOAD_ADDR);
            let v = std::str::from_utf8(img.version().unwrap()).unwrap();
            assert!(
                v.starts_with("Nov 24 2026") && v.contains(SYNTH_BUILD),
                "{v}"
            );
        }
        assert_eq!(
            Factory::parse(factory_text().as_bytes()).unwrap(),
            factory()
        );
    }
}
