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
//! - Channels are named by band and number (spec §3.3; the vendor's 2.4 and 5 GHz tables,
//!   `bes2600_engine::mac::channel`): a scan or join on 5 GHz tunes to 5000 + 5n MHz. On
//!   5 GHz the radio uses OFDM rates only: its probe requests offer 6-54 Mb/s, and frames
//!   heard there are reported at 6 Mb/s ([`rx_channel_rate`]).
//! - Join (0x000B) tunes to the BSS channel; from then on frames to the station's address,
//!   and group frames of the joined BSS, reach the host as receive indications (0x0804).
//!   Reset (0x000A) unjoins.
//!
//! Frames cross the chip's edge as `crate::air` records, buffered in two fixed FIFOs. A
//! record written to the chip with the acked flag is the medium's acknowledgement of a frame
//! the radio sent (counted in `air_acked`), not a frame to receive.

use bes2600_engine::mac::channel::{channel_to_freq, freq_to_channel, Channel};
use bes2600_engine::mac::rates::band_rates;
use bes2600_wire::wsm::common::Band;
use bes2600_wire::wsm::join::JoinReq;
use bes2600_wire::wsm::scan::StartScan;
use bes2600_wire::Error;

use crate::air::{self, Records};
use crate::chip::{Out, SimChip};
use crate::config::CTRL_QUEUE_CAP;
use crate::crypto::{CcmBackend, CryptoCounters, KeyStore};
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
        self.push_at(freq_mhz, signal_dbm, flags, frame).is_some()
    }

    /// The frame of the record just pushed (`len` frame bytes), for the firmware's crypto
    /// to work on in place.
    fn last_frame_mut(&mut self, len: usize) -> Option<&mut [u8]> {
        let start = self.tail.checked_sub(len)?;
        self.buf.get_mut(start..self.tail)
    }

    /// Drops the record just pushed (`len` frame bytes): the firmware refused it.
    fn unpush(&mut self, len: usize) {
        self.tail = self
            .tail
            .saturating_sub(air::HEADER_LEN + len)
            .max(self.head);
        if self.head == self.tail {
            self.clear();
        }
    }

    /// Sets the flag byte of the record just pushed (`len` frame bytes).
    fn set_last_flags(&mut self, len: usize, flags: u8) {
        if let Some(start) = self.tail.checked_sub(air::HEADER_LEN + len) {
            if let Some(mut r) = self
                .buf
                .get_mut(start..self.tail)
                .and_then(|b| air::Record::new_checked(b).ok())
            {
                r.set_flags(flags);
            }
        }
    }

    /// Appends one record; returns where it starts, `None` (nothing stored) when it does
    /// not fit.
    fn push_at(&mut self, freq_mhz: u16, signal_dbm: i8, flags: u8, frame: &[u8]) -> Option<usize> {
        let need = air::HEADER_LEN + frame.len();
        if self.tail + need > N && self.head > 0 {
            // Move the live records to the front: one copy per wrap, never a split record.
            self.buf.copy_within(self.head..self.tail, 0);
            self.tail -= self.head;
            self.head = 0;
        }
        let start = self.tail;
        let dst = self.buf.get_mut(start..)?;
        let n = air::emit_record(dst, freq_mhz, signal_dbm, flags, frame).ok()?;
        self.tail += n;
        Some(start)
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
    /// (centre frequency in MHz, 0 for a channel the chip lacks; dwell in ns) per listed
    /// channel.
    chans: [(u16, u64); MAX_SCAN_CHANNELS],
    band: Band,
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
    /// The CCMP keys the host installed (forgotten with the rest of the firmware state).
    pub(crate) keys: KeyStore,
    /// AES-CCM for the firmware's crypto; kept across resets (it is the chip's hardware).
    crypto: Option<&'static dyn CcmBackend>,
    /// What the firmware's crypto did; cumulative, like the chip's other counters.
    pub(crate) crypto_counters: CryptoCounters,
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
            keys: KeyStore::new(),
            crypto: None,
            crypto_counters: CryptoCounters {
                ccmp_encrypted: 0,
                ccmp_decrypted: 0,
                ccmp_replays: 0,
                ccmp_mic_failures: 0,
                no_key: 0,
                tx_no_room: 0,
                unsupported: 0,
            },
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
        self.keys.clear();
    }

    /// Drops the record (and its meta) just queued for the medium.
    fn unpush_tx(&mut self, len: usize) {
        self.tx.unpush(len);
        self.meta_len = self.meta_len.saturating_sub(1);
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

/// The centre frequency of channel `number` of `band` (spec §3.3), if the chip has it.
fn tune(band: Band, number: u16) -> Option<u16> {
    channel_to_freq(Channel { band, number })
}

/// The channel number and the hw rate (spec §3.7, §3.9) a receive indication reports for a
/// frame heard on `freq_mhz`, or `None` for a frequency that is no channel of the chip. The
/// medium tells no rate, so the radio reports its band's lowest: 1 Mb/s (hw 0) on 2.4 GHz,
/// 6 Mb/s (hw 6) on 5 GHz, which has no DSSS/CCK.
pub fn rx_channel_rate(freq_mhz: u16) -> Option<(u16, u8)> {
    let ch = freq_to_channel(u32::from(freq_mhz))?;
    let rate = band_rates(ch.band).first().map_or(0, |r| r.hw);
    Some((ch.number, rate))
}

/// The supported-rates element (IEEE 802.11 §9.4.2.3, 500 kb/s units; bit 7 marks a basic
/// rate) of the radio's probe requests on 5 GHz: the band's OFDM rates, with 6, 12 and 24
/// Mb/s basic (the 802.11a mandatory set).
fn ofdm_rates_ie() -> ([u8; 8], usize) {
    let mut ie = [0u8; 8];
    let mut n = 0;
    for (slot, r) in ie.iter_mut().zip(band_rates(Band::Band5G)) {
        let units = u8::try_from(r.bitrate / 5).unwrap_or(0);
        let basic = matches!(r.bitrate, 60 | 120 | 240);
        *slot = units | if basic { 0x80 } else { 0 };
        n += 1;
    }
    (ie, n)
}

/// Writes the radio's probe request on 5 GHz: a wildcard-or-named probe from `sta` that
/// offers only OFDM rates (no extended-rates element).
fn probe_req_5g(buf: &mut [u8], sta: &[u8; 6], ssid: &[u8], seq: u16) -> Option<usize> {
    let (rates, n_rates) = ofdm_rates_ie();
    let ssid_len = u8::try_from(ssid.len()).ok()?;
    let rates = rates.get(..n_rates)?;
    let total = 24 + 2 + ssid.len() + 2 + rates.len();
    let out = buf.get_mut(..total)?;
    let (hdr, body) = out.split_at_mut(24);
    hdr.fill(0);
    hdr[0] = net::fc::PROBE_REQ;
    hdr[4..10].copy_from_slice(&[0xff; 6]);
    hdr[10..16].copy_from_slice(sta);
    hdr[16..22].copy_from_slice(&[0xff; 6]);
    hdr[22..24].copy_from_slice(&(seq << 4).to_le_bytes());
    let (ssid_ie, rates_ie) = body.split_at_mut(2 + ssid.len());
    ssid_ie[0] = 0;
    ssid_ie[1] = ssid_len;
    ssid_ie[2..].copy_from_slice(ssid);
    rates_ie[0] = 1;
    rates_ie[1] = u8::try_from(rates.len()).ok()?;
    rates_ie[2..].copy_from_slice(rates);
    Some(total)
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
                Ok((r, _)) if r.flags & air::FLAG_DECRYPTED != 0 => {
                    // Chip-internal: a medium cannot claim the firmware decrypted a frame.
                    self.counters.air_malformed += 1;
                    self.raise_if_pending();
                    return Err(Error::Reserved);
                }
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
        if net::is_protected(frame) && crate::crypto::header_len(frame).is_some() {
            // Decrypted in place in the RX FIFO, or dropped there (crypto.rs).
            let backend = self.radio.crypto;
            let r = match self.radio.rx.last_frame_mut(frame.len()) {
                Some(f) => self.radio.keys.decrypt(backend, f),
                None => Err(crate::crypto::RxCryptoError::Unsupported),
            };
            match r {
                Ok(()) => {
                    self.radio
                        .rx
                        .set_last_flags(frame.len(), air::FLAG_DECRYPTED);
                    self.radio.crypto_counters.ccmp_decrypted += 1;
                }
                // No key of ours: the host's software crypto may hold one (nohwcrypt), so
                // the frame goes up as heard, reported not decrypted.
                Err(crate::crypto::RxCryptoError::NoKey) => {
                    self.radio.crypto_counters.no_key += 1;
                }
                Err(e) => {
                    self.radio.rx.unpush(frame.len());
                    self.radio.crypto_counters.rx_error(e);
                    return true;
                }
            }
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
        if net::is_protected(frame) && crate::crypto::header_len(frame).is_some() {
            return self.air_send_protected(frame, packet_id);
        }
        if self.air_send(frame, Some(packet_id)) {
            None
        } else {
            Some(wsm::STATUS_RETRY_LIMIT)
        }
    }

    /// A frame the host marked protected: the firmware encrypts it in the TX FIFO with the
    /// installed key, in the room the host left (crypto.rs). Refused (failed confirm) without
    /// the room, a key or a backend.
    fn air_send_protected(&mut self, frame: &[u8], packet_id: u32) -> Option<u32> {
        if !self.radio.keys.has_tx_key(frame) {
            // No key for its receiver: mac80211 protected it in software (nohwcrypt, or a
            // cipher left to it); the firmware sends it as it is.
            self.radio.crypto_counters.no_key += 1;
            return if self.air_send(frame, Some(packet_id)) {
                None
            } else {
                Some(wsm::STATUS_RETRY_LIMIT)
            };
        }
        if let Err(e) = crate::crypto::check_room(frame) {
            self.radio.crypto_counters.tx_error(e);
            return Some(wsm::STATUS_INVALID);
        }
        if !self.radio.push_tx(frame, Some(packet_id), self.now) {
            self.counters.air_tx_dropped += 1;
            return Some(wsm::STATUS_RETRY_LIMIT);
        }
        let backend = self.radio.crypto;
        let r = match self.radio.tx.last_frame_mut(frame.len()) {
            Some(f) => self.radio.keys.encrypt(backend, f),
            None => Err(crate::crypto::TxCryptoError::Unsupported),
        };
        match r {
            Ok(()) => {
                self.radio.crypto_counters.ccmp_encrypted += 1;
                self.counters.air_tx += 1;
                None
            }
            Err(e) => {
                self.radio.unpush_tx(frame.len());
                self.radio.crypto_counters.tx_error(e);
                Some(wsm::STATUS_FAILURE)
            }
        }
    }

    /// Gives the firmware its AES-CCM (the chip's crypto hardware); until then protected
    /// frames for an installed key are refused either way.
    pub fn set_crypto_backend(&mut self, backend: &'static dyn CcmBackend) {
        self.radio.crypto = Some(backend);
    }

    /// What the firmware's crypto did so far.
    pub fn crypto_counters(&self) -> CryptoCounters {
        self.radio.crypto_counters
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
        let Some(freq) = tune(j.band, j.channel) else {
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
            band: sc.band,
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
            // A channel the chip lacks is listed (dwelt on) but never heard (frequency 0).
            *slot = (tune(sc.band, ch.number).unwrap_or(0), tu * net::TU_NS);
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
        let Some(&(freq, dwell)) = s.chans.get(idx).filter(|_| idx < s.n) else {
            return;
        };
        s.dwell_end_ns = now + dwell;
        let scan = *s;
        // 0: not a channel of this radio, nothing to hear there.
        self.radio.freq = freq;
        if freq == 0 {
            return;
        }
        let wildcard = [([0u8; 32], 0u8)];
        let ssids = match scan.ssids.get(..scan.n_ssids) {
            Some(l) if !l.is_empty() => l,
            _ => &wildcard[..],
        };
        let mut buf = [0u8; crate::bss::TEMPLATE_MAX + 40];
        for _ in 0..scan.probes {
            for (ssid, len) in ssids {
                let seq = self.fw.next_seq80211();
                let name = ssid.get(..usize::from(*len)).unwrap_or(&[]);
                let sta = self.fw.sta_mac;
                let n = match scan.band {
                    Band::Band5G => probe_req_5g(&mut buf, &sta, name, seq),
                    // The template the driver uploaded (its IEs, this SSID), else the
                    // built-in probe request.
                    _ => self
                        .fw
                        .bss
                        .probe_req(&mut buf, &sta, name, seq)
                        .or_else(|| net::probe_req(&mut buf, &sta, name, seq)),
                };
                if let Some(f) = n.and_then(|n| buf.get(..n)) {
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

#[cfg(all(test, feature = "std"))]
mod tests_5g {
    //! The radio on 5 GHz (issue 16 §4): scans and joins tune to 5000 + 5n MHz, probes offer
    //! OFDM rates only, a NO_IR scan only listens, and what is heard there is reported on the
    //! 5 GHz channel at 6 Mb/s. The engine's request builders make the commands, as the
    //! kernel module does.
    use super::*;
    use crate::harness::{Harness, HarnessConfig, StaState, STA_MAC};
    use crate::SimConfig;
    use bes2600_engine::mac::join::JoinParams;
    use bes2600_engine::mac::scan::ScanParams;

    const MS: u64 = 1_000_000;

    /// The chip up in air mode with no scan of the harness's station running.
    fn idle_air_chip() -> Harness {
        let mut h = Harness::new(HarnessConfig {
            sim: SimConfig {
                air: true,
                ..SimConfig::default()
            },
            ..HarnessConfig::default()
        });
        assert!(h.run_until_cond(2_000 * MS, |h| h.sim.radio.scan.is_some()));
        assert_eq!(h.host.state, StaState::Scanning);
        // The station stops rescanning; its scan in flight ends unanswered.
        h.host.link_down();
        assert!(h.run_until_cond(2_000 * MS, |h| h.sim.radio.scan.is_none()));
        h.run_for(10 * MS);
        let mut sink = vec![0u8; AIR_TX_CAP];
        h.sim.air_take(&mut sink);
        h
    }

    /// The records the radio transmitted: (frequency, frame).
    fn taken(h: &mut Harness) -> Vec<(u16, Vec<u8>)> {
        let mut buf = vec![0u8; AIR_TX_CAP];
        let n = h.sim.air_take(&mut buf);
        Records::new(&buf[..n])
            .map(|r| r.map(|(r, f)| (r.freq_mhz, f.to_vec())))
            .collect::<Result<_, _>>()
            .expect("whole records")
    }

    fn record(freq: u16, frame: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; air::HEADER_LEN + frame.len()];
        air::emit_record(&mut out, freq, -50, 0, frame).expect("fits");
        out
    }

    /// The supported-rates element of a probe request (after the SSID element).
    fn probe_rates(f: &[u8]) -> Vec<u8> {
        let ssid_len = usize::from(f[25]);
        let at = 24 + 2 + ssid_len;
        assert_eq!(f[at], 1, "supported rates element");
        f[at + 2..at + 2 + usize::from(f[at + 1])].to_vec()
    }

    #[test]
    fn an_active_5g_scan_probes_at_ofdm_rates_on_5g_frequencies() {
        let mut h = idle_air_chip();
        let p = ScanParams::from_channels([(5180, false), (5200, false)], b"ap5");
        assert_eq!(p.with_request(|r| h.sim.air_start_scan(r)), 0);
        assert_eq!(h.sim.radio.freq, 5180);
        h.run_for(150 * MS);
        let probes = taken(&mut h);
        let freqs: Vec<u16> = probes.iter().map(|(f, _)| *f).collect();
        assert!(freqs.contains(&5180) && freqs.contains(&5200), "{freqs:?}");
        for (_, f) in &probes {
            assert_eq!(f[0], net::fc::PROBE_REQ);
            assert_eq!(&f[10..16], &STA_MAC);
            assert_eq!(&f[26..29], b"ap5");
            // 6, 9, 12, 18, 24, 36, 48, 54 Mb/s; 6, 12, 24 basic; nothing below 6 Mb/s.
            let rates = probe_rates(f);
            assert_eq!(rates, [0x8c, 0x12, 0x98, 0x24, 0xb0, 0x48, 0x60, 0x6c]);
            // No extended-rates element: the rates element ends the frame.
            assert_eq!(f.len(), 24 + 2 + 3 + 2 + rates.len());
        }
    }

    #[test]
    fn a_no_ir_scan_listens_and_reports_5g_beacons_on_their_channel() {
        let mut h = idle_air_chip();
        let p = ScanParams::from_channels([(5180, true), (5745, true)], b"");
        assert_eq!(p.with_request(|r| h.sim.air_start_scan(r)), 0);
        h.run_for(20 * MS);
        assert!(taken(&mut h).is_empty(), "a passive scan sends nothing");
        // A beacon on the tuned 5 GHz channel is heard; one on 2.4 GHz is not.
        let mut b = [0u8; 256];
        let n = net::beacon(&mut b, false, &[0xff; 6], 0, 1).expect("beacon");
        let before = h.sim.counters();
        assert_eq!(h.sim.radio.freq, 5180);
        let r = record(2437, &b[..n]);
        assert_eq!(h.sim.air_give(&r), Ok(r.len()));
        let r = record(5180, &b[..n]);
        assert_eq!(h.sim.air_give(&r), Ok(r.len()));
        let k = h.sim.counters();
        assert_eq!(k.air_rx, before.air_rx + 1);
        assert_eq!(k.air_rx_filtered, before.air_rx_filtered + 1);
        let (front, _) = h.sim.radio.rx.front().expect("heard");
        assert_eq!(front.freq_mhz, 5180);
        // Reported as channel 36 at hw rate 6 (6 Mb/s), the 5 GHz band's lowest.
        assert_eq!(rx_channel_rate(front.freq_mhz), Some((36, 6)));
        assert_eq!(rx_channel_rate(5745), Some((149, 6)));
        assert_eq!(rx_channel_rate(2437), Some((6, 0)));
        assert_eq!(rx_channel_rate(5185), None);
        // The scan moves on to 5745 and completes.
        h.run_for(300 * MS);
        assert!(h.sim.radio.scan.is_none());
        assert_eq!(h.sim.counters().scans, before.scans + 1);
    }

    #[test]
    fn a_5g_join_tunes_to_the_bss_channel() {
        let mut h = idle_air_chip();
        let j = JoinParams::new(net::BSSID, 5180, 100, 1, 0b1_0101);
        assert_eq!(h.sim.air_join(&j.request()), 0);
        assert_eq!((h.sim.radio.freq, h.sim.radio.home_freq), (5180, 5180));
        // Channel 36 on 2.4 GHz does not exist: refused, the radio stays where it was.
        let mut bad = j.request();
        bad.band = Band::Band2G4;
        assert_eq!(h.sim.air_join(&bad), wsm::STATUS_INVALID);
        assert_eq!(h.sim.radio.freq, 5180);
        // A frame to the station on 5180 is heard.
        let mut d = [0u8; 1600];
        let n = net::stream_frame(&mut d, &STA_MAC, 100, 0, 0, 1).expect("frame");
        let before = h.sim.counters();
        let r = record(5180, &d[..n]);
        assert_eq!(h.sim.air_give(&r), Ok(r.len()));
        assert_eq!(h.sim.counters().air_rx, before.air_rx + 1);
    }
}
