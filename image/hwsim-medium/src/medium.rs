//! The medium's decisions, free of sockets: which receivers get a frame a radio (or the
//! simulated chip) transmitted, and whether the transmitter hears an acknowledgement.
//!
//! Radios are learned from the frames they transmit (the kernel names them by their second
//! address, `addresses[1]` = the permanent address with bit 0x40 of the first octet set) or
//! declared up front. Every frame goes to every other radio: the kernel itself drops it at a
//! radio on another channel (`HWSIM_ATTR_FREQ`, hwsim_cloned_frame_received_nl), which is
//! the "same frequency" rule without this process tracking channel switches. A unicast frame
//! is acknowledged when its receiver address belongs to a radio, to a station address seen
//! from a radio, or to a station address the chip transmitted from.

use crate::hwsim::Mac;

/// What to do with one transmitted frame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// Radios (by hwsim address) that receive it.
    pub to_radios: Vec<Mac>,
    /// Whether the chip's air endpoint receives it.
    pub to_air: bool,
    /// Whether the transmitter is told the frame was acknowledged.
    pub ack: bool,
    /// Whether the frame was taken out of the air by the uplink sink.
    pub sunk: bool,
}

#[derive(Debug, Clone)]
struct Radio {
    hw: Mac,
    /// Transmitter addresses (addr2) seen in its frames: its interfaces.
    vifs: Vec<Mac>,
}

/// The medium's state.
#[derive(Debug, Default)]
pub struct Medium {
    radios: Vec<Radio>,
    chip: Vec<Mac>,
    air: bool,
    sink_udp_port: Option<u16>,
}

/// Receiver address (addr1) of an 802.11 frame.
pub fn addr1(f: &[u8]) -> Option<Mac> {
    f.get(4..10)?.try_into().ok()
}

/// Transmitter address (addr2); control frames such as ACK and CTS have none.
pub fn addr2(f: &[u8]) -> Option<Mac> {
    f.get(10..16)?.try_into().ok()
}

fn is_group(a: &Mac) -> bool {
    a[0] & 1 != 0
}

/// The destination UDP port of an unprotected IPv4/UDP data frame (LLC/SNAP), if it is one.
pub fn udp_dst_port(f: &[u8]) -> Option<u16> {
    let fc0 = *f.first()?;
    let fc1 = *f.get(1)?;
    // type 2 = data; subtypes with bit 2 set carry no payload (null function).
    if (fc0 >> 2) & 3 != 2 || fc0 & 0x40 != 0 || fc1 & 0x40 != 0 {
        return None;
    }
    let qos = fc0 & 0x80 != 0;
    let mut hdr = 24;
    if fc1 & 3 == 3 {
        hdr += 6;
    }
    if qos {
        hdr += 2;
        if fc1 & 0x80 != 0 {
            hdr += 4;
        }
    }
    let llc = f.get(hdr..hdr + 8)?;
    if llc != [0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00] {
        return None;
    }
    let ip = f.get(hdr + 8..)?;
    let ihl = usize::from(ip.first()? & 0x0f) * 4;
    if ip.first()? >> 4 != 4 || ihl < 20 || *ip.get(9)? != 17 {
        return None;
    }
    let udp = ip.get(ihl..ihl + 4)?;
    Some(u16::from_be_bytes([udp[2], udp[3]]))
}

impl Medium {
    /// A medium; `air`: the chip's air endpoint takes part; `sink_udp_port`: data frames to
    /// that UDP port are acknowledged and dropped (the uplink sink), not forwarded.
    pub fn new(air: bool, sink_udp_port: Option<u16>) -> Self {
        Self {
            air,
            sink_udp_port,
            ..Self::default()
        }
    }

    /// Declares (or learns) a radio by its hwsim address.
    pub fn add_radio(&mut self, hw: Mac) {
        if !self.radios.iter().any(|r| r.hw == hw) {
            self.radios.push(Radio {
                hw,
                vifs: Vec::new(),
            });
        }
    }

