// SPDX-License-Identifier: GPL-2.0-only
//! Requests from mac80211 ops (any process context) to the BH, under one spinlock.

use kernel::prelude::*;

use bes2600_engine::keys::KeyTable;
use bes2600_engine::mac::bss::{AssocState, Cmd};
use bes2600_engine::mac::edca::EdcaState;
use bes2600_engine::mac::join::JoinParams;
use bes2600_engine::mac::scan::ScanParams;
use bes2600_wire::wsm::key::AddKey;
use bes2600_wire::wsm::queue::{EdcaParams, TxQueueParams};

use super::boot::BootFiles;
use crate::ffi::VifId;

/// One association-state request for the BH (issue 16 §3), submitted in queue order.
#[derive(Clone, Copy)]
pub(super) enum AssocJob {
    /// A command of a `bss_info_changed` plan (or the RTS / U-APSD MIB).
    Cmd(Cmd),
    /// `conf_tx`: set TX queue params.
    TxQueue(TxQueueParams),
    /// `conf_tx`: the EDCA table.
    Edca(EdcaParams),
    /// `add_interface` with an address the firmware was not configured with.
    StationMac([u8; 6]),
    /// `bss_info_changed(BSS_CHANGED_PS)`: set-PM 0x0010 (engine `mac::pm`), in order after
    /// the association's set-BSS-params.
    SetPm(bes2600_wire::wsm::pm::SetPm),
    /// What follows waits until the join posted with it has been submitted (the BH takes
    /// `Mailbox::join` in `post_requests`): set-BSS-params and the rest of an association
    /// follow the join (C:sta.c:2115 before C:ap.c:805), also when mac80211 replays both in
    /// one `bss_info_changed` after a restart.
    AfterJoin,
}

/// Pending association-state requests: a fixed ring (no allocation under the spinlock).
pub(super) struct AssocJobs {
    q: [Option<AssocJob>; ASSOC_JOBS],
    head: usize,
    len: usize,
    /// Requests dropped because the ring was full (the BH had not run for a while).
    pub(super) dropped: u32,
}

/// Ring size: two full `bss_info_changed` plans plus four `conf_tx` calls (3 each).
const ASSOC_JOBS: usize = 2 * bes2600_engine::mac::bss::PLAN_MAX + 12;

impl AssocJobs {
    const fn new() -> Self {
        Self {
            q: [None; ASSOC_JOBS],
            head: 0,
            len: 0,
            dropped: 0,
        }
    }

    pub(super) fn push(&mut self, j: AssocJob) {
        if self.len == ASSOC_JOBS {
            self.dropped = self.dropped.saturating_add(1);
            return;
        }
        if let Some(slot) = self.q.get_mut((self.head + self.len) % ASSOC_JOBS) {
            *slot = Some(j);
            self.len += 1;
        }
    }

    /// The oldest request, left queued until [`AssocJobs::pop`].
    pub(super) fn front(&self) -> Option<AssocJob> {
        if self.len == 0 {
            return None;
        }
        self.q.get(self.head).copied().flatten()
    }

    pub(super) fn pop(&mut self) {
        if self.len > 0 {
            if let Some(slot) = self.q.get_mut(self.head) {
                *slot = None;
            }
            self.head = (self.head + 1) % ASSOC_JOBS;
            self.len -= 1;
        }
    }
}

/// What `ops` keeps of the association state between mac80211 calls.
pub(super) struct AssocMbox {
    pub(super) jobs: AssocJobs,
    /// The driver's copy of what the firmware was told (engine `mac::bss`, `mac::edca`).
    pub(super) bss: AssocState,
    pub(super) edca: EdcaState,
    /// The interface's address (probe template, `add_interface`).
    pub(super) vif_addr: [u8; 6],
    /// The address the firmware's Configuration carries for interface 0 (all zero: the
    /// start-up one).
    pub(super) configured_mac: [u8; 6],
    /// The probe-request template for the next scan (built in `hw_scan`).
    pub(super) template: [u8; bes2600_engine::mac::bss::PROBE_TEMPLATE_MAX],
    pub(super) template_len: usize,
    /// The second SSID of the pending scan.
    pub(super) ssid2: Option<bes2600_wire::wsm::common::Ssid>,
}

impl AssocMbox {
    /// Writes a fresh value into `slot` (for `ffi::kbox_in_place`: ~2.6 KiB that must not
    /// pass through the kernel stack, whose frames the build checks).
    pub(super) fn init(slot: &mut core::mem::MaybeUninit<Self>) -> &mut Self {
        slot.write(Self::new())
    }

    const fn new() -> Self {
        Self {
            jobs: AssocJobs::new(),
            bss: AssocState::new(),
            edca: EdcaState::new(),
            vif_addr: [0; 6],
            configured_mac: [0; 6],
            template: [0; bes2600_engine::mac::bss::PROBE_TEMPLATE_MAX],
            template_len: 0,
            ssid2: None,
        }
    }

