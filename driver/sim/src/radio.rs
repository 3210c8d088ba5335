// SPDX-License-Identifier: GPL-2.0-only
//! The firmware's radio in air mode (`SimConfig::air`, issue 16): what a real BES2600 does
//! towards a real medium, with the medium outside the chip (`hwsim-medium bridge` in the
//! QEMU e2e, a test's fake AP on the host).
//!
//! - TX requests (spec §3.5) go out on air unchanged: mac80211 built the 802.11 header and
//!   the firmware prepends nothing. The confirm says "sent" once the frame is on air (the
//!   medium reports no per-frame ACK back to the chip yet; see the README's "Not done").
//! - Start scan (spec §3.3 0x0007) tunes to each listed channel in turn for its maxTime,
//!   sends `numProbeReq` probe requests per SSID there (a wildcard one without SSIDs; the
//!   driver uploads no probe template, so the firmware builds them from the station
//!   address), and passes every beacon and probe response heard meanwhile to the host as a
//!   scan result (interface id 2, spec §3.7), then reports scan complete (0x0806).
//! - Join (0x000B) tunes to the BSS channel; from then on frames to the station's address,
//!   and group frames of the joined BSS, reach the host as receive indications (0x0804).
//!   Reset (0x000A) unjoins.
//!
//! Frames cross the chip's edge as `crate::air` records, buffered in two fixed FIFOs. A
//! record written to the chip with the acked flag is the medium's acknowledgement of a frame
//! the radio sent (counted in `air_acked`), not a frame to receive.

use bes2600_wire::wsm::join::JoinReq;
use bes2600_wire::wsm::scan::StartScan;
use bes2600_wire::Error;

use crate::air::{self, Records};
use crate::chip::{Out, SimChip};
use crate::config::CTRL_QUEUE_CAP;
use crate::fw::TxBatch;
use crate::net;
use crate::regs::{self, status};
use crate::wsm;

/// Bytes of records the radio holds for the medium to read: the firmware's input buffers
/// (32 credits of up to 1632 bytes, `SimConfig::num_inp_ch_bufs`) fit at ~1.5 KiB each.
pub const AIR_TX_CAP: usize = 48 * 1024;
/// Records the radio holds for the medium (frames of the host plus its own probes).
const TX_META_CAP: usize = 96;
/// How long a frame may wait for the medium before the firmware gives up on it (TX status
/// retry limit), as real firmware drops a frame it cannot get on air (spec §3.3
/// maxTxMsduLifetime; the driver sends 0 = the firmware's default).
pub const AIR_TX_LIFETIME_NS: u64 = 500_000_000;
/// Bytes of records heard from air waiting for the host (about ten full-size frames).
pub const AIR_RX_CAP: usize = 16 * 1024;
/// The signal the radio reports on its own transmissions (its nominal TX power).
pub const TX_POWER_DBM: i8 = 15;
/// Channels one scan request may list (spec §3.3).
const MAX_SCAN_CHANNELS: usize = 48;
/// SSIDs one scan request may list (spec §3.3).
const MAX_SCAN_SSIDS: usize = 2;
/// Longest 802.11 frame a receive indication carries: one message (spec §1.6) less the
/// WSM header and the 28-byte radio header.
pub const MAX_RX_FRAME: usize = regs::MAX_MSG - wsm::RX_FRAME_OFFSET;
/// Dwell when a scan channel's maxTime is 0.
const DEFAULT_DWELL_TU: u64 = 30;
/// Longest dwell honoured per channel.
const MAX_DWELL_TU: u64 = 120;

/// Whole air records back to back in a fixed buffer, consumed from the front.
pub(crate) struct RecordFifo<const N: usize> {
    buf: [u8; N],
    head: usize,
    tail: usize,
}

impl<const N: usize> RecordFifo<N> {
    const fn new() -> Self {
        Self {
            buf: [0; N],
            head: 0,
            tail: 0,
        }
    }

    pub(crate) fn clear(&mut self) {
        self.head = 0;
        self.tail = 0;
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.head == self.tail
    }

    fn live(&self) -> &[u8] {
        self.buf.get(self.head..self.tail).unwrap_or(&[])
    }

    /// Whether a record of `frame_len` frame bytes fits (after moving the live records to
    /// the front, as `push` does).
    fn has_room(&self, frame_len: usize) -> bool {
        N - (self.tail - self.head) >= air::HEADER_LEN + frame_len
    }

