// SPDX-License-Identifier: GPL-2.0-only
//! The device's side of the shim's callbacks ([`ffi::Driver`]): mac80211 ops copy their
//! request into the mailbox and wake the BH; only `set_key` and `flush` wait for it.

use core::sync::atomic::Ordering;

use kernel::prelude::*;

use bes2600_engine::keys::{cipher, KeyConf, KeyError};
use bes2600_engine::mac::bss::{self, BssConf, Cmd, HtInfo};
use bes2600_engine::mac::edca::TxQueueConf;
use bes2600_engine::mac::join::JoinParams;
use bes2600_engine::mac::pm::{self, PsConf};
use bes2600_engine::mac::scan::ScanParams;
use bes2600_wire::wsm::common::{Band, Ssid};

use super::mailbox::{AssocJob, AssocMbox, KeyJob};
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
        self.suspend(keep_power)
    }

    fn pm_resume(&self) {
        self.resume()
    }

    fn start(&self) -> Result {
        self.rx_started.store(true, Ordering::SeqCst);
        // Also mac80211's replay after a firmware reset: the firmware knows nothing of the
        // association, EDCA, RTS or a non-permanent address; the replay tells it again.
        let need = self.mbox.lock().assoc.is_none();
        // Allocated outside the spinlock; a failure leaves the association state unsent.
        let fresh = if need {
            ffi::kbox_in_place(AssocMbox::init).ok()
        } else {
            None
        };
        let mut g = self.mbox.lock();
        match g.assoc.as_deref_mut() {
            Some(a) => a.forget(),
            None => g.assoc = fresh,
        }
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

    fn add_interface(&self, vif: VifId, addr: [u8; 6], typ: IfType) -> Result {
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
        // A MAC per vif (issue 16 §3): an address other than the one the firmware was
        // configured with (a randomised one) goes to it as interface 0's station id.
        let Some(a) = g.assoc.as_deref_mut() else {
            return Ok(());
        };
        a.vif_addr = addr;
        let configured = if a.configured_mac == [0; 6] {
            self.mac
        } else {
            a.configured_mac
        };
        if addr != configured {
            a.configured_mac = addr;
            a.jobs.push(AssocJob::StationMac(addr));
            drop(g);
            self.post();
        }
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
        let conf = bss_conf(info);
        let mut g = self.mbox.lock();
        let new_join =
            changed.contains(BssChanged::BSSID) && info.bssid != g.bssid && info.bssid != [0; 6];
        // What the firmware is told, in C's order (engine `mac::bss`, issue 16 §3). A join
        // posted by this call goes between the BSSID's commands and the association's.
        let mut planned = false;
        if let Some(a) = g.assoc.as_deref_mut() {
            let plan = a.bss.plan(&conf, changed.bits());
            let mut cmds = plan.iter().peekable();
            if changed.contains(BssChanged::BSSID) {
                if let Some(c) = cmds.next_if(|c| **c == Cmd::Mib(bss::rcpi_reporting())) {
                    a.jobs.push(AssocJob::Cmd(*c));
                }
            }
            if new_join {
                // C sets the PMF policy before each join (C:sta.c:2276-2281).
                a.jobs.push(AssocJob::Cmd(Cmd::StdMib(bss::pmf_at_join())));
                a.jobs.push(AssocJob::AfterJoin);
            }
            for c in cmds {
                a.jobs.push(AssocJob::Cmd(*c));
            }
            // Power save (issue 15 §4): set-PM after the association's commands, as C's
            // handler runs after them (C:ap.c:988-1035; the mapping is engine `mac::pm`).
            let ps = changed.bits() & pm::CHANGED_PS != 0;
            if ps {
                a.jobs.push(AssocJob::SetPm(pm::set_pm_for(&PsConf {
                    ps: info.ps,
                    dynamic_ps_timeout_ms: info.dynamic_ps_timeout,
                    // The module offers no U-APSD (no IEEE80211_VIF_SUPPORTS_UAPSD).
                    uapsd: false,
                })));
            }
            planned = !plan.is_empty() || ps;
        }
        if changed.contains(BssChanged::BSSID) && info.bssid != g.bssid {
            g.bssid = info.bssid;
            if info.bssid == [0; 6] {
                g.join = None;
                g.leave = true;
            } else {
                g.join = Some(JoinParams::new(
                    info.bssid,
                    u32::try_from(info.freq).unwrap_or(0),
                    info.beacon_int,
                    dtim_of(info),
                    info.basic_rates,
                ));
            }
        } else if !planned {
            return;
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
        // Bit i of the mask: freqs[i] is NO_IR, where the scan only listens.
        let no_ir = |i: usize| {
            u32::try_from(i)
                .ok()
                .and_then(|s| req.no_ir_mask.checked_shr(s))
                .is_some_and(|m| m & 1 != 0)
        };
        let chans = freqs
            .iter()
            .enumerate()
            .map(|(i, f)| (u32::from(*f), no_ir(i)));
        let job = ScanParams::from_channels(chans, ssid);
        let sl2 = usize::try_from(req.ssid2_len).unwrap_or(0);
        let ssid2 = req
            .ssid2
            .get(..sl2)
            .filter(|s| !s.is_empty())
            .and_then(|s| Ssid::new(s).ok());
        // The probe-request template mac80211 built (`ieee80211_probereq_get` and the
        // request's IEs, C:scan.c:208-215), copied by the shim.
        let pl = usize::try_from(req.probe_len).unwrap_or(0);
        let probe = req.probe.get(..pl).unwrap_or(&[]);
        let mut g = self.mbox.lock();
        if g.scan.is_some() {
            return Err(EBUSY);
        }
        if let Some(a) = g.assoc.as_deref_mut() {
            a.template_len = match a.template.get_mut(..probe.len()) {
                Some(dst) => {
                    dst.copy_from_slice(probe);
                    probe.len()
                }
                None => 0,
            };
            a.ssid2 = ssid2;
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

    /// EDCA for one queue: TX queue params, the EDCA table and the U-APSD MIB, in C's
    /// order (engine `mac::edca`, C:sta.c:802-858).
    fn conf_tx(&self, queue: u16, p: TxQueueConf) -> Result {
        let mut g = self.mbox.lock();
        let Some(a) = g.assoc.as_deref_mut() else {
            return Ok(());
        };
        let c = a.edca.conf_tx(queue, &p).map_err(|_| EINVAL)?;
        a.jobs.push(AssocJob::TxQueue(c.queue));
        a.jobs.push(AssocJob::Edca(c.edca));
        a.jobs.push(AssocJob::Cmd(Cmd::Mib(c.uapsd)));
        drop(g);
        self.post();
        Ok(())
    }

    /// The RTS-threshold MIB, once per value (C:sta.c:1142-1170).
    fn set_rts_threshold(&self, value: u32) -> Result {
        let mut g = self.mbox.lock();
        let Some(a) = g.assoc.as_deref_mut() else {
            return Ok(());
        };
        if let Some(m) = a.edca.set_rts_threshold(value) {
            a.jobs.push(AssocJob::Cmd(Cmd::Mib(m)));
            drop(g);
            self.post();
        }
        Ok(())
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

/// The DTIM period: mac80211's once it has one, before that the BSS's TIM element, as C's
/// join and association take it (C:sta.c:2210-2213, C:ap.c:628-629).
fn dtim_of(info: &BssInfo) -> u8 {
    if info.dtim_period != 0 {
        info.dtim_period
    } else {
        info.bss_dtim
    }
}

/// The engine's view of `bss_info_changed`'s information.
fn bss_conf(info: &BssInfo) -> BssConf {
    let band = u32::try_from(info.freq)
        .ok()
        .and_then(bes2600_engine::mac::channel::freq_to_channel)
        .map_or(Band::Band2G4, |c| c.band);
    BssConf {
        assoc: info.assoc,
        aid: info.aid,
        bssid: info.bssid,
        addr: info.addr,
        band,
        beacon_int: info.beacon_int,
        dtim_period: dtim_of(info),
        use_short_preamble: info.use_short_preamble,
        use_short_slot: info.use_short_slot,
        basic_rates: info.basic_rates,
        ap_rates: info.ap_sta.then_some(info.ap_rates),
        ht: info.ht.then_some(HtInfo {
            greenfield_cap: info.ht_greenfield,
            ampdu_density: info.ht_ampdu_density,
            operation_mode: info.ht_operation_mode,
            rx_mcs0: info.ht_rx_mcs0,
        }),
        cqm_rssi_thold: info.cqm_rssi_thold,
        cqm_rssi_hyst: info.cqm_rssi_hyst,
        arp_addr: info.arp_addr,
        arp_count: u8::try_from(info.arp_count).unwrap_or(u8::MAX),
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
