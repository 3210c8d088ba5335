//! Air mode (issue 16): the chip's built-in AP is off and its radio talks to a medium
//! outside it through air records (`bes2600_sim::air`). A fake AP in this file plays the
//! medium and the access point: it answers probe requests, authentication and association
//! over air, sends beacons and a downlink UDP stream, and sinks the uplink. The engine and
//! the harness's station run unchanged on top, so scan, join and data both ways go through
//! the real engine and the chip's air path.

use bes2600_engine::keys::{cipher, KeyConf, KeyTable};
use bes2600_sim::air::{self, Records};
use bes2600_sim::crypto::{self, CcmBackend, CCMP_HDR_LEN, CCMP_MIC_LEN, NONCE_LEN};
use bes2600_sim::harness::{Harness, HarnessConfig, HostEvent, StaState, STA_MAC};
use bes2600_sim::net::{self, fc};
use bes2600_sim::{SimChip, SimConfig};
use bes2600_wire::wsm::key::ADD_KEY_REQ;
use bes2600_wire::wsm::Message;

const MS: u64 = 1_000_000;
const SEC: u64 = 1_000 * MS;
/// The fake AP's channel (the harness station looks for `net::BSSID` on channel 6).
const AP_FREQ: u16 = 2437;
/// Signal of the fake AP's frames at the chip.
const AP_SIGNAL: i8 = -45;

/// A medium plus access point, outside the chip.
#[derive(Default)]
struct FakeAp {
    /// Probe requests heard, per frequency, and the SSID element of the last one.
    probes: Vec<(u16, Vec<u8>)>,
    auths: u64,
    assocs: u64,
    arp_requests: u64,
    uplink_udp: u64,
    /// Frames the chip sent on a channel other than the AP's (scan probes excepted).
    off_channel: u64,
    /// Records whose ack-requested flag disagrees with the destination address.
    bad_ack_flag: u64,
    /// Acknowledgements written back to the chip.
    acks: u64,
    associated: bool,
    next_beacon_ns: u64,
    stream_seq: u64,
    seq: u16,
    /// WPA2: the pairwise key; downlink data is then CCMP-protected and protected uplink
    /// frames are decrypted before they are looked at.
    ptk: Option<[u8; 16]>,
    /// Last PN the AP sent with `ptk`.
    pn: u64,
    /// Protected uplink frames that decrypted, and that did not.
    ccmp_ok: u64,
    ccmp_bad: u64,
    /// The last protected frame the AP sent (for a replay).
    last_protected: Vec<u8>,
}

impl FakeAp {
    fn next_seq(&mut self) -> u16 {
        self.seq = (self.seq + 1) & 0xFFF;
        self.seq
    }

    /// Reads what the chip transmitted and answers; `stream` datagrams per call once
    /// associated.
    fn service(&mut self, chip: &mut SimChip, now_ns: u64, stream: u64) {
        let mut buf = vec![0u8; 64 * 1024];
        let n = chip.air_take(&mut buf);
        let mut out = Vec::new();
        for rec in Records::new(&buf[..n]) {
            let (r, f) = rec.expect("the chip emits whole, valid records");
            self.heard(r, f, now_ns, &mut out);
        }
        if now_ns >= self.next_beacon_ns {
            self.next_beacon_ns = now_ns + u64::from(net::BEACON_INTERVAL_TU) * net::TU_NS;
            let seq = self.next_seq();
            let mut b = [0u8; 256];
            let n = net::beacon(&mut b, false, &[0xff; 6], now_ns / 1000, seq).unwrap();
            push(&mut out, &b[..n], 0);
        }
        if self.associated {
            for _ in 0..stream {
                let seq = self.next_seq();
                let mut d = [0u8; 1600];
                let n = net::stream_frame(&mut d, &STA_MAC, 1000, self.stream_seq, now_ns, seq)
                    .unwrap();
                self.stream_seq += 1;
                if let Some(k) = self.ptk {
                    self.pn += 1;
                    let p = protect(&d[..n], &k, self.pn);
                    push(&mut out, &p, air::FLAG_ACK_REQUESTED);
                    self.last_protected = p;
                } else {
                    push(&mut out, &d[..n], air::FLAG_ACK_REQUESTED);
                }
            }
        }
        if !out.is_empty() {
            assert_eq!(chip.air_give(&out), Ok(out.len()));
        }
    }

