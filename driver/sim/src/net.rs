//! The simulated network of contracts.md: the open AP `bes2600-sim`, its IPv4 addresses and
//! the 802.11 frames it sends (beacons, probe/auth/assoc responses, ARP replies, the UDP
//! stream). Builders write into caller buffers and never panic: a short buffer yields `None`.

/// SSID of the simulated AP (contracts.md).
pub const SSID: &[u8] = b"bes2600-sim";
/// BSSID of the simulated AP; also the MAC of 192.0.2.1 (contracts.md).
pub const BSSID: [u8; 6] = [0x02, 0xb5, 0x26, 0x00, 0x00, 0x01];
/// 2.4 GHz channel of the AP (contracts.md).
pub const CHANNEL: u16 = 6;
/// Channel 6 centre frequency in MHz.
pub const FREQ_MHZ: u16 = 2437;
/// Beacon interval in TU (contracts.md).
pub const BEACON_INTERVAL_TU: u16 = 100;
/// One TU in nanoseconds (1024 µs).
pub const TU_NS: u64 = 1_024_000;
/// AP-side IPv4 address 192.0.2.1 (contracts.md).
pub const AP_IP: [u8; 4] = [192, 0, 2, 1];
/// Station IPv4 address 192.0.2.2 (contracts.md).
pub const STA_IP: [u8; 4] = [192, 0, 2, 2];
/// UDP port of the downlink stream, both ends (contracts.md).
pub const STREAM_PORT: u16 = 47600;
/// Stream payload magic (contracts.md).
pub const STREAM_MAGIC: &[u8; 4] = b"B26S";
/// Stream payload header: magic, u64 seq, u64 time (contracts.md).
pub const STREAM_HDR_LEN: usize = 20;
/// 802.11 data header (3 addresses, no QoS) + LLC/SNAP + IPv4 + UDP.
pub const DATA_OVERHEAD: usize = 24 + 8 + 20 + 8;
/// Basic rates 1/2/5.5/11 Mb/s (basic bit set) then 6..24 Mb/s, in 500 kb/s units.
const RATES: [u8; 8] = [0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24];
/// Extended rates 36/48/54 Mb/s.
const EXT_RATES: [u8; 3] = [0x48, 0x60, 0x6c];

/// 802.11 frame-control first byte values used here (type/subtype).
pub mod fc {
    /// Association request.
    pub const ASSOC_REQ: u8 = 0x00;
    /// Association response.
    pub const ASSOC_RESP: u8 = 0x10;
    /// Reassociation request.
    pub const REASSOC_REQ: u8 = 0x20;
    /// Probe request.
    pub const PROBE_REQ: u8 = 0x40;
    /// Probe response.
    pub const PROBE_RESP: u8 = 0x50;
    /// Beacon.
    pub const BEACON: u8 = 0x80;
    /// Disassociation.
    pub const DISASSOC: u8 = 0xA0;
    /// Authentication.
    pub const AUTH: u8 = 0xB0;
    /// Deauthentication.
    pub const DEAUTH: u8 = 0xC0;
    /// Data.
    pub const DATA: u8 = 0x08;
    /// Null data.
    pub const NULL: u8 = 0x48;
    /// QoS data.
    pub const QOS_DATA: u8 = 0x88;
    /// QoS null.
    pub const QOS_NULL: u8 = 0xC8;
}

/// A bounds-checked cursor over a caller buffer.
pub(crate) struct W<'a> {
    buf: &'a mut [u8],
    pos: usize,
    ok: bool,
}

impl<'a> W<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Self {
            buf,
            pos: 0,
            ok: true,
        }
    }
    pub(crate) fn bytes(&mut self, b: &[u8]) -> &mut Self {
        match self.buf.get_mut(self.pos..self.pos + b.len()) {
            Some(dst) => {
                dst.copy_from_slice(b);
                self.pos += b.len();
            }
            None => self.ok = false,
        }
        self
    }
    pub(crate) fn u8(&mut self, v: u8) -> &mut Self {
        self.bytes(&[v])
    }
    pub(crate) fn le16(&mut self, v: u16) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    pub(crate) fn le32(&mut self, v: u32) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    pub(crate) fn be16(&mut self, v: u16) -> &mut Self {
        self.bytes(&v.to_be_bytes())
    }
    pub(crate) fn fill(&mut self, v: u8, n: usize) -> &mut Self {
        match self.buf.get_mut(self.pos..self.pos + n) {
            Some(dst) => {
                dst.fill(v);
                self.pos += n;
            }
            None => self.ok = false,
        }
        self
    }
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }
    pub(crate) fn finish(&self) -> Option<usize> {
        self.ok.then_some(self.pos)
    }
}

