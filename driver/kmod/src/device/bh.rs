// SPDX-License-Identifier: GPL-2.0-only
//! The bottom-half thread: owns the engine and the bus, turns mailbox requests into WSM
//! commands and runs the engine until it is idle.

use core::sync::atomic::Ordering;

use kernel::prelude::*;

use bes2600_engine::mac::tags::Tag;
use bes2600_engine::{Bus, SubmitError};

use super::boot::BootFiles;
use super::host::{HostCtx, MacHost};
use super::mailbox::KeyJob;
use super::{Device, Eng};
use crate::bus::SdioBus;
use crate::ffi::{self, BhSelf};

/// Longest BH sleep when no timer is due.
const IDLE_NS: u64 = 100_000_000;
/// RX poll period while messages are in flight (the vendor's RX work re-queue).
const POLL_NS: u64 = 2_000_000;

/// What only the BH thread touches.
pub(crate) struct BhState {
    pub(super) engine: KBox<Eng>,
    pub(super) bus: SdioBus,
    pub(super) host: MacHost,
    /// Firmware files for the boot-ROM download (kept for re-downloads after a reset).
    pub(super) boot: Option<BootFiles>,
}

impl Device {
    /// The BH thread: owns the engine and the bus until told to stop. Waits for the
    /// firmware files, downloads them, starts the engine and registers the hw once the
    /// firmware is up.
    pub(super) fn bh_main(&self, st: &mut BhState, me: BhSelf) {
        if self.wait_firmware_files(st, me) {
            self.download_if_files(st, me);
            if st.engine.start(&self.start_cfg(), ffi::now_ns()).is_err() {
                pr_err!("bes2600: engine start refused\n");
            }
            let mut timeout = 0;
            while me.wait(timeout) {
                timeout = self.service(st, me);
                if !self.registered.load(Ordering::Acquire) && self.ready.load(Ordering::Acquire) {
                    // Only here, on this thread: the teardown unregisters after stopping it.
                    self.register_hw();
                }
            }
        }
        let BhState { engine, host, .. } = st;
        let mut ctx = HostCtx { dev: self, h: host };
        engine.stop(&mut ctx);
        ctx.h.hw.tx_purge();
    }

    /// Sleeps until the firmware request called back and takes its files; `false` when the
    /// thread is stopped first.
    fn wait_firmware_files(&self, st: &mut BhState, me: BhSelf) -> bool {
        loop {
            {
                let mut g = self.mbox.lock();
                if g.fw_resolved {
                    st.boot = g.boot.take();
                    return true;
                }
            }
            if !me.wait(IDLE_NS) {
                return false;
            }
        }
    }

    /// One BH pass: post requests, run the engine until idle (`0`: work left, run again
    /// without sleeping), else the time to sleep.
    fn service(&self, st: &mut BhState, me: BhSelf) -> u64 {
        if st.bus.card_gone() {
            // Removed: every transfer fails; remove comes next. No resets, no downloads.
            if !self.gone_logged.swap(true, Ordering::AcqRel) {
                pr_warn!("bes2600: card removed; waiting for remove\n");
            }
            return IDLE_NS;
        }
        // Association state first: a BSSID's plan precedes its join (mailbox.rs).
        self.post_assoc(st);
        self.post_requests(st);
        let mut next = None;
        let mut again = false;
        for _ in 0..64 {
            let BhState {
                engine, bus, host, ..
            } = &mut *st;
            let mut ctx = HostCtx { dev: self, h: host };
            let out = engine.run(bus, &mut ctx, ffi::now_ns());
            next = out.next_deadline_ns;
            again = out.more_work;
            if st.host.restart && st.bus.card_gone() {
                break;
            }
            if st.host.restart {
                st.host.restart = false;
                // Frames the firmware held are gone with it: report them as not acked.
                for p in st.host.pending.iter_mut() {
                    if let Some(skb) = p.take() {
                        self.tx_inflight.fetch_sub(1, Ordering::AcqRel);
                        skb.tx_status(false, 1);
                    }
                }
                let _ = st.bus.reset();
                {
                    // The firmware's key table and join went with the reset: forget them so
                    // mac80211's replay (`hw_restart`) installs and joins again.
                    let mut g = self.mbox.lock();
                    g.keys.clear();
                    g.bssid = [0; 6];
                    g.join = None;
                }
                st.host.hw_restart = self.registered.load(Ordering::Acquire);
                // The reset put the chip back in its boot ROM: download again.
                self.download_if_files(st, me);
                let _ = st.engine.start(&self.start_cfg(), ffi::now_ns());
                again = true;
            }
            if !again {
                break;
            }
        }
        if again {
            // The budget ran out with work left: no sleep (the wait only yields the CPU).
            return 0;
        }
        let now = ffi::now_ns();
        let wait = match next {
            Some(t) if t > now => (t - now).min(IDLE_NS),
            Some(_) => 1,
            None => IDLE_NS,
        };
        // The vendor driver does not rely on the interrupt alone: it reads the RX length
        // after every TX write (C:bes2600_sdio.c:1176) and again while confirms are
        // outstanding (C:bes2600_sdio.c:930-937). Every TX write leaves a message in
        // flight, so polling while credits are in use covers both.
        let (_, in_use, _) = st.engine.credits();
        if in_use > 0 {
            self.shared.on_irq();
            return wait.min(POLL_NS);
        }
        wait
    }

