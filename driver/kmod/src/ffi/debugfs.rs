// SPDX-License-Identifier: GPL-2.0-only
//! The device's debugfs directory.

use core::ptr::NonNull;

use super::sys;

/// The device's debugfs directory and files (removed on drop).
///
/// # Invariants
///
/// The dentry came from `bes_debugfs_create` and is removed only by `Drop`; the files' private
/// pointer (the device) outlives it, because `DevicePtr` drops this first.
pub(crate) struct DebugDir(pub(super) NonNull<sys::dentry>);

// SAFETY: debugfs removal may run from any process context.
unsafe impl Send for DebugDir {}
// SAFETY: No method takes `&self`.
unsafe impl Sync for DebugDir {}

impl Drop for DebugDir {
    fn drop(&mut self) {
        // SAFETY: Created by `bes_debugfs_create`, removed once (type invariant); removal
        // waits for open readers.
        unsafe { sys::bes_debugfs_remove(self.0.as_ptr()) }
    }
}

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
