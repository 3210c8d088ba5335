// SPDX-License-Identifier: GPL-2.0-only
//! The engine's [`Host`] in the kernel: TX frames from mac80211 into firmware slots, RX
//! batches into skbs, TX confirms, command completions, recovery requests.

use core::sync::atomic::Ordering;

use kernel::c_str;
use kernel::prelude::*;

use bes2600_engine::keys::RxCrypto;
use bes2600_engine::mac::channel::rx_freq_band;
use bes2600_engine::mac::rates::{attempts, band_rx_rate, band_tx_rates, status_rates, RxRate};
use bes2600_engine::mac::tags::Tag;
use bes2600_engine::txpolicy::TxRates;
use bes2600_engine::{
    CmdDone, CmdResult, ConnEvent, DataPath, Host, RecoveryCause, RecoveryRequest, RxBatch,
    StartupInfo, TxStatus,
};
use bes2600_wire::wsm::tx::{PacketId, Queue, TxFlags, TxReq};

use super::Device;
use crate::ffi::{self, HwRef, RxBatch as SkbBatch, RxStatus, Skb};

/// TX frames in flight (sent, not yet confirmed); the firmware credit limit is lower.
pub(super) const TX_SLOTS: usize = 64;

/// mac80211 side of the engine's host trait (RX batch, TX slots, scan state).
pub(crate) struct MacHost {
    pub(super) hw: HwRef,
    pub(super) rx: SkbBatch,
    /// `TX_SLOTS` entries (on the heap: the device is built on the probe stack).
    pub(super) pending: KVec<Option<Skb>>,
    pub(super) next_slot: usize,
    pub(super) gen: u8,
    pub(super) scanning: bool,
    pub(super) restart: bool,
    /// The firmware was reset: once it is up again, mac80211 replays its state.
    pub(super) hw_restart: bool,
}

/// The engine's host, bound to the device for one `run`.
pub(super) struct HostCtx<'a> {
    pub(super) dev: &'a Device,
    pub(super) h: &'a mut MacHost,
}

impl HostCtx<'_> {
    /// Takes the next frame from mac80211 into a free pending slot and writes its transmit
    /// request into `buf`; returns the request's length and the slot.
    fn take_tx(&mut self, buf: &mut [u8]) -> Option<(usize, usize)> {
        loop {
            // A free pending slot bounds the frames in flight.
            let slot = (0..TX_SLOTS)
                .map(|i| (self.h.next_slot + i) % TX_SLOTS)
                .find(|&i| self.h.pending.get(i).is_some_and(|p| p.is_none()))?;
            let (skb, locks) = self.h.hw.tx_dequeue();
            // Counted also when nothing came back: the locks were taken.
            self.dev
                .shared
                .counters
                .note_locks(DataPath::Tx, u64::from(locks));
            let mut skb = skb?;
            // A frame mac80211 left to the hardware key gets the ICV/MIC room the firmware
            // writes into (C:txrx.c:694-710); a frame without tailroom is a bug upstream: drop it.
            if skb.add_crypto_room().is_err() {
                drop(skb);
                continue;
            }
            let queue = Queue::from_mac80211(skb.queue()).unwrap_or(Queue::BestEffort);
            self.h.gen = self.h.gen.wrapping_add(1);
            let item = u8::try_from(slot).ok()?;
            let pid = PacketId::new(item, self.h.gen & 0x7, queue as u8, 0, 0, 0);
            let req = TxReq {
                packet_id: pid,
                max_tx_rate: 0,
                queue,
                link_id: 0,
                more: 0,
                flags: TxFlags::new(0, 0),
                expire_time: 0,
                ht_tx_parameters: 0,
                frame: skb.data(),
            };
            match bes2600_wire::wsm::emit(&req, 0, buf) {
                Ok(n) => {
                    // The frame's one copy: skb into the engine's TX slot.
                    self.dev.shared.note_copy(DataPath::Tx);
                    if let Some(p) = self.h.pending.get_mut(slot) {
                        *p = Some(skb);
                    }
                    self.h.next_slot = (slot + 1) % TX_SLOTS;
                    self.dev.tx_inflight.fetch_add(1, Ordering::AcqRel);
                    return Some((n, slot));
                }
                // Too large for one slot (spec errata: refuse >1628 B): drop, try the next.
                Err(_) => drop(skb),
            }
        }
    }
}