fn mgmt_header(w: &mut W<'_>, fc0: u8, da: &[u8; 6], seq: u16) {
    w.u8(fc0)
        .u8(0)
        .le16(0)
        .bytes(da)
        .bytes(&BSSID)
        .bytes(&BSSID);
    w.le16(seq << 4);
}

fn ht_ies(w: &mut W<'_>) {
    // HT capabilities: 20 MHz, short GI 20, MCS 0-7 (one stream).
    w.u8(45).u8(26).le16(0x0020).u8(0x17);
    w.u8(0xff).fill(0, 15).le16(0).le32(0).u8(0);
    // HT operation: primary channel 6, no secondary, no protection.
    w.u8(61).u8(22).u8(CHANNEL as u8).fill(0, 21);
}

fn bss_ies(w: &mut W<'_>, tim: bool) {
    w.u8(0).u8(SSID.len() as u8).bytes(SSID);
    w.u8(1).u8(RATES.len() as u8).bytes(&RATES);
    w.u8(3).u8(1).u8(CHANNEL as u8);
    if tim {
        // TIM: DTIM count 0, period 1, no buffered traffic.
        w.u8(5).u8(4).u8(0).u8(1).u8(0).u8(0);
    }
    w.u8(50).u8(EXT_RATES.len() as u8).bytes(&EXT_RATES);
    ht_ies(w);
}

/// Writes a beacon (`probe_resp == false`) or probe response addressed to `da`.
pub fn beacon(
    buf: &mut [u8],
    probe_resp: bool,
    da: &[u8; 6],
    tsf_us: u64,
    seq: u16,
) -> Option<usize> {
    let mut w = W::new(buf);
    let fc0 = if probe_resp {
        fc::PROBE_RESP
    } else {
        fc::BEACON
    };
    mgmt_header(&mut w, fc0, da, seq);
    // Capability: ESS, short slot time.
    w.bytes(&tsf_us.to_le_bytes())
        .le16(BEACON_INTERVAL_TU)
        .le16(0x0401);
    bss_ies(&mut w, !probe_resp);
    w.finish()
}

/// Sets `aid`'s bit in the TIM element of a beacon written by [`beacon`]: the AP holds frames
/// for that station (IEEE 802.11-2020 §9.4.2.5; the one-octet partial virtual bitmap with
/// offset 0 covers AIDs 0-7). `None` when the frame has no such TIM or the AID is beyond it.
pub(crate) fn set_tim_bit(frame: &mut [u8], aid: u16) -> Option<()> {
    // Header, timestamp, beacon interval, capability.
    let mut pos = 24 + 8 + 2 + 2;
    while let (Some(&id), Some(&len)) = (frame.get(pos), frame.get(pos + 1)) {
        if id == 5 {
            if aid >= 8 || len < 4 {
                return None;
            }
            // Element id, length, DTIM count, DTIM period, bitmap control, bitmap.
            *frame.get_mut(pos + 5)? |= 1 << aid;
            return Some(());
        }
        pos += 2 + usize::from(len);
    }
    None
}

/// Writes a broadcast probe request from `sta` for `ssid` (empty: the wildcard SSID), with
/// the station's rates: what the firmware sends on each scanned channel in air mode.
pub fn probe_req(buf: &mut [u8], sta: &[u8; 6], ssid: &[u8], seq: u16) -> Option<usize> {
    let mut w = W::new(buf);
    w.u8(fc::PROBE_REQ)
        .u8(0)
        .le16(0)
        .bytes(&[0xff; 6])
        .bytes(sta)
        .bytes(&[0xff; 6]);
    w.le16(seq << 4);
    w.u8(0).u8(u8::try_from(ssid.len()).ok()?).bytes(ssid);
    w.u8(1).u8(RATES.len() as u8).bytes(&RATES);
    w.u8(50).u8(EXT_RATES.len() as u8).bytes(&EXT_RATES);
    w.finish()
}

