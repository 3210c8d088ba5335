// SPDX-License-Identifier: GPL-2.0-only
//! 802.11 power save (issue 15 §4): the firmware's doze and wake after set-PM 0x0010 (spec
//! §3.3), and the built-in AP's buffering for a dozing station (IEEE 802.11-2020 §11.2.3).
//!
//! Power save applies while the firmware is joined to the built-in AP, the station is
//! associated and set-PM chose PS 0x01 or fast PS 0x81. Then:
//!
//! - **Doze.** Fast PS: once no data frame went either way for the set-PM's idle period
//!   (500 µs units), the firmware sends a null-data frame with PM=1 and its receiver goes
//!   off. Legacy PS: PM=1 is announced at set-PM; the receiver is on only for beacons, its
//!   own frames and PS-poll exchanges.
//! - **Wake for beacons.** At every `n`-th TBTT, `n` the beacon wake-up period the host set
//!   (MIB 0x1007, at least 1; the AP's DTIM period is 1), the receiver is on for
//!   [`BEACON_RX_NS`]. Beacons at the other TBTTs are not heard and not passed to the host.
//! - **TIM.** The AP keeps downlink frames for a station in PS (its last frame had PM=1) in
//!   a buffer of [`AP_PS_BUFFER`] frames (a frame beyond that is dropped and counted) and
//!   sets the station's AID bit in the beacon's TIM. Fast PS fetches them by waking: a
//!   null-data frame with PM=0, after which the AP sends everything and the station stays
//!   awake for the idle period. Legacy PS fetches them one PS-poll at a time
//!   ([`PS_POLL_NS`] each) for as long as the AP says more data, then dozes.
//! - **Uplink.** A frame from the host wakes the radio. In fast PS it carries PM=0 (the AP
//!   releases its buffer, the idle period starts); in legacy PS it keeps PM=1 and the
//!   receiver is on for [`TX_AWAKE_NS`] (the frame and its acknowledgement). Responses the AP
//!   sends to such a frame (ARP reply, probe response) arrive in that window.
//! - **Active** (set-PM 0x00, or leaving PS): a null-data frame with PM=0, the AP releases
//!   what it holds, the receiver stays on.
//!
//! Time with the receiver on and off is counted in simulated time (`ps_awake_ns`,
//! `ps_doze_ns`): the awake fraction of a window is the first's share of their sum. Outside
//! power save (not joined, not associated, active) all firmware time is awake time. Air mode
//! (a real medium) does not model power save: set-PM is confirmed and the radio stays on.
//!
//! Events are handled in time order: the firmware tick runs the stream's arrivals, the
//! TBTTs and the doze deadlines through [`SimChip::ps_advance`] one after another.

use core::fmt::{self, Write};

use bes2600_wire::wsm::pm::PmMode;

use crate::chip::{ApState, Mgmt, SimChip};
use crate::config::SimCounters;

/// Frames the AP buffers for a station in PS: mac80211's per-station limit as an AP
/// (`STA_MAX_TX_BUFFER`, `net/mac80211/sta_info.h`).
pub const AP_PS_BUFFER: usize = 64;
/// Receiver-on time per beacon heard: waking ahead of the TBTT and the beacon at 1 Mb/s.
pub const BEACON_RX_NS: u64 = 2_000_000;
/// One PS-poll, the buffered frame and the acknowledgements.
pub const PS_POLL_NS: u64 = 300_000;
/// Receiver-on time for a legacy-PS station's own frame and its acknowledgement.
pub const TX_AWAKE_NS: u64 = 1_000_000;
/// Unit of set-PM's fast-PS idle period (spec §3.3).
const IDLE_UNIT_NS: u64 = 500_000;

/// The station's power-save state and the AP's buffer for it; a reset forgets both.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PsState {
    /// The mode of the last set-PM (active until one arrives).
    mode: PmMode,
    /// Fast PS: how long the radio stays on after the last data frame.
    idle_ns: u64,
    /// The AP holds the station in PS: its last frame to the AP had PM=1.
    ap_pm: bool,
    /// The receiver is on.
    awake: bool,
    /// It stays on at least until then (beacon, own frame).
    hold_until: u64,
    /// Fast PS: the last data frame sent or received.
    last_traffic: u64,
    /// Legacy PS: the next PS-poll (`None`: not polling).
    next_poll: Option<u64>,
    /// TBTTs seen in power save (the beacon wake-up period's phase).
    tbtt: u64,
    /// Time accounted up to (`None`: from the next advance on).
    acct: Option<u64>,
    /// The AP's buffer: (stream seq, generation time), a ring.
    buf: [(u64, u64); AP_PS_BUFFER],
    buf_head: usize,
    buf_len: usize,
}