    /// The known radios' hwsim addresses.
    pub fn radios(&self) -> impl Iterator<Item = &Mac> {
        self.radios.iter().map(|r| &r.hw)
    }

    /// The station addresses the chip has transmitted from.
    #[cfg(test)]
    pub fn chip_addrs(&self) -> &[Mac] {
        &self.chip
    }

    fn radio_owns(r: &Radio, a: &Mac) -> bool {
        let mut perm = r.hw;
        perm[0] &= !0x40;
        r.hw == *a || perm == *a || r.vifs.contains(a)
    }

    fn known_receiver(&self, a: &Mac, except: Option<&Mac>) -> bool {
        self.radios
            .iter()
            .filter(|r| Some(&r.hw) != except)
            .any(|r| Self::radio_owns(r, a))
            || (self.air && self.chip.contains(a))
    }

    /// Radio `tx` (hwsim address) transmitted `frame`.
    pub fn on_radio_tx(&mut self, tx: &Mac, frame: &[u8], no_ack: bool) -> Plan {
        self.add_radio(*tx);
        if let Some(a2) = addr2(frame) {
            if let Some(r) = self.radios.iter_mut().find(|r| r.hw == *tx) {
                if !is_group(&a2) && !r.vifs.contains(&a2) {
                    r.vifs.push(a2);
                }
            }
        }
        let unicast_to = addr1(frame).filter(|a| !is_group(a));
        let ack_if_known =
            |m: &Self| !no_ack && unicast_to.is_some_and(|a| m.known_receiver(&a, Some(tx)));
        if self.sink_udp_port.is_some() && udp_dst_port(frame) == self.sink_udp_port {
            return Plan {
                ack: !no_ack && unicast_to.is_some(),
                sunk: true,
                ..Plan::default()
            };
        }
        Plan {
            to_radios: self.radios().filter(|r| *r != tx).copied().collect(),
            to_air: self.air,
            ack: ack_if_known(self),
            sunk: false,
        }
    }