/// Writes an open-system authentication response (transaction 2, status 0).
pub fn auth_resp(buf: &mut [u8], sta: &[u8; 6], seq: u16) -> Option<usize> {
    let mut w = W::new(buf);
    mgmt_header(&mut w, fc::AUTH, sta, seq);
    w.le16(0).le16(2).le16(0);
    w.finish()
}

/// Writes an association response granting `aid`, with the AP's rates and HT capabilities.
pub fn assoc_resp(buf: &mut [u8], sta: &[u8; 6], aid: u16, seq: u16) -> Option<usize> {
    let mut w = W::new(buf);
    mgmt_header(&mut w, fc::ASSOC_RESP, sta, seq);
    w.le16(0x0401).le16(0).le16(aid | 0xC000);
    w.u8(1).u8(RATES.len() as u8).bytes(&RATES);
    w.u8(50).u8(EXT_RATES.len() as u8).bytes(&EXT_RATES);
    ht_ies(&mut w);
    w.finish()
}

/// Writes a deauthentication from the AP to `sta` with `reason`.
pub fn deauth(buf: &mut [u8], sta: &[u8; 6], reason: u16, seq: u16) -> Option<usize> {
    let mut w = W::new(buf);
    mgmt_header(&mut w, fc::DEAUTH, sta, seq);
    w.le16(reason);
    w.finish()
}

/// RFC 1071 checksum of an IPv4 header.
pub fn ipv4_checksum(hdr: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for pair in hdr.chunks(2) {
        let hi = u32::from(pair.first().copied().unwrap_or(0));
        let lo = u32::from(pair.get(1).copied().unwrap_or(0));
        sum += (hi << 8) | lo;
    }
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    !(sum as u16)
}

fn data_header(w: &mut W<'_>, sta: &[u8; 6], ethertype: u16, seq: u16) {
    // FromDS data: addr1 = DA (station), addr2 = BSSID, addr3 = SA (192.0.2.1 = BSSID).
    w.u8(fc::DATA)
        .u8(0x02)
        .le16(0)
        .bytes(sta)
        .bytes(&BSSID)
        .bytes(&BSSID);
    w.le16(seq << 4);
    w.bytes(&[0xAA, 0xAA, 0x03, 0, 0, 0]).be16(ethertype);
}

/// Length of one stream data frame with a UDP payload of `payload_len` bytes.
pub const fn stream_frame_len(payload_len: usize) -> usize {
    DATA_OVERHEAD + payload_len
}

/// Writes one downlink stream datagram (contracts.md): FromDS data, LLC/SNAP, IPv4 with a valid
/// header checksum, UDP 47600→47600 with checksum 0, payload `B26S`|seq|time|filler.
pub fn stream_frame(
    buf: &mut [u8],
    sta: &[u8; 6],
    payload_len: usize,
    stream_seq: u64,
    gen_ns: u64,
    seq80211: u16,
) -> Option<usize> {
    let payload_len = payload_len.max(STREAM_HDR_LEN);
    let udp_len = u16::try_from(8 + payload_len).ok()?;
    let ip_len = udp_len.checked_add(20)?;
    let mut w = W::new(buf);
    data_header(&mut w, sta, 0x0800, seq80211);
    let ip_start = w.pos();
    w.u8(0x45)
        .u8(0)
        .be16(ip_len)
        .be16(stream_seq as u16)
        .be16(0x4000);
    w.u8(64).u8(17).be16(0).bytes(&AP_IP).bytes(&STA_IP);
    w.be16(STREAM_PORT).be16(STREAM_PORT).be16(udp_len).be16(0);
    w.bytes(STREAM_MAGIC)
        .bytes(&stream_seq.to_be_bytes())
        .bytes(&gen_ns.to_be_bytes());
    w.fill(stream_seq as u8, payload_len - STREAM_HDR_LEN);
    let end = w.finish()?;
    let hdr = buf.get_mut(ip_start..ip_start + 20)?;
    let csum = ipv4_checksum(hdr);
    hdr.get_mut(10..12)?.copy_from_slice(&csum.to_be_bytes());
    Some(end)
}