impl PsState {
    pub(crate) const fn new() -> Self {
        Self {
            mode: PmMode::Active,
            idle_ns: 0,
            ap_pm: false,
            awake: true,
            hold_until: 0,
            last_traffic: 0,
            next_poll: None,
            tbtt: 0,
            acct: None,
            buf: [(0, 0); AP_PS_BUFFER],
            buf_head: 0,
            buf_len: 0,
        }
    }

    /// Frames the AP holds.
    pub(crate) fn buffered(&self) -> u64 {
        self.buf_len as u64
    }

    /// Empties the AP's buffer; returns how many frames it held.
    pub(crate) fn take_buffered(&mut self) -> u64 {
        let n = self.buffered();
        self.buf_len = 0;
        self.buf_head = 0;
        n
    }

    fn push(&mut self, seq: u64, gen_ns: u64) -> bool {
        if self.buf_len >= AP_PS_BUFFER {
            return false;
        }
        if let Some(slot) = self
            .buf
            .get_mut((self.buf_head + self.buf_len) % AP_PS_BUFFER)
        {
            *slot = (seq, gen_ns);
            self.buf_len += 1;
        }
        true
    }

    fn pop(&mut self) -> Option<(u64, u64)> {
        if self.buf_len == 0 {
            return None;
        }
        let f = self.buf.get(self.buf_head).copied();
        self.buf_head = (self.buf_head + 1) % AP_PS_BUFFER;
        self.buf_len -= 1;
        f
    }

    /// When the receiver goes off if nothing else happens (`None`: it stays on).
    fn doze_at(&self) -> Option<u64> {
        if !self.awake || self.next_poll.is_some() {
            return None;
        }
        match self.mode {
            PmMode::FastPs if !self.ap_pm => Some(
                self.hold_until
                    .max(self.last_traffic.saturating_add(self.idle_ns)),
            ),
            PmMode::FastPs | PmMode::Ps => Some(self.hold_until),
            PmMode::Active | PmMode::Unknown(_) => None,
        }
    }
}

impl SimChip {
    /// Power save applies (module doc).
    fn ps_on(&self) -> bool {
        !self.cfg.air
            && self.fw.joined
            && matches!(self.fw.ap, ApState::Associated(_))
            && matches!(self.fw.ps.mode, PmMode::Ps | PmMode::FastPs)
    }

    /// Counts `[acct, t)` as awake or doze time and moves the accounting point.
    fn ps_account(&mut self, t: u64) {
        let Some(from) = self.fw.ps.acct else {
            self.fw.ps.acct = Some(t);
            return;
        };
        if t <= from {
            return;
        }
        if self.fw.ps.awake {
            self.counters.ps_awake_ns += t - from;
        } else {
            self.counters.ps_doze_ns += t - from;
        }
        self.fw.ps.acct = Some(t);
    }

    /// The AP releases what it holds for the station (it is awake now).
    fn ps_release(&mut self) {
        while let Some((seq, gen_ns)) = self.fw.ps.pop() {
            self.enqueue_data(seq, gen_ns);
        }
    }

    /// Outside power save: the receiver is on, and the AP no longer buffers. What it held
    /// goes to an associated station and is dropped for one that left.
    fn ps_leave(&mut self) {
        let ps = &mut self.fw.ps;
        ps.next_poll = None;
        ps.ap_pm = false;
        if !ps.awake {
            ps.awake = true;
            self.counters.ps_wakeups += 1;
        }
        if self.fw.ps.buf_len == 0 {
            return;
        }
        if self.fw.joined && matches!(self.fw.ap, ApState::Associated(_)) {
            self.ps_release();
        } else {
            self.counters.dropped_ps_ap += self.fw.ps.take_buffered();
        }
    }