    /// Appends one record; `false` (nothing stored) when it does not fit.
    fn push(&mut self, freq_mhz: u16, signal_dbm: i8, flags: u8, frame: &[u8]) -> bool {
        let need = air::HEADER_LEN + frame.len();
        if self.tail + need > N && self.head > 0 {
            // Move the live records to the front: one copy per wrap, never a split record.
            self.buf.copy_within(self.head..self.tail, 0);
            self.tail -= self.head;
            self.head = 0;
        }
        let Some(dst) = self.buf.get_mut(self.tail..) else {
            return false;
        };
        match air::emit_record(dst, freq_mhz, signal_dbm, flags, frame) {
            Ok(n) => {
                self.tail += n;
                true
            }
            Err(_) => false,
        }
    }

    /// The first record's header and frame.
    pub(crate) fn front(&self) -> Option<(air::RecordRepr, &[u8])> {
        Records::new(self.live()).next()?.ok()
    }

    pub(crate) fn pop_front(&mut self) {
        if let Some((r, _)) = self.front() {
            self.head += r.buffer_len();
        } else {
            // Only records this FIFO emitted are stored; a bad one cannot be skipped safely.
            self.head = self.tail;
        }
        if self.head == self.tail {
            self.clear();
        }
    }

    /// Length of the first record, header included.
    fn front_len(&self) -> Option<usize> {
        self.front().map(|(r, _)| r.buffer_len())
    }

    /// Moves as many whole records as fit into `out`; returns the bytes written and the
    /// records moved.
    fn take(&mut self, out: &mut [u8]) -> (usize, usize) {
        let (mut n, mut k) = (0, 0);
        for rec in Records::new(self.live()) {
            let Ok((r, _)) = rec else { break };
            if n + r.buffer_len() > out.len() {
                break;
            }
            n += r.buffer_len();
            k += 1;
        }
        if let (Some(dst), Some(src)) = (out.get_mut(..n), self.live().get(..n)) {
            dst.copy_from_slice(src);
        }
        self.head += n;
        if self.head == self.tail {
            self.clear();
        }
        (n, k)
    }
}

/// What the firmware remembers of a record waiting in the TX FIFO.
#[derive(Clone, Copy)]
struct TxMeta {
    /// The host's packet id, confirmed once the frame is on air; `None` for the
    /// firmware's own frames (scan probes).
    packet_id: Option<u32>,
    queued_ns: u64,
}

/// One scan in progress.
#[derive(Clone, Copy)]
struct Scan {
    /// (channel, dwell in ns) per listed channel.
    chans: [(u8, u64); MAX_SCAN_CHANNELS],
    n: usize,
    /// The channel being dwelt on.
    idx: usize,
    dwell_end_ns: u64,
    ssids: [([u8; 32], u8); MAX_SCAN_SSIDS],
    n_ssids: usize,
    probes: u8,
}

/// The radio's state; a reset or WIFI deactivate forgets it (`Radio::reset`).
pub(crate) struct Radio {
    pub(crate) tx: RecordFifo<AIR_TX_CAP>,
    /// One entry per record in `tx`, in the same order.
    tx_meta: [TxMeta; TX_META_CAP],
    meta_head: usize,
    meta_len: usize,
    pub(crate) rx: RecordFifo<AIR_RX_CAP>,
    /// Tuned centre frequency (0: never tuned).
    freq: u16,
    /// The joined BSS and its channel's frequency.
    bssid: Option<[u8; 6]>,
    home_freq: u16,
    scan: Option<Scan>,
}

impl Radio {
    pub(crate) const fn new() -> Self {
        Self {
            tx: RecordFifo::new(),
            tx_meta: [TxMeta {
                packet_id: None,
                queued_ns: 0,
            }; TX_META_CAP],
            meta_head: 0,
            meta_len: 0,
            rx: RecordFifo::new(),
            freq: 0,
            bssid: None,
            home_freq: 0,
            scan: None,
        }
    }

    /// Power cycle or WIFI deactivate: untuned, unjoined, nothing buffered.
    pub(crate) fn reset(&mut self) {
        self.tx.clear();
        self.meta_head = 0;
        self.meta_len = 0;
        self.rx.clear();
        self.freq = 0;
        self.bssid = None;
        self.home_freq = 0;
        self.scan = None;
    }