/// Writes an ARP reply "192.0.2.1 is at BSSID" to the requester.
pub fn arp_reply(
    buf: &mut [u8],
    sta: &[u8; 6],
    req_mac: &[u8; 6],
    req_ip: &[u8; 4],
    seq: u16,
) -> Option<usize> {
    let mut w = W::new(buf);
    data_header(&mut w, sta, 0x0806, seq);
    w.be16(1).be16(0x0800).u8(6).u8(4).be16(2);
    w.bytes(&BSSID).bytes(&AP_IP).bytes(req_mac).bytes(req_ip);
    w.finish()
}

/// What a station→AP frame asked for, as far as the AP model cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaFrame {
    /// Open-system authentication request from `sta`.
    Auth {
        /// Station address.
        sta: [u8; 6],
    },
    /// (Re)association request from `sta`.
    Assoc {
        /// Station address.
        sta: [u8; 6],
    },
    /// Probe request from `sta`.
    Probe {
        /// Station address.
        sta: [u8; 6],
    },
    /// Deauthentication or disassociation from the station.
    Leave,
    /// ARP request for 192.0.2.1.
    ArpRequest {
        /// Sender MAC.
        mac: [u8; 6],
        /// Sender IPv4 address.
        ip: [u8; 4],
    },
    /// UDP datagram to 192.0.2.1 (sunk and counted).
    Udp,
    /// A null-data frame (keep-alive / power save).
    Null,
    /// Anything else (counted, ignored).
    Other,
}

fn mac_at(f: &[u8], off: usize) -> Option<[u8; 6]> {
    f.get(off..off + 6)?.try_into().ok()
}

/// Whether `f` is a data frame (any subtype).
pub fn is_data(f: &[u8]) -> bool {
    f.first().is_some_and(|b| b & 0x0C == 0x08)
}

/// Whether the Protected Frame bit is set.
pub fn is_protected(f: &[u8]) -> bool {
    f.get(1).is_some_and(|b| b & 0x40 != 0)
}

/// WEP IV length: mac80211 leaves this much room after the header for the firmware
/// (`IEEE80211_KEY_FLAG_PUT_IV_SPACE`), and the firmware leaves it in received frames.
pub const WEP_IV_LEN: usize = 4;
/// WEP ICV length.
pub const WEP_ICV_LEN: usize = 4;

/// Turns the plaintext data frame `buf[..n]` into what the firmware passes up for a frame it
/// decrypted in place (encryption type 1, spec §3.7): Protected bit set, IV after the
/// 24-byte header, ICV at the end. Returns the new length.
pub fn wep_wrap(buf: &mut [u8], n: usize, iv: u32) -> Option<usize> {
    let out = n.checked_add(WEP_IV_LEN + WEP_ICV_LEN)?;
    if n < 24 || buf.len() < out {
        return None;
    }
    buf.copy_within(24..n, 24 + WEP_IV_LEN);
    // IV: 24-bit counter, then key id 0 in the top bits of the fourth byte.
    let iv = iv.to_le_bytes();
    buf.get_mut(24..28)?
        .copy_from_slice(&[iv[0], iv[1], iv[2], 0]);
    buf.get_mut(out - WEP_ICV_LEN..out)?.fill(0);
    *buf.get_mut(1)? |= 0x40;
    Some(out)
}

/// Classifies a frame the station transmitted. Never panics on any input.
pub fn classify(f: &[u8]) -> StaFrame {
    classify_inner(f).unwrap_or(StaFrame::Other)
}