    /// The chip transmitted `frame` on air: every radio receives it; returns the plan, whose
    /// `ack` says whether a radio owns the (unicast) receiver address.
    pub fn on_air_tx(&mut self, frame: &[u8]) -> Plan {
        if let Some(a2) = addr2(frame) {
            if !is_group(&a2) && !self.chip.contains(&a2) {
                self.chip.push(a2);
            }
        }
        let ack = addr1(frame)
            .is_some_and(|a| !is_group(&a) && self.radios.iter().any(|r| Self::radio_owns(r, &a)));
        Plan {
            to_radios: self.radios().copied().collect(),
            to_air: false,
            ack,
            sunk: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bes2600_sim::net;

    const AP: Mac = [0x42, 0, 0, 0, 0, 0];
    const STA: Mac = [0x42, 0, 0, 0, 1, 0];
    const AP_VIF: Mac = [0x02, 0, 0, 0, 0, 0];
    const STA_VIF: Mac = [0x02, 0, 0, 0, 1, 0];
    const CHIP: Mac = [0x02, 0xb5, 0x26, 0, 0, 2];

    fn frame(fc: [u8; 2], a1: Mac, a2: Mac) -> Vec<u8> {
        let mut f = vec![fc[0], fc[1], 0, 0];
        f.extend_from_slice(&a1);
        f.extend_from_slice(&a2);
        f.extend_from_slice(&a1);
        f.extend_from_slice(&[0, 0]);
        f
    }

    #[test]
    fn beacons_go_to_other_radios_and_the_air_unacked() {
        let mut m = Medium::new(true, None);
        m.add_radio(STA);
        let p = m.on_radio_tx(&AP, &frame([0x80, 0], [0xff; 6], AP_VIF), true);
        assert_eq!(p.to_radios, vec![STA]);
        assert!(p.to_air && !p.ack && !p.sunk);
    }

    #[test]
    fn unicast_is_acked_only_when_someone_owns_the_receiver() {
        let mut m = Medium::new(false, None);
        m.on_radio_tx(&AP, &frame([0x80, 0], [0xff; 6], AP_VIF), true);
        // STA -> AP's interface address (the permanent address: 0x40 cleared) is acked.
        let p = m.on_radio_tx(&STA, &frame([0xb0, 0], AP_VIF, STA_VIF), false);
        assert_eq!(p.to_radios, vec![AP]);
        assert!(p.ack);
        // To nobody: forwarded (the kernel decides) but not acked.
        let p = m.on_radio_tx(
            &STA,
            &frame([0xb0, 0], [0x02, 9, 9, 9, 9, 9], STA_VIF),
            false,
        );
        assert!(!p.ack);
        // NO_ACK frames are never acked; a radio's own address is not a receiver for itself.
        assert!(
            !m.on_radio_tx(&STA, &frame([0xb0, 0], AP_VIF, STA_VIF), true)
                .ack
        );
        assert!(
            !m.on_radio_tx(&AP, &frame([0xb0, 0], AP_VIF, AP_VIF), false)
                .ack
        );
    }

    #[test]
    fn the_chip_is_learned_from_air_and_then_acked() {
        let mut m = Medium::new(true, None);
        m.add_radio(AP);
        let to_chip = frame([0x50, 0], CHIP, AP_VIF);
        assert!(!m.on_radio_tx(&AP, &to_chip, false).ack);
        // The chip's probe request teaches its address; radios receive it.
        let p = m.on_air_tx(&frame([0x40, 0], [0xff; 6], CHIP));
        assert_eq!((p.to_radios, p.ack), (vec![AP], false));
        assert_eq!(m.chip_addrs(), &[CHIP]);
        assert!(m.on_radio_tx(&AP, &to_chip, false).ack);
        // Chip -> AP unicast is acked by the AP radio.
        assert!(m.on_air_tx(&frame([0xb0, 0], AP_VIF, CHIP)).ack);
        // Without the air endpoint the chip is nobody.
        let mut m = Medium::new(false, None);
        m.on_air_tx(&frame([0x40, 0], [0xff; 6], CHIP));
        assert!(!m.on_radio_tx(&AP, &to_chip, false).ack);
    }

    #[test]
    fn the_uplink_sink_takes_udp_to_its_port_only() {
        let mut buf = [0u8; 2048];
        let n = net::stream_frame(&mut buf, &STA_VIF, 200, 1, 0, 0).unwrap();
        let f = &buf[..n];
        assert_eq!(udp_dst_port(f), Some(net::STREAM_PORT));
        let mut m = Medium::new(false, Some(net::STREAM_PORT));
        m.add_radio(AP);
        let p = m.on_radio_tx(&STA, f, false);
        assert!(p.sunk && p.ack && p.to_radios.is_empty());
        let mut other = Medium::new(false, Some(net::STREAM_PORT + 1));
        other.add_radio(AP);
        let p = other.on_radio_tx(&STA, f, false);
        assert!(!p.sunk && p.to_radios == vec![AP]);
        // A QoS data frame: two more header bytes, same port.
        let mut q = f[..24].to_vec();
        q[0] = 0x88;
        q.extend_from_slice(&[0, 0]);
        q.extend_from_slice(&f[24..]);
        assert_eq!(udp_dst_port(&q), Some(net::STREAM_PORT));
        // Protected, null-function, truncated and non-IPv4 frames are not parsed.
        let mut p = f.to_vec();
        p[1] |= 0x40;
        assert_eq!(udp_dst_port(&p), None);
        let mut p = f.to_vec();
        p[0] = 0x48;
        assert_eq!(udp_dst_port(&p), None);
        for cut in 0..56 {
            assert_eq!(udp_dst_port(&f[..cut]), None, "cut {cut}");
        }
        let mut p = f.to_vec();
        p[31] = 0x06; // ethertype 0x0806 (ARP)
        assert_eq!(udp_dst_port(&p), None);
    }
}
