// SPDX-License-Identifier: GPL-2.0-only
//! Requests from mac80211 ops (any process context) to the BH, under one spinlock.

use bes2600_engine::keys::KeyTable;
use bes2600_engine::mac::join::JoinParams;
use bes2600_engine::mac::scan::ScanParams;
use bes2600_wire::wsm::key::AddKey;

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
    pub(super) key_gen: u16,
    pub(super) scan: Option<ScanParams>,
    pub(super) cancel_scan: bool,
    pub(super) join: Option<JoinParams>,
    pub(super) leave: bool,
    pub(super) vif: Option<VifId>,
    pub(super) bssid: [u8; 6],
    pub(super) fw_label: [u8; 128],
    pub(super) fw_label_len: usize,
}

impl Default for Mailbox {
    fn default() -> Self {
        Self {
            keys: KeyTable::new(),
            key_job: None,
            key_done: None,
            key_gen: 0,
            scan: None,
            cancel_scan: false,
            join: None,
            leave: false,
            vif: None,
            bssid: [0; 6],
            fw_label: [0; 128],
            fw_label_len: 0,
        }
    }
}