    /// `start` (also mac80211's replay after a firmware reset): the firmware knows nothing.
    pub(super) fn forget(&mut self) {
        let dropped = self.jobs.dropped;
        *self = Self::new();
        self.jobs.dropped = dropped;
    }
}

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
    /// Association state, EDCA, RTS and the vif address (issue 16 §3); allocated by the
    /// first `start` (`None` before, or if that allocation failed: nothing is sent then).
    pub(super) assoc: Option<KBox<AssocMbox>>,
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
            assoc: None,
        }
    }
}

impl super::Device {
    /// Submits the association-state requests and a pending scan (BH; called on every pass,
    /// before the other mailbox requests so that a BSSID's plan precedes its join, as in
    /// `C:ap.c:421-422` before `C:sta.c:2115`).
    ///
    /// A request the engine cannot take yet (queue full, firmware not running) stays queued
    /// for the next pass; the BH polls while commands are in flight. Confirms are not waited
    /// for: C's `bss_info_changed` only warns on a failed request (`WARN_ON`, `C:ap.c:805-831`).
    #[inline(never)]
    pub(super) fn post_assoc(&self, st: &mut super::BhState) {
        use bes2600_engine::mac::bss::{probe_template_mib, scan_request};
        use bes2600_engine::mac::tags::Tag;
        use bes2600_wire::wsm::assoc::WriteAssocMib;
        use bes2600_wire::wsm::common::Ssid;

        /// Confirms of these requests route nowhere (`Tag::decode` gives `None`).
        const NO_TAG: u32 = 0;
        loop {
            let (job, join_pending) = {
                let g = self.mbox.lock();
                (
                    g.assoc.as_deref().and_then(|a| a.jobs.front()),
                    g.join.is_some(),
                )
            };
            let Some(job) = job else { break };
            let eng = &mut st.engine;
            let r = match job {
                AssocJob::Cmd(c) => eng.submit_bss_cmd(0, NO_TAG, &c),
                AssocJob::TxQueue(q) => eng.set_tx_queue_params(0, NO_TAG, &q),
                AssocJob::Edca(e) => eng.set_edca_params(0, NO_TAG, &e),
                AssocJob::StationMac(m) => eng.set_station_mac(0, NO_TAG, m),
                AssocJob::SetPm(p) => eng.set_pm(0, NO_TAG, &p),
                // The join goes out in this pass's `post_requests`; the rest on the next.
                AssocJob::AfterJoin if join_pending => return,
                AssocJob::AfterJoin => Ok(()),
            };
            if r.is_err() {
                return;
            }
            if let Some(a) = self.mbox.lock().assoc.as_deref_mut() {
                a.jobs.pop();
            }
        }
        // A scan: the probe-request template first (C:scan.c:208-228), then the request,
        // in the background while joined (C:scan.c:617-623), with both SSIDs.
        let (scan, joined, ssid2) = {
            let mut g = self.mbox.lock();
            let Mailbox {
                scan, assoc, bssid, ..
            } = &mut *g;
            let (Some(_), Some(a)) = (scan.as_ref(), assoc.as_deref_mut()) else {
                // No scan, or no association state (the scan then goes as bh.rs sends it).
                return;
            };
            // The template is submitted under the lock: the engine copies it into its
            // command queue, so no copy crosses this (BH) stack.
            let tlen = core::mem::take(&mut a.template_len);
            if let Some(t) = a.template.get(..tlen).filter(|t| !t.is_empty()) {
                let m = WriteAssocMib(probe_template_mib(t));
                if st.engine.submit_msg(&m, 0, NO_TAG).is_err() {
                    // Queue full: the template and the scan wait for the next pass.
                    a.template_len = tlen;
                    return;
                }
            }
            let Some(job) = scan.take() else { return };
            (job, *bssid != [0; 6], a.ssid2.take())
        };
        let eng = &mut st.engine;
        let ssids: [Ssid; 2] = [
            scan.ssid().copied().unwrap_or_default(),
            ssid2.unwrap_or_default(),
        ];
        let n = usize::from(scan.ssid().is_some()) + usize::from(ssid2.is_some());
        let list = if scan.ssid().is_some() {
            ssids.get(..n).unwrap_or(&[])
        } else {
            ssids.get(1..1 + n).unwrap_or(&[])
        };
        let r = scan.with_request(|base| {
            eng.submit_msg(&scan_request(base, joined, list), 0, Tag::Scan.encode())
        });
        match r {
            Ok(()) => st.host.scanning = true,
            Err(bes2600_engine::SubmitError::QueueFull) => {
                // The template went out; the scan follows on a later pass.
                let mut g = self.mbox.lock();
                g.scan = Some(scan);
                if let Some(a) = g.assoc.as_deref_mut() {
                    a.ssid2 = ssid2;
                }
            }
            Err(_) => st.host.hw.scan_completed(true),
        }
    }
}
