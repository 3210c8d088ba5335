//! Rendering of queued messages into an RX burst (spec §1.5-1.6, §3.6-3.7).

use crate::chip::{CnfExtra, Latched, Mgmt, Out, SimChip};
use crate::fw::FwState;
use crate::net::{self, W};
use crate::regs;
use crate::rng::Rng;
use crate::wsm::{self, id};

/// Radio parameters of one receive indication.
struct Radio {
    status: u32,
    rate: u8,
    flags: u32,
}

const LABEL: &[u8] = b"BES2600 SIM WSM firmware (bes2600-sim, synthetic)";
/// RCPI for -50 dBm (RSSI = RCPI/2 - 110, spec §3.7).
const RCPI: u8 = 120;
const FLAG_BEACON: u32 = 1 << 7;
const FLAG_HT: u32 = 1 << 14;
const FLAG_A1_MATCH: u32 = 1 << 16;
const FLAG_MULTICAST: u32 = 1 << 9;
const FLAG_BROADCAST: u32 = 1 << 18;
/// RX flags bits 0-2, encryption type 3: AES (CCMP), IV and MIC kept (C:txrx.c:1741-1744).
const ENC_AES: u32 = 3;

fn rx_ind(w: &mut W<'_>, r: &Radio) {
    rx_ind_on(w, r, net::CHANNEL, RCPI);
}

fn rx_ind_on(w: &mut W<'_>, r: &Radio, channel: u16, rcpi: u8) {
    w.le32(r.status)
        .le16(channel)
        .u8(r.rate)
        .u8(rcpi)
        .le32(r.flags)
        .fill(0, 16);
}

/// Air mode: the first frame of the radio's RX FIFO as a receive indication on `if_id`
/// (spec §3.7), with the channel and signal it was heard with. The air record carries no
/// rate, so the indication reports the band's lowest (`radio::rx_channel_rate`: hw 0 on
/// 2.4 GHz, hw 6 on 5 GHz) rather than a made-up one.
fn render_air(
    dst: &mut [u8],
    rx: &crate::radio::RecordFifo<{ crate::radio::AIR_RX_CAP }>,
    if_id: u8,
    sta: &[u8; 6],
) -> Option<(usize, u16)> {
    let (r, frame) = rx.front()?;
    let (channel, rate) = crate::radio::rx_channel_rate(r.freq_mhz)?;
    let a1: [u8; 6] = frame.get(4..10)?.try_into().ok()?;
    let mut flags = if frame.first() == Some(&net::fc::BEACON) {
        FLAG_BEACON
    } else {
        0
    };
    if &a1 == sta {
        flags |= FLAG_A1_MATCH;
    } else if a1 == [0xff; 6] {
        flags |= FLAG_MULTICAST | FLAG_BROADCAST;
    } else if a1[0] & 1 != 0 {
        flags |= FLAG_MULTICAST;
    }
    if r.flags & crate::air::FLAG_DECRYPTED != 0 {
        // Decrypted by the firmware's CCMP, header and MIC left in the frame (crypto.rs).
        flags |= ENC_AES;
    }
    let rcpi = crate::radio::rcpi_of(r.signal_dbm);
    let (hdr, mid) = dst.split_at_mut_checked(wsm::HDR_LEN)?;
    let mut w = W::new(mid);
    rx_ind_on(
        &mut w,
        &Radio {
            status: 0,
            rate,
            flags,
        },
        channel,
        rcpi,
    );
    w.bytes(frame);
    let n = w.finish()?;
    finish(hdr, n, id::RX | (u16::from(if_id) << 6))
}

/// Privacy AP (static WEP): wraps the plaintext data frame at `rest[start..start + n]` the
/// way the firmware passes a protected frame up, and patches the RX indication written at
/// `rest[0..]` (status at 0, flags at 8, spec §3.7): decrypted in place (type 1) with a key
/// installed, else NO_KEY_FOUND (9).
fn protect(
    rest: &mut [u8],
    start: usize,
    n: usize,
    fw: &FwState,
    counters: &mut crate::config::SimCounters,
) -> Option<usize> {
    let n = net::wep_wrap(rest.get_mut(start..)?, n, u32::from(fw.seq80211))?;
    let (status, enc) = if fw.keys != 0 {
        counters.rx_decrypted += 1;
        (0, 1)
    } else {
        counters.rx_no_key += 1;
        (wsm::STATUS_NO_KEY, 0)
    };
    rest.get_mut(0..4)?.copy_from_slice(&status.to_le_bytes());
    let flags = u32::from_le_bytes(rest.get(8..12)?.try_into().ok()?) | enc;
    rest.get_mut(8..12)?.copy_from_slice(&flags.to_le_bytes());
    Some(n)
}