    /// Queues a frame for the medium with what to confirm when it is on air.
    fn push_tx(&mut self, frame: &[u8], packet_id: Option<u32>, now: u64) -> bool {
        let unicast = mac_at(frame, 4).is_some_and(|a| !is_group(&a));
        let flags = if unicast { air::FLAG_ACK_REQUESTED } else { 0 };
        if self.meta_len >= TX_META_CAP || !self.tx.push(self.freq, TX_POWER_DBM, flags, frame) {
            return false;
        }
        let i = (self.meta_head + self.meta_len) % TX_META_CAP;
        if let Some(m) = self.tx_meta.get_mut(i) {
            *m = TxMeta {
                packet_id,
                queued_ns: now,
            };
        }
        self.meta_len += 1;
        true
    }

    fn front_meta(&self) -> Option<TxMeta> {
        (self.meta_len > 0)
            .then(|| self.tx_meta.get(self.meta_head).copied())
            .flatten()
    }

    fn pop_meta(&mut self) -> Option<TxMeta> {
        let m = self.front_meta()?;
        self.meta_head = (self.meta_head + 1) % TX_META_CAP;
        self.meta_len -= 1;
        Some(m)
    }
}

fn mac_at(f: &[u8], off: usize) -> Option<[u8; 6]> {
    f.get(off..off + 6)?.try_into().ok()
}

fn is_group(mac: &[u8; 6]) -> bool {
    mac[0] & 1 != 0
}

/// The BSSID field of a management or data frame (IEEE 802.11 table 9-30), if it has one.
fn frame_bssid(f: &[u8]) -> Option<[u8; 6]> {
    let fc0 = *f.first()?;
    let ds = f.get(1)? & 0x03;
    match (fc0 >> 2) & 3 {
        0 => mac_at(f, 16),
        2 => match ds {
            0 => mac_at(f, 16),
            1 => mac_at(f, 4),
            2 => mac_at(f, 10),
            _ => None,
        },
        _ => None,
    }
}

/// RCPI (spec §3.7: RSSI = RCPI/2 - 110) of a signal in dBm, never 0 (the host drops
/// beacons with RCPI 0).
pub(crate) fn rcpi_of(dbm: i8) -> u8 {
    let v = (i16::from(dbm) + 110) * 2;
    u8::try_from(v.clamp(1, 220)).unwrap_or(1)
}

impl SimChip {
    /// Air mode: whether transmitted records wait for the medium.
    pub fn air_pending(&self) -> bool {
        !self.radio.tx.is_empty()
    }

    /// Air mode: length of the next transmitted record (header included), if any; a reader
    /// whose buffer is shorter cannot take it.
    pub fn air_next_len(&self) -> Option<usize> {
        self.radio.tx.front_len()
    }

    /// Air mode: moves the records the radio transmitted, whole and in order, into `out`
    /// (as many as fit); returns the bytes written.
    ///
    /// Each host frame taken is on air: its TX confirm (status 0) goes to the host and its
    /// firmware buffer (credit) is free again.
    pub fn air_take(&mut self, out: &mut [u8]) -> usize {
        let (n, k) = self.radio.tx.take(out);
        let mut batch = TxBatch::default();
        for _ in 0..k {
            if let Some(id) = self.radio.pop_meta().and_then(|m| m.packet_id) {
                if batch.push(id, 0) {
                    self.flush_tx_batch(&mut batch);
                }
            }
        }
        self.flush_tx_batch(&mut batch);
        self.raise_if_pending();
        n
    }

    /// Frames that waited longer than [`AIR_TX_LIFETIME_NS`] for the medium are dropped,
    /// and the host's are confirmed with the retry-limit status.
    fn air_expire(&mut self) {
        let mut batch = TxBatch::default();
        while let Some(m) = self.radio.front_meta() {
            if self.now.saturating_sub(m.queued_ns) < AIR_TX_LIFETIME_NS {
                break;
            }
            self.radio.pop_meta();
            self.radio.tx.pop_front();
            self.counters.air_tx_dropped += 1;
            if let Some(id) = m.packet_id {
                if batch.push(id, wsm::STATUS_RETRY_LIMIT) {
                    self.flush_tx_batch(&mut batch);
                }
            }
        }
        self.flush_tx_batch(&mut batch);
    }

    /// Air mode: the radio hears the records in `buf` (one `write()` of the endpoint).
    /// Returns the bytes consumed. A record cut off by the end of `buf` after whole ones is
    /// left for the next call (a partial write, as a writer capped in size sees it); a
    /// malformed record, or a cut first record, is an error after the good ones before it
    /// were heard (the rest cannot be framed).
    pub fn air_give(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.give(buf, false)
    }

    /// As [`SimChip::air_give`], but a frame for the host that finds the RX buffers full
    /// stops the call before it instead of being dropped: the returned count ends before
    /// that record, and the caller offers it again once the host has drained (the virtual
    /// card's writer waits a bounded time, like a medium whose receiver is busy).
    pub fn air_give_held(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.give(buf, true)
    }

