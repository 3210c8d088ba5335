// SPDX-License-Identifier: GPL-2.0-only
//! The device's side of the shim's callbacks ([`ffi::Driver`]): mac80211 ops copy their
//! request into the mailbox and wake the BH; only `set_key` and `flush` wait for it.

use core::sync::atomic::Ordering;

use kernel::prelude::*;

use bes2600_engine::keys::{cipher, KeyConf, KeyError};
use bes2600_engine::mac::join::JoinParams;
use bes2600_engine::mac::scan::ScanParams;

use super::mailbox::KeyJob;
use super::{BhState, Device, DeviceHandle};
use crate::ffi::{
    self, AmpduAction, BhCell, BhLink, BhSelf, BssChanged, BssInfo, DbgFile, Firmware, Hw, IfType,
    KeyCmd, KeyReqC, ScanReqC, SdioFunc, Vif, VifId,
};

/// How long `set_key` waits for the firmware's confirm (the engine's command deadline,
/// spec §3.11, turns a lost confirm into a timeout well before this).
const KEY_TIMEOUT_MS: u32 = 5_000;

impl ffi::Driver for Device {
    type BhState = BhState;
    type Owner = DeviceHandle;

    fn probe(func: SdioFunc) -> Result<DeviceHandle> {
        DeviceHandle::create_sdio(func)
    }

    fn hw(&self) -> &Hw {
        &self.hw
    }

    fn bh_link(&self) -> &BhLink {
        &self.bh_link
    }

    fn bh_cell(&self) -> &BhCell<BhState> {
        &self.bh_state
    }

    fn vif(&self) -> &Vif {
        &self.vif
    }

    fn unregister(&self) {
        self.hw_unregister();
    }

    fn bh_main(&self, st: &mut BhState, me: BhSelf) {
        Device::bh_main(self, st, me)
    }

    fn sdio_irq(&self) {
        self.on_bus_irq()
    }

    fn debugfs_render(&self, which: DbgFile, out: &mut [u8]) -> usize {
        crate::debugfs::render(self, which, out)
    }

    fn firmware_loaded(&self, fw: Option<Firmware>) {
        self.on_firmware(fw)
    }

    fn pm_suspend(&self, keep_power: bool) {
        self.power_kept.store(keep_power, Ordering::Release);
    }

    /// The firmware kept its state when the card kept power; mac80211 then replays the
    /// interface. Otherwise the BH reloads it first, as after a reset-and-reload recovery.
    fn pm_resume(&self) {
        if !self.power_kept.load(Ordering::Acquire) {
            self.mbox.lock().reload = true;
            self.post();
        }
    }