impl Host for HostCtx<'_> {
    fn next_tx(&mut self, buf: &mut [u8]) -> Option<usize> {
        self.take_tx(buf).map(|(n, _)| n)
    }

    fn next_tx_rated(&mut self, buf: &mut [u8], rates: &mut TxRates) -> Option<usize> {
        let (n, slot) = self.take_tx(buf)?;
        // mac80211's rate control chose up to four rates for the frame, as indices into the
        // band's bitrates (on 5 GHz from 6 Mb/s); the engine builds the firmware's rate policy
        // from their firmware numbers and names its first rate in the request (spec §3.9).
        if let Some(Some(skb)) = self.h.pending.get(slot) {
            let list = skb.tx_rates();
            *rates = band_tx_rates(&list.mac_rates(), list.band());
        }
        Some(n)
    }

    fn tx_pending(&mut self) -> bool {
        self.h.hw.tx_pending()
    }

    fn rx_buffer(&mut self, len: usize) -> Option<&mut [u8]> {
        // The burst goes into pages its frames can reference (issue 18): no per-frame copy.
        if ffi::param_rx_copy() {
            return None;
        }
        self.h.rx.lend(len)
    }

    fn rx_batch(&mut self, batch: &RxBatch<'_>) {
        let cur = u16::try_from(self.dev.cur_freq.load(Ordering::Relaxed)).unwrap_or(2437);
        // Each fragment skb is charged an equal share of the pages it pins (at least its
        // own length), so socket memory accounting sees what the burst really holds.
        let share = u32::try_from(self.h.rx.lent().len() / batch.len().max(1)).unwrap_or(u32::MAX);
        for e in batch.entries() {
            let meta = &e.meta;
            // The band follows from the number (C:txrx.c:1696); mac80211's rate_idx counts in
            // that band's bitrates (on 5 GHz from 6 Mb/s).
            let (freq, band) = rx_freq_band(meta.channel, cur);
            let signal = i32::from(meta.rcpi) / 2 - 110;
            let (rate, ht) = match band_rx_rate(meta.rate, band) {
                Some(RxRate::Ht(mcs)) => (i32::from(mcs), true),
                Some(RxRate::Legacy(i)) => (i32::from(i), false),
                None => (0, false),
            };
            let flags = match meta.crypto() {
                RxCrypto::Plain => 0,
                RxCrypto::DecryptedInPlace => ffi::RX_DECRYPTED,
                RxCrypto::DecryptedStripped => ffi::RX_DECRYPTED | ffi::RX_IV_STRIPPED,
                RxCrypto::MicFailure => ffi::RX_MIC_ERROR,
                // WAPI is never offloaded: such a frame cannot be ours.
                RxCrypto::Unsupported(_) => continue,
            };
            let st = RxStatus {
                freq,
                signal,
                rate,
                ht,
                flags,
            };
            let copied = if batch.lent() {
                let fc = self.h.rx.lent().get(e.range.start).copied();
                let Some(fc) = fc else { continue };
                // mac80211 linearizes management frames (net/mac80211/rx.c,
                // __ieee80211_rx_handle_packet): a fragment would be copied there anyway,
                // so those are copied here, where the copy is counted.
                let copy = is_mgmt(fc);
                let truesize = share.max(u32::try_from(e.range.len()).unwrap_or(u32::MAX));
                let added = self.h.rx.add_lent(e.range.clone(), copy, truesize, st);
                if added.is_err() {
                    break;
                }
                copy
            } else {
                // The engine's own buffer (no pages could be lent): copy.
                let Some(frame) = batch.burst().get(e.range.clone()).filter(|f| !f.is_empty())
                else {
                    continue;
                };
                if self.h.rx.add(frame, st).is_err() {
                    break;
                }
                true
            };
            if flags & ffi::RX_DECRYPTED != 0 {
                self.dev.rx_decrypted.fetch_add(1, Ordering::Relaxed);
            }
            if copied {
                self.dev.shared.note_copy(DataPath::Rx);
            }
        }
        // mac80211 must not get frames between `stop` and `start` (`Device::rx_delivering`).
        self.dev.rx_delivering.fetch_add(1, Ordering::SeqCst);
        if self.dev.rx_started.load(Ordering::SeqCst) {
            self.h.rx.deliver(self.h.hw);
        } else {
            self.h.rx.purge();
        }
        self.dev.rx_delivering.fetch_sub(1, Ordering::SeqCst);
    }

    fn tx_status(&mut self, status: &TxStatus) {
        let pid = PacketId(status.packet_id);
        let slot = usize::from(pid.item());
        let Some(p) = self.h.pending.get_mut(slot) else {
            return;
        };
        if let Some(skb) = p.take() {
            self.dev.tx_inflight.fetch_sub(1, Ordering::AcqRel);
            let acked = status.status == 0;
            let list = skb.tx_rates();
            // Rate control learns the rate the firmware reports the frame went out at
            // (txedRate, as the band's index) behind the rates it tried first. For a frame
            // that was not acknowledged the spec gives txedRate no meaning and the attempts
            // are spread over the rate list as the vendor driver does (C:txrx.c:1381-1393).
            let txed = band_rx_rate(status.txed_rate, list.band()).filter(|_| acked);
            let st = status_rates(
                &list.mac_rates(),
                txed,
                attempts(acked, status.ack_failures),
            );
            skb.tx_status_rates(acked, &list, &st);
        }
    }

    fn cmd_done(&mut self, done: &CmdDone<'_>) {
        let ok = matches!(done.result, CmdResult::Confirmed { status: 0, .. });
        match Tag::decode(done.tag) {
            Some(Tag::Key(gen)) => {
                let status = match done.result {
                    CmdResult::Confirmed { status, .. } => status,
                    _ => u32::MAX,
                };
                let mut g = self.dev.mbox.lock();
                match g.key_abandoned {
                    // Its waiter gave up: an add the firmware took is removed again (and its
                    // entry freed) before anything else may use the entry.
                    Some((abandoned, entry)) if abandoned == gen => {
                        g.key_abandoned = None;
                        g.key_cleanup = entry;
                        drop(g);
                        self.dev.post();
                    }
                    _ => g.key_done = Some((gen, status)),
                }
            }
            Some(Tag::Scan) if !ok => {
                if self.h.scanning {
                    self.h.scanning = false;
                    self.h.hw.scan_completed(true);
                }
            }
            Some(Tag::Join) if !ok => pr_warn!("bes2600: join failed\n"),
            _ => {}
        }
    }

    fn scan_complete(&mut self, _if_id: u8, _status: u32) {
        if self.h.scanning {
            self.h.scanning = false;
            self.h.hw.scan_completed(false);
        }
    }

    fn event(&mut self, ev: &ConnEvent) {
        if let ConnEvent::BssLost { .. } = ev {
            pr_info!("bes2600: BSS lost\n");
        }
    }

    fn recovery(&mut self, req: &RecoveryRequest) {
        let cause = match req {
            RecoveryRequest::Reassociate { cause } | RecoveryRequest::ResetAndReload { cause } => {
                *cause
            }
        };
        let count = self.dev.shared.snapshot().recoveries_of(cause);
        self.h.hw.uevent_recovery(cause_cstr(cause), count);
        pr_warn!("bes2600: recovery {} #{}\n", cause.name(), count);
        if matches!(req, RecoveryRequest::Reassociate { .. }) {
            let associated = {
                let g = self.dev.mbox.lock();
                g.vif.is_some() && g.bssid != [0; 6]
            };
            if associated {
                self.dev.vif.connection_loss();
            }
        }
        if matches!(req, RecoveryRequest::ResetAndReload { .. }) {
            if self.h.scanning {
                self.h.scanning = false;
                self.h.hw.scan_completed(true);
            }
            self.h.restart = true;
        }
    }

    fn ready(&mut self, info: &StartupInfo) {
        let mut g = self.dev.mbox.lock();
        let mut w = crate::debugfs::SliceWriter::new(&mut g.fw_label);
        let _ = core::fmt::write(
            &mut w,
            format_args!(
                "{} wsm-api {} build {} version {} bufs {}x{}",
                "bes2600",
                info.fw_api,
                info.fw_build,
                info.fw_version,
                info.num_inp_ch_bufs,
                info.size_inp_ch_buf
            ),
        );
        let n = w.len();
        g.fw_label_len = n;
        drop(g);
        self.dev.ready.store(true, Ordering::Release);
        if self.h.hw_restart && self.dev.registered.load(Ordering::Acquire) {
            self.h.hw_restart = false;
            pr_info!("bes2600: firmware back up; mac80211 restores the interface\n");
            self.h.hw.restart();
        }
    }

    fn now_ns(&mut self) -> Option<u64> {
        Some(ffi::now_ns())
    }
}

fn cause_cstr(c: RecoveryCause) -> &'static CStr {
    match c {
        RecoveryCause::DecryptStorm => c_str!("decrypt_storm"),
        RecoveryCause::ConnectionLoss => c_str!("connection_loss"),
        RecoveryCause::CmdTimeout => c_str!("cmd_timeout"),
        RecoveryCause::FwHang => c_str!("fw_hang"),
        RecoveryCause::BusError => c_str!("bus_error"),
    }
}

/// Whether the 802.11 frame whose first byte is `fc0` is a management frame (type bits 2-3
/// of the frame control are 0, IEEE 802.11-2020 §9.2.4.1.3).
fn is_mgmt(fc0: u8) -> bool {
    fc0 & 0x0C == 0
}