    /// Runs the station's doze deadlines and PS-polls up to `t`, accounting the time.
    pub(crate) fn ps_advance(&mut self, t: u64) {
        if !self.ps_on() {
            self.ps_account(t);
            self.ps_leave();
            return;
        }
        loop {
            let ps = &self.fw.ps;
            let next = match ps.next_poll {
                Some(p) => Some(p),
                None => ps.doze_at(),
            };
            let Some(te) = next.filter(|&te| te <= t) else {
                break;
            };
            let te = te.max(ps.acct.unwrap_or(te));
            self.ps_account(te);
            if self.fw.ps.next_poll.is_some() {
                self.ps_poll(te);
            } else {
                self.ps_doze();
            }
        }
        self.ps_account(t);
    }

    /// One PS-poll exchange at `t`: the AP sends one buffered frame.
    fn ps_poll(&mut self, t: u64) {
        self.counters.ps_polls += 1;
        if let Some((seq, gen_ns)) = self.fw.ps.pop() {
            self.enqueue_data(seq, gen_ns);
        }
        let ps = &mut self.fw.ps;
        if ps.buf_len == 0 {
            // No more data: back to doze.
            ps.next_poll = None;
            ps.hold_until = t;
        } else {
            ps.next_poll = Some(t + PS_POLL_NS);
        }
    }

    /// The receiver goes off; fast PS first tells the AP (null data, PM=1).
    fn ps_doze(&mut self) {
        let ps = &mut self.fw.ps;
        if !ps.ap_pm {
            ps.ap_pm = true;
            self.counters.ps_nulls_doze += 1;
        }
        ps.awake = false;
    }

    /// The receiver comes on (counted once per doze).
    fn ps_wake(&mut self) {
        if !self.fw.ps.awake {
            self.fw.ps.awake = true;
            self.counters.ps_wakeups += 1;
        }
    }

    /// The TBTT at `tb` (after `ps_advance(tb)`): the beacon the host gets, or `None` when the
    /// station slept through it.
    pub(crate) fn ps_tbtt(&mut self, tb: u64) -> Option<Mgmt> {
        if !self.ps_on() {
            return Some(Mgmt::Beacon);
        }
        let listen = u64::from(self.fw.bss.wake_beacons.max(1));
        let n = self.fw.ps.tbtt;
        self.fw.ps.tbtt += 1;
        if !self.fw.ps.awake {
            if !n.is_multiple_of(listen) {
                self.counters.ps_beacons_slept += 1;
                return None;
            }
            self.ps_wake();
        }
        let ps = &mut self.fw.ps;
        let heard = tb + BEACON_RX_NS;
        ps.hold_until = ps.hold_until.max(heard);
        if ps.buf_len == 0 || !ps.ap_pm {
            return Some(Mgmt::Beacon);
        }
        self.counters.ps_tim_seen += 1;
        match ps.mode {
            PmMode::FastPs => {
                // Null data with PM=0: the AP sends everything, the idle period starts.
                ps.ap_pm = false;
                ps.last_traffic = heard;
                self.counters.ps_nulls_wake += 1;
                self.ps_release();
            }
            _ => {
                if ps.next_poll.is_none() {
                    ps.next_poll = Some(heard);
                }
            }
        }
        Some(Mgmt::BeaconTim)
    }

    /// A stream frame the AP sends at `tg` (after `ps_advance(tg)`): to the station, or into
    /// the AP's buffer while the station is in PS.
    pub(crate) fn ps_downlink(&mut self, seq: u64, tg: u64) {
        if !self.ps_on() || !self.fw.ps.ap_pm {
            if self.ps_on() {
                self.fw.ps.last_traffic = tg;
            }
            self.push_data(seq, tg);
            return;
        }
        self.counters.generated += 1;
        if !self.fw.ps.push(seq, tg) {
            self.counters.dropped_ps_ap += 1;
        }
    }