    fn heard(&mut self, r: air::RecordRepr, f: &[u8], now_ns: u64, out: &mut Vec<u8>) {
        let group = f[4] & 1 != 0;
        if (r.flags & air::FLAG_ACK_REQUESTED != 0) == group {
            self.bad_ack_flag += 1;
        }
        if !group {
            // As hwsim-medium does: the frame written back acked is the sender's TX status.
            let at = out.len();
            out.resize(at + air::HEADER_LEN + f.len(), 0);
            air::emit_record(&mut out[at..], r.freq_mhz, AP_SIGNAL, air::FLAG_ACKED, f).unwrap();
            self.acks += 1;
        }
        assert_eq!(r.signal_dbm, 15, "the chip reports its TX power");
        if f[0] == fc::PROBE_REQ {
            assert_eq!(&f[10..16], &STA_MAC, "probe SA");
            let ssid_len = usize::from(f[25]);
            self.probes
                .push((r.freq_mhz, f[26..26 + ssid_len].to_vec()));
            if r.freq_mhz == AP_FREQ {
                let seq = self.next_seq();
                let mut b = [0u8; 256];
                let n = net::beacon(&mut b, true, &STA_MAC, now_ns / 1000, seq).unwrap();
                push(out, &b[..n], air::FLAG_ACK_REQUESTED);
            }
            return;
        }
        if r.freq_mhz != AP_FREQ {
            self.off_channel += 1;
            return;
        }
        let plain;
        let f = if net::is_protected(f) {
            match self.ptk.and_then(|k| unprotect(f, &k)) {
                Some(p) => {
                    self.ccmp_ok += 1;
                    plain = p;
                    &plain[..]
                }
                None => {
                    self.ccmp_bad += 1;
                    return;
                }
            }
        } else {
            f
        };
        let sta: [u8; 6] = f[10..16].try_into().unwrap();
        let mut b = [0u8; 256];
        match net::classify(f) {
            net::StaFrame::Auth { .. } => {
                self.auths += 1;
                let seq = self.next_seq();
                let n = net::auth_resp(&mut b, &sta, seq).unwrap();
                push(out, &b[..n], air::FLAG_ACK_REQUESTED);
            }
            net::StaFrame::Assoc { .. } => {
                self.assocs += 1;
                self.associated = true;
                let seq = self.next_seq();
                let n = net::assoc_resp(&mut b, &sta, 1, seq).unwrap();
                push(out, &b[..n], air::FLAG_ACK_REQUESTED);
            }
            net::StaFrame::ArpRequest { mac, ip } => {
                self.arp_requests += 1;
                let seq = self.next_seq();
                let n = net::arp_reply(&mut b, &sta, &mac, &ip, seq).unwrap();
                push(out, &b[..n], air::FLAG_ACK_REQUESTED);
            }
            net::StaFrame::Udp => self.uplink_udp += 1,
            _ => {}
        }
    }
}

fn push(out: &mut Vec<u8>, frame: &[u8], flags: u8) {
    let at = out.len();
    out.resize(at + air::HEADER_LEN + frame.len(), 0);
    air::emit_record(&mut out[at..], AP_FREQ, AP_SIGNAL, flags, frame).unwrap();
}

fn air_harness() -> Harness {
    Harness::new(HarnessConfig {
        sim: SimConfig {
            air: true,
            ..SimConfig::default()
        },
        ..HarnessConfig::default()
    })
}

/// Steps the rig with the fake AP in the loop until `f` holds or `limit_ns` passed.
fn run(
    h: &mut Harness,
    ap: &mut FakeAp,
    limit_ns: u64,
    stream: u64,
    mut f: impl FnMut(&Harness, &FakeAp) -> bool,
) -> bool {
    let end = h.now_ns + limit_ns;
    while h.now_ns < end {
        if f(h, ap) {
            return true;
        }
        h.step();
        ap.service(&mut h.sim, h.now_ns, stream);
    }
    f(h, ap)
}