    fn post_requests(&self, st: &mut BhState) {
        if !self.posted.swap(false, Ordering::AcqRel) {
            return;
        }
        let (scan, cancel, join, leave, key, cleanup, reload) = {
            let mut g = self.mbox.lock();
            let cleanup = g.key_cleanup.take().map(|entry| {
                // The remove goes out before any later add of this entry (one command at a
                // time, in order), so the entry may be reused from here on.
                let _ = g.keys.free(entry);
                g.key_gen = g.key_gen.wrapping_add(1);
                (g.key_gen, entry)
            });
            let r = (
                g.scan.take(),
                g.cancel_scan,
                g.join.take(),
                g.leave,
                g.key_job.take(),
                cleanup,
                g.reload,
            );
            g.reload = false;
            g.cancel_scan = false;
            g.leave = false;
            r
        };
        if reload {
            // The next pass resets the chip and downloads again (`service`).
            st.host.restart = true;
        }
        let eng = &mut st.engine;
        if leave {
            let _ = eng.reset(0, Tag::Reset.encode(), false);
        }
        if let Some((gen, entry)) = cleanup {
            // Nobody waits for this generation: its confirm is dropped.
            let _ = eng.remove_key(0, Tag::Key(gen).encode(), entry);
        }
        if let Some((gen, job)) = key {
            let tag = Tag::Key(gen).encode();
            let queued = match job {
                KeyJob::Add(k) => eng.add_key(0, tag, &k),
                KeyJob::Remove(e) => eng.remove_key(0, tag, e),
            };
            match queued {
                Ok(()) => {}
                // A full queue (the join kept for the next pass, a stream's policy uploads)
                // is not the key's failure: keep it for the pass after the next confirm, as
                // the join is, unless mac80211 posted another meanwhile.
                Err(SubmitError::QueueFull) => {
                    let mut g = self.mbox.lock();
                    if g.key_job.is_none() {
                        g.key_job = Some((gen, job));
                    }
                    drop(g);
                    self.posted.store(true, Ordering::Release);
                }
                Err(_) => self.mbox.lock().key_done = Some((gen, u32::MAX)),
            }
        }
        if let Some(j) = join {
            match eng.submit_msg(&j.request(), 0, Tag::Join.encode()) {
                Ok(()) => pr_info!("bes2600: join channel {}\n", j.channel),
                Err(SubmitError::QueueFull) => {
                    // A roam queues the leave's Reset and the TX-policy uploads of a running
                    // stream in the same pass; dropping the join left the chip on the old
                    // channel while mac80211 authenticated with the new BSS (e2e phase 74).
                    // Keep it (unless mac80211 posted a newer one) for the pass after the
                    // next confirm; the association's jobs wait behind it (`AfterJoin`).
                    let mut g = self.mbox.lock();
                    if g.join.is_none() {
                        g.join = Some(j);
                    }
                    drop(g);
                    self.posted.store(true, Ordering::Release);
                }
                Err(e) => pr_warn!("bes2600: join not queued: {:?}\n", e),
            }
        }
        if let Some(s) = scan {
            if s.with_request(|req| eng.submit_msg(req, 0, Tag::Scan.encode()))
                .is_ok()
            {
                st.host.scanning = true;
            } else {
                st.host.hw.scan_completed(true);
            }
        }
        if cancel && st.host.scanning && st.engine.stop_scan(0, Tag::StopScan.encode()).is_err() {
            st.host.scanning = false;
            st.host.hw.scan_completed(true);
        }
    }
}