/// Writes message `m` (without its header's seq bits) at the start of `dst`; returns its
/// unpadded length and its id.
fn render(
    m: &Out,
    dst: &mut [u8],
    fw: &mut FwState,
    now: u64,
    cfg_bufs: (u16, u16),
    rng: &mut Rng,
    counters: &mut crate::config::SimCounters,
) -> Option<(usize, u16)> {
    let (hdr, mid) = dst.split_at_mut_checked(wsm::HDR_LEN)?;
    let mut w = W::new(mid);
    let sta = fw.sta_mac;
    let mid_id = match *m {
        Out::Startup => {
            w.le16(cfg_bufs.0)
                .le16(cfg_bufs.1)
                .le16(0x2002)
                .le16(0)
                .le16(0)
                .le16(0);
            w.le16(2).le16(0x0100).le16(1).le16(1);
            w.bytes(LABEL).fill(0, 128 - LABEL.len());
            id::STARTUP
        }
        Out::Confirm {
            id: cid,
            status,
            extra,
        } => {
            match extra {
                CnfExtra::Mcu(cmd) => {
                    w.le32(0).le32(0x0F).le32(cmd).le32(status);
                }
                CnfExtra::ReadMib(mib) => {
                    w.le32(status).le16(mib).le16(4).le32(0);
                }
                CnfExtra::Configuration => {
                    w.le32(status).bytes(&sta).u8(1).u8(0).le32(0x003F_FFCF);
                    for _ in 0..2 {
                        w.le32(0).le32(200).le32(1);
                    }
                }
                CnfExtra::Join => {
                    w.le32(status).le32(0).le32(200);
                }
                CnfExtra::None => {
                    w.le32(status);
                }
            }
            cid
        }
        Out::TxConfirm {
            count,
            ids,
            statuses,
            rates,
            multi,
        } => {
            if multi {
                w.le32(u32::from(count));
            }
            let recs = ids.iter().zip(statuses.iter()).zip(rates.iter());
            for ((pid, st), rate) in recs.take(usize::from(count)) {
                w.le32(*pid)
                    .le32(u32::from(*st))
                    .u8(*rate)
                    .u8(0)
                    .le16(0)
                    .le32(100)
                    .le32(50);
            }
            if multi {
                id::MULTI_TX_CNF
            } else {
                id::TX_CNF
            }
        }
        Out::Mgmt { kind, if_id } => {
            let seq = fw.next_seq80211();
            let flags = if matches!(kind, Mgmt::Beacon | Mgmt::BeaconTim) {
                FLAG_BEACON
            } else {
                FLAG_A1_MATCH
            };
            rx_ind(
                &mut w,
                &Radio {
                    status: 0,
                    rate: 0,
                    flags,
                },
            );
            let start = w.pos();
            let frame = mid.get_mut(start..)?;
            let n = match kind {
                Mgmt::Beacon => net::beacon(frame, false, &[0xff; 6], now / 1000, seq),
                Mgmt::BeaconTim => {
                    let n = net::beacon(frame, false, &[0xff; 6], now / 1000, seq)?;
                    let aid = match fw.ap {
                        crate::chip::ApState::Associated(aid) => aid,
                        _ => 0,
                    };
                    // A beacon without the bit is still a beacon (the AID is always 1 here).
                    let _ = frame.get_mut(..n).and_then(|f| net::set_tim_bit(f, aid));
                    Some(n)
                }
                Mgmt::ProbeResp => net::beacon(frame, true, &sta, now / 1000, seq),
                Mgmt::AuthResp => net::auth_resp(frame, &sta, seq),
                Mgmt::AssocResp(aid) => net::assoc_resp(frame, &sta, aid, seq),
                Mgmt::ArpReply { mac, ip } => net::arp_reply(frame, &sta, &mac, &ip, seq),
                Mgmt::Deauth => net::deauth(frame, &sta, 7, seq),
            }?;
            let n = match kind {
                // Capability Privacy (bit 4), after header, timestamp (8) and interval (2).
                Mgmt::Beacon | Mgmt::BeaconTim | Mgmt::ProbeResp if fw.privacy => {
                    *mid.get_mut(start + 24 + 8 + 2)? |= 0x10;
                    n
                }
                Mgmt::ArpReply { .. } if fw.privacy => protect(mid, start, n, fw, counters)?,
                _ => n,
            };
            return finish(hdr, start + n, id::RX | (u16::from(if_id) << 6));
        }
        Out::ScanComplete { channels } => {
            w.le32(0).u8(0).u8(channels);
            id::SCAN_COMPLETE
        }
        Out::PmComplete { psm } => {
            w.le32(0).u8(psm);
            id::PM_COMPLETE
        }
        Out::Event { id: ev, data } => {
            w.le32(ev).le32(data);
            id::EVENT
        }
        Out::DecryptFail => {
            // A protected FromDS data frame the firmware could not decrypt (AES, status 4).
            let seq = fw.next_seq80211();
            rx_ind(
                &mut w,
                &Radio {
                    status: wsm::STATUS_DECRYPT_FAILURE,
                    rate: 21,
                    flags: 3 | FLAG_HT,
                },
            );
            w.u8(net::fc::DATA)
                .u8(0x42)
                .le16(0)
                .bytes(&sta)
                .bytes(&net::BSSID)
                .bytes(&net::BSSID);
            w.le16(seq << 4);
            let start = w.pos();
            w.fill(0, 64);
            rng.fill(mid.get_mut(start..start + 64)?);
            return finish(hdr, start + 64, id::RX);
        }
        // Rendered from the radio's FIFO by `latch_burst`, which owns it.
        Out::AirRx { .. } => return None,
        Out::Garbage { len } => {
            // Hostile: random bytes, random length and id in the header.
            let n = usize::from(len).clamp(wsm::HDR_LEN, regs::MAX_MSG) - wsm::HDR_LEN;
            rng.fill(mid.get_mut(..n)?);
            let hdr_len = rng.next_u64() as u16;
            let hdr_id = rng.next_u64() as u16;
            hdr.get_mut(0..2)?.copy_from_slice(&hdr_len.to_le_bytes());
            hdr.get_mut(2..4)?.copy_from_slice(&hdr_id.to_le_bytes());
            return Some((n + wsm::HDR_LEN, hdr_id));
        }
    };
    let n = w.finish()?;
    finish(hdr, n, mid_id)
}