#[test]
fn scan_join_associate_and_data_both_ways_over_air() {
    let mut h = air_harness();
    let mut ap = FakeAp::default();
    assert!(
        run(&mut h, &mut ap, 5 * SEC, 0, |h, _| h.host.state
            == StaState::Associated),
        "not associated: {:?} {:?} {:?}",
        h.host.state,
        h.host.events,
        h.sim.counters()
    );
    // The scan probed every listed channel (1, 6, 11) for the station's SSID.
    for freq in [2412, 2437, 2462] {
        assert!(
            ap.probes
                .iter()
                .any(|(f, ssid)| *f == freq && ssid == net::SSID),
            "no probe on {freq}: {:?}",
            ap.probes
        );
    }
    assert!(h.host.count(|e| *e == HostEvent::FoundAp) >= 1);
    assert_eq!((ap.auths, ap.assocs), (1, 1));
    assert_eq!(h.sim.counters().scans, 1);
    // The built-in AP is off: it generated no stream, no beacons and granted nothing.
    let k = h.sim.counters();
    assert_eq!((k.generated, k.beacons, k.assocs), (0, 0, 0));

    // ARP to 192.0.2.1 over air, answered by the fake AP.
    assert!(run(&mut h, &mut ap, SEC, 0, |h, _| h
        .host
        .count(|e| *e == HostEvent::ArpReply)
        == 1));
    assert_eq!(ap.arp_requests, 1);

    // Downlink: 2 datagrams per ms for 2 s, all in order.
    let want = 4000;
    assert!(
        run(&mut h, &mut ap, 3 * SEC, 2, |h, ap| ap.stream_seq >= want
            && h.host.stream.unique >= want),
        "{:?} {:?}",
        h.host.stream,
        h.sim.counters()
    );
    let s = &h.host.stream;
    assert_eq!((s.lost(), s.duplicates, s.reordered), (0, 0, 0), "{s:?}");
    assert!(
        h.host.beacons >= 10,
        "beacons while associated: {}",
        h.host.beacons
    );

    // Uplink: 500 datagrams reach the AP.
    for _ in 0..500 {
        h.host.queue_uplink(1000);
    }
    assert!(
        run(&mut h, &mut ap, 2 * SEC, 0, |_, ap| ap.uplink_udp >= 500),
        "uplink {} {:?}",
        ap.uplink_udp,
        h.sim.counters()
    );
    assert_eq!(ap.uplink_udp, 500);
    assert_eq!((ap.off_channel, ap.bad_ack_flag), (0, 0));
    let k = h.sim.counters();
    // Every acknowledgement was taken as one, none as a received frame.
    assert_eq!(k.air_acked, ap.acks, "{k:?}");
    assert_eq!(
        (k.air_tx_dropped, k.air_rx_overflow, k.air_malformed),
        (0, 0, 0),
        "{k:?}"
    );
    assert!(k.air_rx >= 4000 && k.air_tx >= 500, "{k:?}");
    assert_eq!(h.host.tx_status_failed, 0);
    assert_eq!(h.engine_rx_drops(), 0);
}

#[test]
fn frames_for_other_stations_bsses_and_channels_are_filtered() {
    let mut h = air_harness();
    let mut ap = FakeAp::default();
    assert!(run(&mut h, &mut ap, 5 * SEC, 0, |h, _| h.host.state
        == StaState::Associated));
    run(&mut h, &mut ap, 50 * MS, 0, |_, _| false);
    let before = (h.sim.counters(), h.host.rx_frames);
    let mut out = Vec::new();
    let mut d = [0u8; 1600];
    // A datagram to another station of the same BSS.
    let n = net::stream_frame(&mut d, &[2, 0, 0, 0, 0, 0x77], 100, 0, 0, 1).unwrap();
    push(&mut out, &d[..n], 0);
    // A beacon of another BSS on our channel.
    let n = net::beacon(&mut d, false, &[0xff; 6], 0, 2).unwrap();
    d[10..16].copy_from_slice(&[2, 9, 9, 9, 9, 9]);
    d[16..22].copy_from_slice(&[2, 9, 9, 9, 9, 9]);
    push(&mut out, &d[..n], 0);
    // An ACK (control frame) to us.
    let mut ack = [0u8; 10];
    ack[0] = 0xD4;
    ack[4..10].copy_from_slice(&STA_MAC);
    push(&mut out, &ack, 0);
    assert_eq!(h.sim.air_give(&out), Ok(out.len()));
    // Our own BSS's beacon on channel 11: another channel, not heard.
    let n = net::beacon(&mut d, false, &[0xff; 6], 0, 3).unwrap();
    let mut other = vec![0u8; air::HEADER_LEN + n];
    air::emit_record(&mut other, 2462, -40, 0, &d[..n]).unwrap();
    assert_eq!(h.sim.air_give(&other), Ok(other.len()));
    h.step();
    h.step();
    let k = h.sim.counters();
    assert_eq!(k.air_rx_filtered - before.0.air_rx_filtered, 4, "{k:?}");
    assert_eq!(k.air_rx, before.0.air_rx);
    assert_eq!(h.host.rx_frames, before.1);
}