    fn give(&mut self, buf: &[u8], hold: bool) -> Result<usize, Error> {
        let mut used = 0;
        for rec in Records::new(buf) {
            match rec {
                Err(Error::Truncated) if used > 0 => break,
                Ok((r, _)) if r.flags & air::FLAG_ACKED != 0 => {
                    // The medium's TX status for a frame we sent (hwsim-medium writes the
                    // frame back acked). The confirm already went out when the frame left
                    // (air_take); the ACK is counted, not received.
                    used += r.buffer_len();
                    self.counters.air_acked += 1;
                }
                Ok((r, frame)) => {
                    if !self.air_hear(r, frame, hold) {
                        break;
                    }
                    used += r.buffer_len();
                }
                Err(e) => {
                    // A cut first record is the rest of a partial write, not a bad one.
                    if e != Error::Truncated {
                        self.counters.air_malformed += 1;
                    }
                    self.raise_if_pending();
                    return Err(e);
                }
            }
        }
        self.raise_if_pending();
        Ok(used)
    }

    /// One frame from air: passed to the host if the radio is tuned to its channel and it
    /// is for us (scan: beacons and probe responses; joined: our address, or a group
    /// address of our BSS). With `hold`, a frame for the host that does not fit is left
    /// unconsumed (`false`) rather than dropped.
    fn air_hear(&mut self, r: air::RecordRepr, frame: &[u8], hold: bool) -> bool {
        let up = self.cfg.air
            && !self.fw.hung
            && self.phase == crate::chip::Phase::Firmware
            && self.slave_status & status::WIFI_READY != 0;
        let if_id = if !up || self.radio.freq == 0 || r.freq_mhz != self.radio.freq {
            None
        } else {
            self.air_for_us(frame)
        };
        let Some(if_id) = if_id else {
            self.counters.air_rx_filtered += 1;
            return true;
        };
        if frame.len() > MAX_RX_FRAME {
            self.counters.air_rx_too_long += 1;
            return true;
        }
        // The host queue entry and the frame go together, or neither does.
        let room = self.ctrl_len < CTRL_QUEUE_CAP && self.radio.rx.has_room(frame.len());
        if !room && hold {
            return false;
        }
        if !room || !self.radio.rx.push(r.freq_mhz, r.signal_dbm, 0, frame) {
            self.counters.air_rx_overflow += 1;
            return true;
        }
        self.counters.air_rx += 1;
        self.push_ctrl(Out::AirRx { if_id });
        true
    }

    /// The interface a heard frame goes to, or `None` when the firmware filters it out.
    fn air_for_us(&self, f: &[u8]) -> Option<u8> {
        let fc0 = *f.first()?;
        // Control frames (ACK, RTS, BlockAck...) are the radio's own business.
        if (fc0 >> 2) & 3 == 1 || f.len() < 24 {
            return None;
        }
        let a1 = mac_at(f, 4)?;
        let ours = a1 == self.fw.sta_mac;
        if self.radio.scan.is_some() {
            let result = fc0 == net::fc::BEACON || fc0 == net::fc::PROBE_RESP;
            return (result && (ours || is_group(&a1))).then_some(wsm::SCAN_IF_ID);
        }
        let bssid = self.radio.bssid?;
        (ours || (is_group(&a1) && frame_bssid(f) == Some(bssid))).then_some(0)
    }

    /// A TX request's frame goes out on the tuned channel. `None`: queued for the medium,
    /// confirmed when it is on air (`air_take`); `Some(status)`: confirm now with it.
    pub(crate) fn air_transmit(&mut self, frame: &[u8], packet_id: u32) -> Option<u32> {
        if self.radio.freq == 0 {
            // Never tuned: the firmware has no channel to send on.
            return Some(wsm::STATUS_RETRY_LIMIT);
        }
        if !(air::MIN_FRAME_LEN..=air::MAX_FRAME_LEN).contains(&frame.len()) {
            return Some(wsm::STATUS_INVALID);
        }
        if self.air_send(frame, Some(packet_id)) {
            None
        } else {
            Some(wsm::STATUS_RETRY_LIMIT)
        }
    }

    fn air_send(&mut self, frame: &[u8], packet_id: Option<u32>) -> bool {
        if self.radio.push_tx(frame, packet_id, self.now) {
            self.counters.air_tx += 1;
            true
        } else {
            self.counters.air_tx_dropped += 1;
            false
        }
    }

