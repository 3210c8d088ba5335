//! Where the driver's debugfs files are (`counters`, `fw_version`, `recovery`;
//! contracts.md): in the directory bes2600.ko creates under its wiphy's debugfs,
//! `/sys/kernel/debug/ieee80211/<phy>/bes2600`. The phy name changes with every probe
//! (phy0, phy1, ... and any other radio's), so it is looked up, never spelled.
//!
//! Here because this is the one crate both `bes2600-fw status` and `bes2600-smoke` link for
//! facts about the running device.

use std::fs;
use std::path::{Path, PathBuf};

/// mac80211's per-wiphy debugfs root, relative to the sysroot.
pub const WIPHY_ROOT: &str = "sys/kernel/debug/ieee80211";
/// The driver's directory inside its wiphy's.
pub const DRIVER_DIR: &str = "bes2600";

/// The driver's debugfs directory under `sysroot`, if a bes2600 wiphy exists. With several
/// (two cards), the first phy by name.
pub fn driver_dir(sysroot: &Path) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(sysroot.join(WIPHY_ROOT))
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join(DRIVER_DIR))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter().next()
}

/// How to name the directory in a message when it is not there.
pub fn display_pattern(sysroot: &Path) -> PathBuf {
    sysroot.join(WIPHY_ROOT).join("<phy>").join(DRIVER_DIR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_bes2600_phy_among_others() {
        let t = tempfile::tempdir().unwrap();
        fs::create_dir_all(t.path().join(WIPHY_ROOT).join("phy0")).unwrap(); // another radio
        fs::create_dir_all(t.path().join(WIPHY_ROOT).join("phy3/bes2600")).unwrap();
        assert_eq!(
            driver_dir(t.path()),
            Some(t.path().join(WIPHY_ROOT).join("phy3/bes2600"))
        );
    }

    #[test]
    fn none_without_the_driver() {
        let t = tempfile::tempdir().unwrap();
        assert_eq!(driver_dir(t.path()), None);
        fs::create_dir_all(t.path().join(WIPHY_ROOT).join("phy0")).unwrap();
        assert_eq!(driver_dir(t.path()), None);
    }
}