#[test]
fn a_malformed_write_is_refused_after_the_good_records_before_it() {
    let mut h = air_harness();
    let mut ap = FakeAp::default();
    assert!(run(&mut h, &mut ap, 5 * SEC, 0, |h, _| h.host.state
        == StaState::Associated));
    let mut out = Vec::new();
    let mut d = [0u8; 1600];
    let n = net::stream_frame(&mut d, &STA_MAC, 100, 0, 0, 1).unwrap();
    push(&mut out, &d[..n], 0);
    let good = out.len();
    out.extend_from_slice(&[0xff, 0xff, 0x85, 0x09, 0, 0, 0, 0, 1, 2, 3]);
    let before = h.sim.counters();
    assert_eq!(
        h.sim.air_give(&out),
        Err(bes2600_wire::Error::BadLength),
        "a 65535-byte frame is refused"
    );
    let k = h.sim.counters();
    assert_eq!(k.air_malformed, before.air_malformed + 1);
    assert_eq!(
        k.air_rx,
        before.air_rx + 1,
        "the record before it was heard"
    );
    assert!(good > 0);
    // A record cut by the end of the buffer after a whole one is a partial write: the whole
    // one is consumed, the cut one left for the next write.
    let mut two = Vec::new();
    push(&mut two, &d[..n], 0);
    push(&mut two, &d[..n], 0);
    let one = two.len() / 2;
    assert_eq!(h.sim.air_give(&two[..one + 20]), Ok(one));
    assert_eq!(h.sim.air_give(&two[one..]), Ok(one));
    assert_eq!(
        h.sim.air_give(&two[..20]),
        Err(bes2600_wire::Error::Truncated),
        "a write must hold one whole record"
    );
    assert_eq!(h.sim.counters().air_rx, before.air_rx + 3);
}

#[test]
fn an_undrained_medium_fails_tx_with_retry_limit_and_reset_forgets_the_radio() {
    let mut h = air_harness();
    let mut ap = FakeAp::default();
    assert!(run(&mut h, &mut ap, 5 * SEC, 0, |h, _| h.host.state
        == StaState::Associated));
    // Nobody reads the endpoint: frames wait in the firmware's buffers, unconfirmed, so the
    // host runs out of credits (32) instead of losing frames...
    for _ in 0..40 {
        h.host.queue_uplink(1400);
    }
    h.run_for(200 * MS);
    let k = h.sim.counters();
    assert_eq!((k.air_tx_dropped, h.host.tx_status_failed), (0, 0), "{k:?}");
    assert_eq!(h.sim.outstanding(), 32);
    assert!(h.host.tx_queue.len() >= 8, "the host holds the rest");
    // ...until their lifetime ends: then each fails with the retry-limit status.
    h.run_for(2 * SEC);
    let k = h.sim.counters();
    assert!(k.air_tx_dropped >= 40, "{k:?}");
    assert_eq!(h.host.tx_status_failed, k.air_tx_dropped);
    assert!(h.host.tx_queue.is_empty());
    h.host.queue_uplink(1400);
    h.run_for(10 * MS);
    assert!(h.sim.air_pending());
    let next = h.sim.air_next_len().unwrap();
    let mut small = vec![0u8; next - 1];
    assert_eq!(h.sim.air_take(&mut small), 0, "never a partial record");
    // A power cycle drops what was on the way and untunes the radio.
    use bes2600_engine::Bus;
    h.sim.reset().unwrap();
    assert!(!h.sim.air_pending());
}