    /// Join: tune to the BSS's channel and listen to it.
    pub(crate) fn air_join(&mut self, j: &JoinReq) -> u32 {
        let freq = u8::try_from(j.channel).ok().and_then(air::freq_of_channel);
        let Some(freq) = freq else {
            return wsm::STATUS_INVALID;
        };
        self.radio.freq = freq;
        self.radio.home_freq = freq;
        self.radio.bssid = Some(j.bssid);
        self.fw.joined = true;
        0
    }

    /// Reset (0x000A): the firmware leaves the BSS; the radio stays tuned.
    pub(crate) fn air_unjoin(&mut self) {
        self.radio.bssid = None;
    }

    /// Start scan over air: copies the request and tunes to its first channel.
    pub(crate) fn air_start_scan(&mut self, sc: &StartScan<'_>) -> u32 {
        if self.radio.scan.is_some() {
            return wsm::STATUS_WRONG_STATE;
        }
        let mut s = Scan {
            chans: [(0, 0); MAX_SCAN_CHANNELS],
            n: 0,
            idx: 0,
            dwell_end_ns: 0,
            ssids: [([0; 32], 0); MAX_SCAN_SSIDS],
            n_ssids: 0,
            probes: sc.num_probe_req,
        };
        for (slot, ch) in s.chans.iter_mut().zip(sc.channels.iter()) {
            let tu = match u64::from(ch.max_time) {
                0 => DEFAULT_DWELL_TU,
                t => t.min(MAX_DWELL_TU),
            };
            // A channel this 2.4 GHz radio cannot tune to is listed but never heard.
            *slot = (u8::try_from(ch.number).unwrap_or(0), tu * net::TU_NS);
            s.n += 1;
        }
        for (slot, ssid) in s.ssids.iter_mut().zip(sc.ssids.iter()) {
            let b = ssid.as_bytes();
            let n = b.len().min(32);
            if let (Some(dst), Some(src)) = (slot.0.get_mut(..n), b.get(..n)) {
                dst.copy_from_slice(src);
            }
            slot.1 = n as u8;
            s.n_ssids += 1;
        }
        self.radio.scan = Some(s);
        self.air_dwell(0);
        0
    }

    /// Stop scan: completes at the next tick.
    pub(crate) fn air_stop_scan(&mut self) {
        if let Some(s) = self.radio.scan.as_mut() {
            s.idx = s.n;
        }
    }

    /// Tunes to scan channel `idx` and sends its probe requests.
    fn air_dwell(&mut self, idx: usize) {
        let now = self.now;
        let Some(s) = self.radio.scan.as_mut() else {
            return;
        };
        s.idx = idx;
        let Some(&(ch, dwell)) = s.chans.get(idx).filter(|_| idx < s.n) else {
            return;
        };
        s.dwell_end_ns = now + dwell;
        let scan = *s;
        let Some(freq) = air::freq_of_channel(ch) else {
            // Not a channel of this radio: nothing to hear there.
            self.radio.freq = 0;
            return;
        };
        self.radio.freq = freq;
        let wildcard = [([0u8; 32], 0u8)];
        let ssids = match scan.ssids.get(..scan.n_ssids) {
            Some(l) if !l.is_empty() => l,
            _ => &wildcard[..],
        };
        let mut buf = [0u8; 96];
        for _ in 0..scan.probes {
            for (ssid, len) in ssids {
                let seq = self.fw.next_seq80211();
                let name = ssid.get(..usize::from(*len)).unwrap_or(&[]);
                let sta = self.fw.sta_mac;
                if let Some(f) =
                    net::probe_req(&mut buf, &sta, name, seq).and_then(|n| buf.get(..n))
                {
                    self.air_send(f, None);
                }
            }
        }
    }

    /// Air mode's part of the firmware clock: moves a scan on to its next channel, and
    /// completes it after the last, tuning back to the joined BSS.
    pub(crate) fn air_tick(&mut self) {
        self.air_expire();
        loop {
            let Some(s) = self.radio.scan else { return };
            if s.idx < s.n && self.now < s.dwell_end_ns {
                return;
            }
            if s.idx + 1 < s.n {
                self.air_dwell(s.idx + 1);
                continue;
            }
            self.radio.scan = None;
            self.counters.scans += 1;
            if self.radio.bssid.is_some() {
                // Back to the BSS the station is joined to.
                self.radio.freq = self.radio.home_freq;
            }
            let channels = u8::try_from(s.n).unwrap_or(u8::MAX);
            self.push_ctrl(Out::ScanComplete { channels });
            return;
        }
    }
}