fn finish(hdr: &mut [u8], payload: usize, mid: u16) -> Option<(usize, u16)> {
    let total = payload + wsm::HDR_LEN;
    hdr.get_mut(0..2)?
        .copy_from_slice(&u16::try_from(total).ok()?.to_le_bytes());
    hdr.get_mut(2..4)?.copy_from_slice(&mid.to_le_bytes());
    Some((total, mid))
}

impl SimChip {
    /// Packs up to 16 waiting messages (control first, then stream data) into one burst,
    /// each 4-byte padded, the total rounded up to 512 (spec §1.5-1.6), and stamps the
    /// chip→host sequence numbers (spec §3.2).
    pub(crate) fn latch_burst(&mut self) {
        let mut l = Latched::default();
        let mut pos = 0usize;
        if self.rng.chance_ppm(self.cfg.faults.hostile_ppm) {
            // Hostile: a whole burst of noise, without consuming anything queued.
            self.counters.hostile_events += 1;
            let blocks = 1 + self.rng.below((regs::MAX_BURST / regs::RX_LEN_UNIT) as u64) as usize;
            pos = blocks * regs::RX_LEN_UNIT;
            if let Some(b) = self.burst.get_mut(..pos) {
                self.rng.fill(b);
            }
        } else {
            let bufs = (self.cfg.num_inp_ch_bufs, self.cfg.size_inp_ch_buf);
            let mut garbage_seen = false;
            while usize::from(l.msgs) < regs::RX_MULTIPLE_NUM {
                enum Next {
                    Ctrl(Out),
                    Data(u64, u64),
                }
                let next = if let Some(m) = self.pop_ctrl() {
                    Next::Ctrl(m)
                } else if let Some((seq, gen)) = self.peek_data() {
                    self.pop_data();
                    Next::Data(seq, gen)
                } else {
                    break;
                };
                let Some(dst) = self.burst.get_mut(pos..pos + regs::MAX_MSG) else {
                    break;
                };
                garbage_seen |= matches!(next, Next::Ctrl(Out::Garbage { .. }));
                let (n, mid, is_data) = match next {
                    Next::Ctrl(Out::AirRx { if_id }) => {
                        let r = render_air(dst, &self.radio.rx, if_id, &self.fw.sta_mac);
                        self.radio.rx.pop_front();
                        match r {
                            Some((n, mid)) => (n, mid, false),
                            None => continue,
                        }
                    }
                    Next::Ctrl(m) => {
                        match render(
                            &m,
                            dst,
                            &mut self.fw,
                            self.now,
                            bufs,
                            &mut self.rng,
                            &mut self.counters,
                        ) {
                            Some((n, mid)) => (n, mid, false),
                            None => continue,
                        }
                    }
                    Next::Data(seq, gen) => {
                        match render_stream(
                            dst,
                            &mut self.fw,
                            &self.cfg.traffic,
                            seq,
                            gen,
                            &mut self.counters,
                        ) {
                            Some(n) => (n, id::RX, true),
                            None => {
                                self.counters.dropped_truncated += 1;
                                continue;
                            }
                        }
                    }
                };
                // Stamp the chip→host seq of the message's space (spec §3.2).
                let space = wsm::seq_space(mid);
                let seq = self.fw.chip_seq.get(space).copied().unwrap_or(0);
                if let Some(s) = self.fw.chip_seq.get_mut(space) {
                    *s = (seq + 1) & 7;
                }
                if let Some(h) = dst.get_mut(2..4) {
                    let stamped = (mid & 0x1FFF) | (u16::from(seq) << 13);
                    h.copy_from_slice(&stamped.to_le_bytes());
                }
                let padded = (n + 3) & !3;
                if let Some(pad) = dst.get_mut(n..padded) {
                    pad.fill(0);
                }
                pos += padded;
                if is_data && garbage_seen {
                    // No parser can find a frame behind a garbage header in the same burst.
                    self.counters.hostile_tainted += 1;
                }
                if is_data {
                    if let Some(e) = l.data_ends.get_mut(usize::from(l.data_count)) {
                        *e = pos as u16;
                        l.data_count += 1;
                    }
                }
                l.msgs += 1;
            }
        }
        if pos == 0 {
            return;
        }
        l.used = pos;
        let blocks = pos.div_ceil(regs::RX_LEN_UNIT);
        l.len = blocks * regs::RX_LEN_UNIT;
        if let Some(pad) = self.burst.get_mut(pos..l.len) {
            pad.fill(0);
        }
        let toggle = if self.announce_toggle {
            regs::RX_LEN_TOGGLE
        } else {
            0
        };
        self.announce_toggle = !self.announce_toggle;
        l.reg = (blocks as u8 & regs::RX_LEN_UNITS_MASK) | toggle;
        self.latched = Some(l);
    }
}

fn render_stream(
    dst: &mut [u8],
    fw: &mut FwState,
    t: &crate::config::TrafficConfig,
    seq: u64,
    gen: u64,
    counters: &mut crate::config::SimCounters,
) -> Option<usize> {
    let (hdr, rest) = dst.split_at_mut_checked(wsm::HDR_LEN)?;
    let mut w = W::new(rest);
    rx_ind(
        &mut w,
        &Radio {
            status: 0,
            rate: t.rate_index,
            flags: FLAG_HT | FLAG_A1_MATCH,
        },
    );
    let start = w.pos();
    let s80211 = fw.next_seq80211();
    let n = net::stream_frame(
        rest.get_mut(start..)?,
        &fw.sta_mac,
        t.payload_len,
        seq,
        gen,
        s80211,
    )?;
    let n = if fw.privacy {
        protect(rest, start, n, fw, counters)?
    } else {
        n
    };
    finish(hdr, start + n, id::RX).map(|(n, _)| n)
}