#[test]
fn a_held_write_stops_at_full_rx_buffers_and_loses_nothing() {
    let mut h = air_harness();
    let mut ap = FakeAp::default();
    assert!(run(&mut h, &mut ap, 5 * SEC, 0, |h, _| h.host.state
        == StaState::Associated));
    run(&mut h, &mut ap, 50 * MS, 0, |_, _| false);
    let before = h.host.stream.unique;
    // 200 datagrams at once: far more than the RX buffers hold.
    let mut out = Vec::new();
    let mut d = [0u8; 1600];
    for seq in 0..200 {
        let n = net::stream_frame(&mut d, &STA_MAC, 1400, 1_000_000 + seq, 0, seq as u16).unwrap();
        push(&mut out, &d[..n], air::FLAG_ACK_REQUESTED);
    }
    let mut off = 0;
    let mut stalls = 0;
    while off < out.len() {
        let n = h.sim.air_give_held(&out[off..]).unwrap();
        if n == 0 {
            stalls += 1;
            h.step();
        }
        off += n;
    }
    h.run_for(100 * MS);
    assert!(stalls > 0, "the buffers must have filled");
    let k = h.sim.counters();
    assert_eq!(k.air_rx_overflow, 0, "{k:?}");
    assert!(h.host.stream.unique >= before + 200, "{:?}", h.host.stream);
    // Without holding, the same burst overflows (and counts it).
    let n = h.sim.air_give(&out).unwrap();
    assert_eq!(n, out.len());
    assert!(h.sim.counters().air_rx_overflow > 0);
}

/// AES-CCM for the chip and the fake AP: RustCrypto (the kernel's backend is its crypto API).
struct RustCcm;

static RUST_CCM: RustCcm = RustCcm;

type Ccmp = ccm::Ccm<aes::Aes128, ccm::consts::U8, ccm::consts::U13>;

impl CcmBackend for RustCcm {
    fn encrypt(
        &self,
        _slot: u8,
        key: &[u8; 16],
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        data: &mut [u8],
        mic: &mut [u8; CCMP_MIC_LEN],
    ) -> bool {
        use ccm::aead::{generic_array::GenericArray, AeadInPlace, KeyInit};
        let c = Ccmp::new(GenericArray::from_slice(key));
        c.encrypt_in_place_detached(GenericArray::from_slice(nonce), aad, data)
            .map(|t| mic.copy_from_slice(&t))
            .is_ok()
    }

    fn decrypt(
        &self,
        _slot: u8,
        key: &[u8; 16],
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        data: &mut [u8],
        mic: &[u8; CCMP_MIC_LEN],
    ) -> bool {
        use ccm::aead::{generic_array::GenericArray, AeadInPlace, KeyInit};
        let c = Ccmp::new(GenericArray::from_slice(key));
        c.decrypt_in_place_detached(
            GenericArray::from_slice(nonce),
            aad,
            data,
            GenericArray::from_slice(mic),
        )
        .is_ok()
    }
}

/// The AP's CCMP: `plain` with the Protected bit, a CCMP header for `pn` (key id 0), the
/// encrypted body and the MIC.
fn protect(plain: &[u8], key: &[u8; 16], pn: u64) -> Vec<u8> {
    let hl = crypto::header_len(plain).unwrap();
    let mut hdr = plain[..hl].to_vec();
    hdr[1] |= 0x40;
    let (mut nonce, mut aad) = ([0u8; NONCE_LEN], [0u8; crypto::MAX_AAD_LEN]);
    let n = crypto::nonce_aad(&hdr, pn, &mut nonce, &mut aad).unwrap();
    let mut body = plain[hl..].to_vec();
    let mut mic = [0u8; CCMP_MIC_LEN];
    assert!(RUST_CCM.encrypt(0, key, &nonce, &aad[..n], &mut body, &mut mic));
    let p = pn.to_le_bytes();
    let mut f = hdr;
    f.extend_from_slice(&[p[0], p[1], 0, 0x20, p[2], p[3], p[4], p[5]]);
    f.extend_from_slice(&body);
    f.extend_from_slice(&mic);
    f
}

