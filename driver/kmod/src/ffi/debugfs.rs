// SPDX-License-Identifier: GPL-2.0-only
//! The device's debugfs files: `ieee80211/<phy>/bes2600/`, created by `Hw::create_debugfs`
//! and removed with the wiphy.

use super::sys;

/// The debugfs files (`enum bes_dbg_file`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DbgFile {
    /// `counters`.
    Counters,
    /// `fw_version`.
    FwVersion,
    /// `recovery`.
    Recovery,
}

impl DbgFile {
    pub(super) fn from_c(f: sys::bes_dbg_file) -> Option<Self> {
        match f {
            sys::bes_dbg_file_BES_DBG_COUNTERS => Some(Self::Counters),
            sys::bes_dbg_file_BES_DBG_FW_VERSION => Some(Self::FwVersion),
            sys::bes_dbg_file_BES_DBG_RECOVERY => Some(Self::Recovery),
            _ => None,
        }
    }
}
