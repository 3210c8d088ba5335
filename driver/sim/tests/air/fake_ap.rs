//! The fake access point of the air-mode tests (`air_medium.rs`, `air_ccmp.rs`): a medium
//! plus AP outside the chip that answers probes, authentication and association over air
//! records, sends beacons and a downlink UDP stream, sinks the uplink, and (with a pairwise
//! key) runs CCMP as an AP does, with RustCrypto's AES-CCM.
#![allow(dead_code, reason = "shared by two test crates, each uses a part")]

use bes2600_sim::air::{self, Records};
use bes2600_sim::crypto::{self, CcmBackend, CCMP_HDR_LEN, CCMP_MIC_LEN, NONCE_LEN};
use bes2600_sim::harness::{Harness, HarnessConfig, STA_MAC};
use bes2600_sim::net::{self, fc};
use bes2600_sim::{SimChip, SimConfig};

pub const MS: u64 = 1_000_000;
pub const SEC: u64 = 1_000 * MS;
/// The fake AP's channel (the harness station looks for `net::BSSID` on channel 6).
pub const AP_FREQ: u16 = 2437;
/// Signal of the fake AP's frames at the chip.
pub const AP_SIGNAL: i8 = -45;

/// A medium plus access point, outside the chip.
#[derive(Default)]
pub struct FakeAp {
    /// Probe requests heard, per frequency, and the SSID element of the last one.
    pub probes: Vec<(u16, Vec<u8>)>,
    pub auths: u64,
    pub assocs: u64,
    pub arp_requests: u64,
    pub uplink_udp: u64,
    /// Frames the chip sent on a channel other than the AP's (scan probes excepted).
    pub off_channel: u64,
    /// Records whose ack-requested flag disagrees with the destination address.
    pub bad_ack_flag: u64,
    /// Acknowledgements written back to the chip.
    pub acks: u64,
    pub associated: bool,
    pub next_beacon_ns: u64,
    pub stream_seq: u64,
    pub seq: u16,
    /// WPA2: the pairwise key; downlink data is then CCMP-protected and protected uplink
    /// frames are decrypted before they are looked at.
    pub ptk: Option<[u8; 16]>,
    /// Last PN the AP sent with `ptk`.
    pub pn: u64,
    /// Protected uplink frames that decrypted, and that did not.
    pub ccmp_ok: u64,
    pub ccmp_bad: u64,
    /// The last protected frame the AP sent (for a replay).
    pub last_protected: Vec<u8>,
}

impl FakeAp {
    pub fn next_seq(&mut self) -> u16 {
        self.seq = (self.seq + 1) & 0xFFF;
        self.seq
    }

    /// Reads what the chip transmitted and answers; `stream` datagrams per call once
    /// associated.
    pub fn service(&mut self, chip: &mut SimChip, now_ns: u64, stream: u64) {
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

pub fn push(out: &mut Vec<u8>, frame: &[u8], flags: u8) {
    let at = out.len();
    out.resize(at + air::HEADER_LEN + frame.len(), 0);
    air::emit_record(&mut out[at..], AP_FREQ, AP_SIGNAL, flags, frame).unwrap();
}

pub fn air_harness() -> Harness {
    Harness::new(HarnessConfig {
        sim: SimConfig {
            air: true,
            ..SimConfig::default()
        },
        ..HarnessConfig::default()
    })
}

/// Steps the rig with the fake AP in the loop until `f` holds or `limit_ns` passed.
pub fn run(
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

/// AES-CCM for the chip and the fake AP: RustCrypto (the kernel's backend is its crypto API).
pub struct RustCcm;

pub static RUST_CCM: RustCcm = RustCcm;

pub type Ccmp = ccm::Ccm<aes::Aes128, ccm::consts::U8, ccm::consts::U13>;

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
pub fn protect(plain: &[u8], key: &[u8; 16], pn: u64) -> Vec<u8> {
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
pub fn unprotect(f: &[u8], key: &[u8; 16]) -> Option<Vec<u8>> {
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