/// The AP's CCMP receive: the plaintext frame (header without Protected, body), if `f`
/// authenticates under `key`.
fn unprotect(f: &[u8], key: &[u8; 16]) -> Option<Vec<u8>> {
    let hl = crypto::header_len(f)?;
    let iv = f.get(hl..hl + CCMP_HDR_LEN)?;
    let pn = u64::from_le_bytes([iv[0], iv[1], iv[4], iv[5], iv[6], iv[7], 0, 0]);
    let (mut nonce, mut aad) = ([0u8; NONCE_LEN], [0u8; crypto::MAX_AAD_LEN]);
    let n = crypto::nonce_aad(&f[..hl], pn, &mut nonce, &mut aad)?;
    let mut body = f
        .get(hl + CCMP_HDR_LEN..f.len().checked_sub(CCMP_MIC_LEN)?)?
        .to_vec();
    let mic: [u8; CCMP_MIC_LEN] = f[f.len() - CCMP_MIC_LEN..].try_into().ok()?;
    if !RUST_CCM.decrypt(0, key, &nonce, &aad[..n], &mut body, &mic) {
        return None;
    }
    let mut p = f[..hl].to_vec();
    p[1] &= !0x40;
    p.extend_from_slice(&body);
    Some(p)
}

/// A protected uplink UDP datagram as mac80211 hands it to the driver for a hardware key:
/// IV room after the header (PUT_IV_SPACE) and, with `mic_room`, the MIC room the driver
/// appends (C:txrx.c:694-710).
fn protected_uplink(seq: u16, mic_room: bool) -> Vec<u8> {
    let mut f = vec![fc::DATA, 0x41, 0, 0];
    f.extend_from_slice(&net::BSSID);
    f.extend_from_slice(&STA_MAC);
    f.extend_from_slice(&net::BSSID);
    f.extend_from_slice(&(seq << 4).to_le_bytes());
    f.extend_from_slice(&[0; CCMP_HDR_LEN]);
    f.extend_from_slice(&[0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00]);
    let udp_len = 8 + 200;
    let mut ip = vec![0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0];
    ip[2..4].copy_from_slice(&((20 + udp_len) as u16).to_be_bytes());
    ip.extend_from_slice(&net::STA_IP);
    ip.extend_from_slice(&net::AP_IP);
    let c = net::ipv4_checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    ip.extend_from_slice(&net::STREAM_PORT.to_be_bytes());
    ip.extend_from_slice(&net::STREAM_PORT.to_be_bytes());
    ip.extend_from_slice(&(udp_len as u16).to_be_bytes());
    ip.extend_from_slice(&[0, 0]);
    ip.resize(20 + udp_len, 0x55);
    f.extend_from_slice(&ip);
    if mic_room {
        f.extend_from_slice(&[0; CCMP_MIC_LEN]);
    }
    f
}