fn classify_inner(f: &[u8]) -> Option<StaFrame> {
    let fc0 = *f.first()?;
    let to_bssid = mac_at(f, 4)? == BSSID || mac_at(f, 4)? == [0xff; 6];
    match fc0 {
        fc::AUTH if to_bssid => Some(StaFrame::Auth {
            sta: mac_at(f, 10)?,
        }),
        fc::ASSOC_REQ | fc::REASSOC_REQ if to_bssid => Some(StaFrame::Assoc {
            sta: mac_at(f, 10)?,
        }),
        fc::PROBE_REQ => Some(StaFrame::Probe {
            sta: mac_at(f, 10)?,
        }),
        fc::DEAUTH | fc::DISASSOC if to_bssid => Some(StaFrame::Leave),
        fc::NULL | fc::QOS_NULL => Some(StaFrame::Null),
        fc::DATA | fc::QOS_DATA => {
            let mut hdr = if fc0 == fc::QOS_DATA { 26 } else { 24 };
            if is_protected(f) {
                // The firmware encrypts after the IV room mac80211 left (WEP).
                hdr += WEP_IV_LEN;
            }
            let llc = f.get(hdr..hdr + 8)?;
            if llc.get(..6)? != [0xAA, 0xAA, 0x03, 0, 0, 0] {
                return Some(StaFrame::Other);
            }
            let body = f.get(hdr + 8..)?;
            match (llc.get(6)?, llc.get(7)?) {
                (0x08, 0x06) => {
                    // ARP request (op 1) for 192.0.2.1.
                    if body.get(6..8)? == [0, 1] && body.get(24..28)? == AP_IP {
                        Some(StaFrame::ArpRequest {
                            mac: mac_at(body, 8)?,
                            ip: body.get(14..18)?.try_into().ok()?,
                        })
                    } else {
                        Some(StaFrame::Other)
                    }
                }
                (0x08, 0x00) => {
                    let ihl = usize::from(body.first()? & 0x0F) * 4;
                    if *body.get(9)? == 17 && body.get(16..20)? == AP_IP && ihl >= 20 {
                        Some(StaFrame::Udp)
                    } else {
                        Some(StaFrame::Other)
                    }
                }
                _ => Some(StaFrame::Other),
            }
        }
        _ => Some(StaFrame::Other),
    }
}

/// A parsed downlink stream datagram (for receivers and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamDatagram {
    /// Sequence number from the payload.
    pub seq: u64,
    /// Generator time in ns from the payload.
    pub gen_ns: u64,
    /// UDP payload length.
    pub payload_len: usize,
}

