// SPDX-License-Identifier: GPL-2.0-only
//! Requests from mac80211 ops (any process context) to the BH, under one spinlock.

use bes2600_engine::keys::KeyTable;
use bes2600_engine::mac::join::JoinParams;
use bes2600_engine::mac::scan::ScanParams;
use bes2600_wire::wsm::key::AddKey;

use super::boot::BootFiles;
use crate::ffi::VifId;

/// A key command from `set_key` for the BH to submit.
#[derive(Clone, Copy)]
pub(super) enum KeyJob {
    Add(AddKey),
    Remove(u8),
}

/// Requests from mac80211 ops (any process context) to the BH.
pub(crate) struct Mailbox {
    /// Firmware key entries in use (allocated in `set_key`, process context).
    pub(super) keys: KeyTable,
    /// The key command waiting for the BH, with its generation.
    pub(super) key_job: Option<(u16, KeyJob)>,
    /// The confirm status of the key command of that generation.
    pub(super) key_done: Option<(u16, u32)>,
    /// A key command whose waiter timed out after the BH had sent it: its confirm must
    /// not install a key nobody holds. `Some(entry)` for an add (removed again and freed
    /// when the confirm arrives), `None` for a remove.
    pub(super) key_abandoned: Option<(u16, Option<u8>)>,
    /// An entry of an abandoned add to remove from the firmware and free.
    pub(super) key_cleanup: Option<u8>,
    pub(super) key_gen: u16,
    pub(super) scan: Option<ScanParams>,
    pub(super) cancel_scan: bool,
    pub(super) join: Option<JoinParams>,
    pub(super) leave: bool,
    /// The card lost power over a system sleep: reset and download again (as a recovery).
    pub(super) reload: bool,
    pub(super) vif: Option<VifId>,
    pub(super) bssid: [u8; 6],
    /// The running firmware's label (startup indication).
    pub(super) fw_label: [u8; 128],
    pub(super) fw_label_len: usize,
    /// The stage-2 file's version string.
    pub(super) fw_file: [u8; 64],
    pub(super) fw_file_len: usize,
    /// The firmware request called back: `boot` holds the files (`None`: missing).
    pub(super) fw_resolved: bool,
    pub(super) boot: Option<BootFiles>,
}

impl Default for Mailbox {
    fn default() -> Self {
        Self {
            keys: KeyTable::new(),
            key_job: None,
            key_done: None,
            key_abandoned: None,
            key_cleanup: None,
            key_gen: 0,
            scan: None,
            cancel_scan: false,
            join: None,
            leave: false,
            reload: false,
            vif: None,
            bssid: [0; 6],
            fw_label: [0; 128],
            fw_label_len: 0,
            fw_file: [0; 64],
            fw_file_len: 0,
            fw_resolved: false,
            boot: None,
        }
    }
}