#[test]
fn ccmp_offload_encrypts_uplink_decrypts_downlink_and_refuses_replays_and_missing_room() {
    let mut h = air_harness();
    h.sim.set_crypto_backend(&RUST_CCM);
    let mut ap = FakeAp::default();
    assert!(run(&mut h, &mut ap, 5 * SEC, 0, |h, _| h.host.state
        == StaState::Associated));
    // Before any key is installed, a frame the host protected itself (software crypto,
    // nohwcrypt) goes out as it is: the AP decrypts it, the firmware encrypted nothing.
    let ptk = [0x5Au8; 16];
    ap.ptk = Some(ptk);
    let sw = protected_uplink(7, true);
    let hl = 24 + CCMP_HDR_LEN;
    let mut plain = sw[..24].to_vec();
    plain[1] &= !0x40;
    plain.extend_from_slice(&sw[hl..sw.len() - CCMP_MIC_LEN]);
    h.host.queue_tx(&protect(&plain, &ptk, 1));
    assert!(run(&mut h, &mut ap, SEC, 0, |_, ap| ap.ccmp_ok == 1));
    let c = h.sim.crypto_counters();
    assert_eq!((c.no_key, c.ccmp_encrypted), (1, 0), "{c:?}");
    ap.ccmp_ok = 0;
    ap.pn = 1;
    ap.ptk = None;

    // The pairwise key, mapped by the engine and installed with WSM ADD_KEY.
    let add = KeyTable::new()
        .install(&KeyConf {
            cipher: cipher::CCMP,
            key_idx: 0,
            pairwise: true,
            peer: Some(net::BSSID),
            key: &ptk,
            rx_pn: 0,
        })
        .unwrap();
    let mut b = vec![0u8; add.buffer_len()];
    add.emit(&mut b);
    h.host.cmd(ADD_KEY_REQ, b);
    h.run_for(100 * MS);
    assert_eq!(h.sim.counters().keys_installed, 1);
    ap.ptk = Some(ptk);

    // Downlink: every datagram CCMP-protected on air, decrypted by the firmware, in order.
    let want = 1000;
    assert!(
        run(&mut h, &mut ap, 3 * SEC, 2, |h, ap| ap.stream_seq >= want
            && h.host.stream.unique >= want),
        "{:?} {:?}",
        h.host.stream,
        h.sim.crypto_counters()
    );
    let s = &h.host.stream;
    assert_eq!((s.lost(), s.duplicates, s.reordered), (0, 0, 0), "{s:?}");
    let c = h.sim.crypto_counters();
    assert_eq!(c.ccmp_decrypted, ap.stream_seq, "{c:?}");
    assert_eq!((c.ccmp_replays, c.ccmp_mic_failures, c.no_key), (0, 0, 1));

    // Uplink: protected frames with the room are encrypted by the firmware; the AP's
    // decryption with the same key recovers them.
    for seq in 0..100 {
        h.host.queue_tx(&protected_uplink(seq, true));
    }
    let udp0 = ap.uplink_udp;
    assert!(
        run(&mut h, &mut ap, 2 * SEC, 0, |_, ap| ap.uplink_udp
            >= udp0 + 100),
        "uplink {} {:?}",
        ap.uplink_udp,
        h.sim.crypto_counters()
    );
    assert_eq!((ap.ccmp_ok, ap.ccmp_bad), (100, 0));
    assert_eq!(h.sim.crypto_counters().ccmp_encrypted, 100);
    assert_eq!(h.host.tx_status_failed, 0);

    // Without the MIC room the firmware refuses the frame: failed confirm, named counter,
    // nothing on air.
    h.host.queue_tx(&protected_uplink(100, false));
    run(&mut h, &mut ap, 200 * MS, 0, |_, _| false);
    let c = h.sim.crypto_counters();
    assert_eq!((c.tx_no_room, c.ccmp_encrypted), (1, 100), "{c:?}");
    assert_eq!(h.host.tx_status_failed, 1);
    assert_eq!(ap.ccmp_ok + ap.ccmp_bad, 100);

    // A replayed frame and a tampered one are dropped by the firmware, not delivered.
    ap.associated = false;
    let unique0 = h.host.stream.unique;
    let mut rec = Vec::new();
    push(&mut rec, &ap.last_protected, air::FLAG_ACK_REQUESTED);
    assert_eq!(h.sim.air_give(&rec), Ok(rec.len()));
    ap.pn += 1;
    let seq = ap.next_seq();
    let mut d = [0u8; 1600];
    let n = net::stream_frame(&mut d, &STA_MAC, 1000, ap.stream_seq, h.now_ns, seq).unwrap();
    let mut bad = protect(&d[..n], &ptk, ap.pn);
    let at = bad.len() - 20;
    bad[at] ^= 0x01;
    let mut rec = Vec::new();
    push(&mut rec, &bad, air::FLAG_ACK_REQUESTED);
    assert_eq!(h.sim.air_give(&rec), Ok(rec.len()));
    h.run_for(100 * MS);
    let c = h.sim.crypto_counters();
    assert_eq!((c.ccmp_replays, c.ccmp_mic_failures), (1, 1), "{c:?}");
    assert_eq!(h.host.stream.unique, unique0);
    assert_eq!(h.host.stream.duplicates, 0);

    // A chip-internal flag written from outside is refused.
    let mut rec = Vec::new();
    push(&mut rec, &ap.last_protected, air::FLAG_DECRYPTED);
    assert!(h.sim.air_give(&rec).is_err());
}