    /// The host hands the radio a frame to send now.
    pub(crate) fn ps_uplink(&mut self) {
        let t = self.now;
        self.ps_advance(t);
        if !self.ps_on() {
            return;
        }
        self.ps_wake();
        let ps = &mut self.fw.ps;
        match ps.mode {
            PmMode::FastPs => {
                ps.last_traffic = t;
                ps.hold_until = ps.hold_until.max(t);
                if ps.ap_pm {
                    // The frame carries PM=0: the AP releases what it holds.
                    ps.ap_pm = false;
                    self.ps_release();
                }
            }
            _ => ps.hold_until = ps.hold_until.max(t + TX_AWAKE_NS),
        }
    }

    /// Set-PM 0x0010: the new mode and fast-PS idle period.
    pub(crate) fn ps_set_mode(&mut self, mode: PmMode, idle_period: u8) {
        let t = self.now;
        self.ps_advance(t);
        self.counters.ps_set_pm += 1;
        self.counters.ps_mode = u64::from(u8::from(mode));
        let ps = &mut self.fw.ps;
        ps.mode = match mode {
            PmMode::Unknown(_) => PmMode::Active,
            m => m,
        };
        ps.idle_ns = u64::from(idle_period) * IDLE_UNIT_NS;
        if !self.ps_on() {
            if self.fw.ps.ap_pm {
                self.counters.ps_nulls_wake += 1;
            }
            self.ps_leave();
            return;
        }
        let ps = &mut self.fw.ps;
        ps.hold_until = ps.hold_until.max(t);
        match ps.mode {
            // The idle period runs from now.
            PmMode::FastPs => ps.last_traffic = ps.last_traffic.max(t),
            // Legacy PS announces PM=1 at once and polls from the next TIM on.
            _ => {
                if !ps.ap_pm {
                    ps.ap_pm = true;
                    self.counters.ps_nulls_doze += 1;
                }
            }
        }
    }
}

/// The power-save lines of the card's `contract` file, one `name value` each: the mode the
/// host set, receiver time on and off in ns and the cumulative awake share in permille,
/// and the AP's buffering.
///
/// # Errors
///
/// Only the writer's.
pub fn render(c: &SimCounters, w: &mut impl Write) -> fmt::Result {
    let total = c.ps_awake_ns + c.ps_doze_ns;
    let permille = (c.ps_awake_ns.saturating_mul(1000))
        .checked_div(total)
        .unwrap_or(1000);
    writeln!(w, "ps_mode {:#04x}", c.ps_mode)?;
    writeln!(w, "ps_set_pm {}", c.ps_set_pm)?;
    writeln!(w, "ps_awake_ns {}", c.ps_awake_ns)?;
    writeln!(w, "ps_doze_ns {}", c.ps_doze_ns)?;
    writeln!(w, "ps_awake_permille {permille}")?;
    writeln!(w, "ps_wakeups {}", c.ps_wakeups)?;
    writeln!(w, "ps_beacons_slept {}", c.ps_beacons_slept)?;
    writeln!(w, "ps_tim_seen {}", c.ps_tim_seen)?;
    writeln!(w, "ps_polls {}", c.ps_polls)?;
    writeln!(w, "ps_nulls_doze {}", c.ps_nulls_doze)?;
    writeln!(w, "ps_nulls_wake {}", c.ps_nulls_wake)?;
    writeln!(w, "ps_ap_buffered {}", c.ps_ap_buffered)?;
    writeln!(w, "ps_ap_dropped {}", c.dropped_ps_ap)
}

#[cfg(test)]
mod tests {
    use crate::net;

    #[test]
    fn the_tim_carries_the_aid_of_a_station_with_buffered_frames() {
        let mut b = [0u8; 256];
        let n = net::beacon(&mut b, false, &[0xff; 6], 0, 1).expect("beacon");
        let tim = |b: &[u8]| b.windows(5).position(|w| w[..4] == [5, 4, 0, 1]);
        let at = tim(&b[..n]).expect("TIM element");
        assert_eq!(b[at + 5], 0, "nothing buffered");
        assert_eq!(net::set_tim_bit(&mut b[..n], 1), Some(()));
        assert_eq!(b[at + 5], 1 << 1, "AID 1");
        // AIDs past the one-octet bitmap are not representable in this beacon.
        assert_eq!(net::set_tim_bit(&mut b[..n], 8), None);
        assert_eq!(
            net::set_tim_bit(&mut b[..30], 1),
            None,
            "cut before the TIM"
        );
    }
}