    fn start(&self) -> Result {
        self.rx_started.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Returns only once no received frame is on its way to mac80211: the BH drops
    /// frames from here on and a delivery it began before is waited for.
    fn stop(&self) {
        self.rx_started.store(false, Ordering::SeqCst);
        while self.rx_delivering.load(Ordering::SeqCst) != 0 {
            ffi::msleep(1);
        }
        let mut g = self.mbox.lock();
        g.scan = None;
        g.join = None;
    }

    fn add_interface(&self, vif: VifId, _addr: [u8; 6], typ: IfType) -> Result {
        // One station interface only.
        if typ != IfType::Station {
            return Err(ffi::errno(ffi::EOPNOTSUPP));
        }
        let mut g = self.mbox.lock();
        // The same vif again is mac80211 replaying its state after a firmware reset.
        if g.vif.is_some_and(|v| v != vif) {
            return Err(EBUSY);
        }
        g.vif = Some(vif);
        Ok(())
    }

    fn remove_interface(&self, vif: VifId) {
        let mut g = self.mbox.lock();
        if g.vif == Some(vif) {
            g.vif = None;
            if g.bssid != [0; 6] {
                g.bssid = [0; 6];
                g.leave = true;
            }
        }
        drop(g);
        self.post();
    }

    fn config(&self, _changed: u32, freq: i32) {
        if let Ok(f) = u32::try_from(freq) {
            if f != 0 {
                self.cur_freq.store(f, Ordering::Relaxed);
            }
        }
    }

    fn bss_info_changed(&self, info: &BssInfo, changed: BssChanged) {
        if !changed.contains(BssChanged::BSSID) {
            return;
        }
        let mut g = self.mbox.lock();
        if info.bssid == g.bssid {
            return;
        }
        g.bssid = info.bssid;
        if info.bssid == [0; 6] {
            g.join = None;
            g.leave = true;
        } else {
            g.join = Some(JoinParams::new(
                info.bssid,
                u32::try_from(info.freq).unwrap_or(0),
                info.beacon_int,
                info.dtim_period,
                info.basic_rates,
            ));
        }
        drop(g);
        self.post();
    }

    fn configure_filter(&self, _total: u32) {}

    fn sta_add(&self, _aid: u16) -> Result {
        Ok(())
    }

    fn sta_remove(&self) -> Result {
        Ok(())
    }

    /// SET_KEY maps the key and installs it in a free firmware entry (returned for
    /// `hw_key_idx`); DISABLE_KEY removes it. Sleeps until the firmware confirmed.
    fn set_key(&self, cmd: KeyCmd, req: &KeyReqC) -> Result<u8> {
        if cmd == KeyCmd::Disable {
            let entry = req.hw_key_idx;
            // An entry we do not hold was lost with a firmware reset: nothing to remove.
            if self.mbox.lock().keys.free(entry).is_ok() {
                match self.key_command(KeyJob::Remove(entry)) {
                    Ok(()) => {
                        self.keys_removed.fetch_add(1, Ordering::Relaxed);
                    }
                    // Stopping (the reset forgets every key) or sent without a confirm yet:
                    // either way the key is going.
                    Err(KeyFail::NoBh | KeyFail::InFlight) => {}
                    Err(KeyFail::Refused) => return Err(KeyFail::Refused.errno()),
                }
            }
            return Ok(entry);
        }
        // `nohwcrypt=1`: every key stays in mac80211's software crypto, which the
        // -EOPNOTSUPP answer asks for (the e2e's negative control of the offload).
        if ffi::param_nohwcrypt() {
            return Err(ffi::errno(ffi::EOPNOTSUPP));
        }
        // CMAC (BIP) and SMS4 stay in software: only the data ciphers station firmware
        // is known to handle are offloaded.
        if !matches!(
            req.cipher,
            cipher::WEP40 | cipher::WEP104 | cipher::TKIP | cipher::CCMP
        ) {
            return Err(ffi::errno(ffi::EOPNOTSUPP));
        }
        let key = req.key.get(..usize::from(req.key_len)).ok_or(EINVAL)?;
        let conf = KeyConf {
            cipher: req.cipher,
            key_idx: req.key_idx,
            pairwise: req.pairwise,
            peer: req.has_peer.then_some(req.peer),
            key,
            rx_pn: req.rx_pn,
        };
        let add = self.mbox.lock().keys.install(&conf).map_err(key_errno)?;
        match self.key_command(KeyJob::Add(add)) {
            Ok(()) => {
                self.keys_installed.fetch_add(1, Ordering::Relaxed);
                Ok(add.entry_index)
            }
            // The firmware may still install it: the entry stays taken until the BH has
            // removed it again (`Mailbox::key_abandoned`).
            Err(KeyFail::InFlight) => Err(ffi::errno(ffi::ETIMEDOUT)),
            Err(e) => {
                let _ = self.mbox.lock().keys.free(add.entry_index);
                Err(e.errno())
            }
        }
    }

    fn hw_scan(&self, req: &ScanReqC) -> Result {
        if !self.bh_running.load(Ordering::Acquire) {
            return Err(ENODEV);
        }
        // Lengths from C are checked against the arrays they index.
        let n = usize::try_from(req.n_freqs).unwrap_or(0);
        let freqs = req.freqs.get(..n).unwrap_or(&req.freqs);
        let sl = usize::try_from(req.ssid_len).unwrap_or(0);
        let ssid = req.ssid.get(..sl).unwrap_or(&[]);
        let job = ScanParams::new(freqs.iter().map(|f| u32::from(*f)), ssid);
        let mut g = self.mbox.lock();
        if g.scan.is_some() {
            return Err(EBUSY);
        }
        g.scan = Some(job);
        drop(g);
        self.post();
        Ok(())
    }

    fn cancel_hw_scan(&self) {
        self.mbox.lock().cancel_scan = true;
        self.post();
    }

    fn wake_tx(&self) {
        self.shared.on_tx();
        self.wake();
    }

    fn flush(&self, _drop: bool) {
        // Wait (bounded) until every frame handed to the firmware is confirmed.
        let mut waited = 0;
        while self.tx_inflight.load(Ordering::Acquire) != 0 && waited < 200 {
            ffi::msleep(5);
            waited += 5;
        }
    }

    fn ampdu_action(&self, action: AmpduAction, _tid: u16) -> Result {
        // The firmware reorders RX A-MPDUs itself and runs TX aggregation on its own
        // (spec §4.4): accept RX sessions, refuse host-driven TX sessions.
        match action {
            AmpduAction::RxStart | AmpduAction::RxStop => Ok(()),
            AmpduAction::TxStart | AmpduAction::TxStop | AmpduAction::TxOperational => {
                Err(ffi::errno(ffi::EOPNOTSUPP))
            }
        }
    }
}

impl Device {
    /// Posts a key command to the BH and waits (bounded) for its confirm.
    fn key_command(&self, job: KeyJob) -> Result<(), KeyFail> {
        if !self.bh_running.load(Ordering::Acquire) {
            // Teardown: the firmware is about to be reset, it holds no key afterwards.
            return Err(KeyFail::NoBh);
        }
        let gen = {
            let mut g = self.mbox.lock();
            g.key_gen = g.key_gen.wrapping_add(1);
            let gen = g.key_gen;
            g.key_job = Some((gen, job));
            g.key_done = None;
            gen
        };
        self.post();
        let mut waited = 0;
        loop {
            {
                let mut g = self.mbox.lock();
                if let Some((done_gen, status)) = g.key_done {
                    if done_gen == gen {
                        g.key_done = None;
                        return if status == 0 {
                            Ok(())
                        } else {
                            pr_warn!("bes2600: key command refused, status {}\n", status);
                            Err(KeyFail::Refused)
                        };
                    }
                }
                let stopping = !self.bh_running.load(Ordering::Acquire);
                if waited >= KEY_TIMEOUT_MS || stopping {
                    if g.key_job.is_some_and(|(jg, _)| jg == gen) {
                        // Never sent.
                        g.key_job = None;
                        return Err(KeyFail::NoBh);
                    }
                    // Sent: its confirm decides (`HostCtx::cmd_done`).
                    let entry = match job {
                        KeyJob::Add(a) => Some(a.entry_index),
                        KeyJob::Remove(_) => None,
                    };
                    g.key_abandoned = Some((gen, entry));
                    return Err(KeyFail::InFlight);
                }
            }
            ffi::msleep(1);
            waited += 1;
        }
    }
}

/// Why a key command did not complete.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyFail {
    /// The firmware refused it.
    Refused,
    /// It was never sent (timeout before the BH took it, or the BH is stopped).
    NoBh,
    /// Sent, but no confirm in time: the BH cleans up when it arrives.
    InFlight,
}

impl KeyFail {
    fn errno(self) -> Error {
        match self {
            KeyFail::Refused => ffi::errno(ffi::EIO),
            KeyFail::NoBh => ENODEV,
            KeyFail::InFlight => ffi::errno(ffi::ETIMEDOUT),
        }
    }
}

/// The errno `set_key` returns for a key the engine cannot map.
fn key_errno(e: KeyError) -> Error {
    match e {
        // mac80211 falls back to software crypto on -EOPNOTSUPP.
        KeyError::UnsupportedCipher(_) => ffi::errno(ffi::EOPNOTSUPP),
        KeyError::TableFull => ffi::errno(ffi::ENOSPC),
        KeyError::BadLength { .. }
        | KeyError::BadKeyIndex(_)
        | KeyError::MissingPeer
        | KeyError::BadEntry(_) => EINVAL,
    }
}