/// Parses an 802.11 FromDS data frame carrying a stream datagram; checks the IPv4 header
/// checksum, addresses, ports, magic and filler. Returns `None` for anything else.
pub fn parse_stream(f: &[u8]) -> Option<StreamDatagram> {
    let mut hdr = match *f.first()? {
        fc::DATA => 24,
        fc::QOS_DATA => 26,
        _ => return None,
    };
    // Decrypted in place: the IV is still there (WEP 4 bytes; CCMP 8, its ExtIV bit set in
    // the fourth byte); the ICV/MIC lies past the IP length.
    if is_protected(f) {
        let ext_iv = f.get(hdr + 3)? & 0x20 != 0;
        hdr += if ext_iv { 8 } else { WEP_IV_LEN };
    }
    if f.get(hdr..hdr + 8)? != [0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00] {
        return None;
    }
    let ip = f.get(hdr + 8..)?;
    let ihl = usize::from(ip.first()? & 0x0F) * 4;
    if ip.first()? >> 4 != 4 || ihl < 20 || ipv4_checksum(ip.get(..ihl)?) != 0 {
        return None;
    }
    if *ip.get(9)? != 17 || ip.get(12..16)? != AP_IP || ip.get(16..20)? != STA_IP {
        return None;
    }
    let ip_len = usize::from(u16::from_be_bytes(ip.get(2..4)?.try_into().ok()?));
    let udp = ip.get(ihl..ip_len)?;
    let port =
        |o: usize| -> Option<u16> { Some(u16::from_be_bytes(udp.get(o..o + 2)?.try_into().ok()?)) };
    if port(0)? != STREAM_PORT || port(2)? != STREAM_PORT || usize::from(port(4)?) != udp.len() {
        return None;
    }
    let p = udp.get(8..)?;
    if p.get(..4)? != STREAM_MAGIC {
        return None;
    }
    let seq = u64::from_be_bytes(p.get(4..12)?.try_into().ok()?);
    let gen_ns = u64::from_be_bytes(p.get(12..20)?.try_into().ok()?);
    if p.get(STREAM_HDR_LEN..)?.iter().any(|&b| b != seq as u8) {
        return None;
    }
    Some(StreamDatagram {
        seq,
        gen_ns,
        payload_len: p.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STA: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];

    #[test]
    fn wep_wrapped_frames_still_parse_and_short_ones_are_refused() {
        let mut buf = [0u8; 1600];
        let n = stream_frame(&mut buf, &STA, 200, 9, 1, 3).unwrap();
        let plain = parse_stream(&buf[..n]).unwrap();
        let m = wep_wrap(&mut buf, n, 0x00AB_CDEF).unwrap();
        assert_eq!(m, n + 8);
        assert!(is_protected(&buf[..m]) && is_data(&buf[..m]));
        assert_eq!(&buf[24..28], &[0xEF, 0xCD, 0xAB, 0]);
        assert_eq!(&buf[28..34], &[0xAA, 0xAA, 0x03, 0, 0, 0]);
        assert_eq!(parse_stream(&buf[..m]), Some(plain));
        assert_eq!(wep_wrap(&mut buf[..n + 7], n, 0), None);
        assert_eq!(wep_wrap(&mut buf, 23, 0), None);
    }

    #[test]
    fn stream_frame_round_trips_and_has_valid_checksum() {
        let mut buf = [0xa5u8; 1600];
        let n = stream_frame(&mut buf, &STA, 1400, 0x1234_5678_9abc, 42_000, 7).unwrap();
        assert_eq!(n, stream_frame_len(1400));
        let d = parse_stream(&buf[..n]).unwrap();
        assert_eq!(
            d,
            StreamDatagram {
                seq: 0x1234_5678_9abc,
                gen_ns: 42_000,
                payload_len: 1400
            }
        );
        // Any flipped byte in the IPv4 header breaks the checksum.
        buf[24 + 8 + 8] ^= 1;
        assert!(parse_stream(&buf[..n]).is_none());
        // Too short a buffer is refused rather than overrun.
        assert!(stream_frame(&mut [0u8; 100], &STA, 1400, 0, 0, 0).is_none());
    }

    #[test]
    fn beacon_carries_ssid_channel_and_ht() {
        let mut buf = [0u8; 512];
        let n = beacon(&mut buf, false, &[0xff; 6], 0, 0).unwrap();
        let f = &buf[..n];
        assert_eq!(f[0], fc::BEACON);
        assert_eq!(&f[16..22], &BSSID);
        assert_eq!(&f[36..38], &[0, SSID.len() as u8]);
        assert_eq!(&f[38..38 + SSID.len()], SSID);
        assert!(f.windows(3).any(|w| w == [3, 1, 6]));
        assert!(f.windows(2).any(|w| w == [45, 26]));
    }

    #[test]
    fn classify_recognises_station_frames() {
        let mut f = [0u8; 64];
        f[0] = fc::AUTH;
        f[4..10].copy_from_slice(&BSSID);
        f[10..16].copy_from_slice(&STA);
        assert_eq!(classify(&f), StaFrame::Auth { sta: STA });
        f[0] = fc::ASSOC_REQ;
        assert_eq!(classify(&f), StaFrame::Assoc { sta: STA });
        // ARP request for 192.0.2.1.
        let mut d = [0u8; 24 + 8 + 28];
        d[0] = fc::DATA;
        d[1] = 0x01;
        d[4..10].copy_from_slice(&BSSID);
        d[24..32].copy_from_slice(&[0xAA, 0xAA, 3, 0, 0, 0, 0x08, 0x06]);
        d[38..40].copy_from_slice(&[0, 1]);
        d[40..46].copy_from_slice(&STA);
        d[46..50].copy_from_slice(&STA_IP);
        d[56..60].copy_from_slice(&AP_IP);
        assert_eq!(
            classify(&d),
            StaFrame::ArpRequest {
                mac: STA,
                ip: STA_IP
            }
        );
        for len in 0..d.len() {
            let _ = classify(&d[..len]);
        }
    }
}
