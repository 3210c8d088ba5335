//! mac80211_hwsim's generic netlink family "MAC80211_HWSIM" as a medium uses it
//! (drivers/net/wireless/virtual/mac80211_hwsim.h; the kernel side is
//! mac80211_hwsim_tx_frame_nl, hwsim_cloned_frame_received_nl and
//! hwsim_tx_info_frame_received_nl in mac80211_hwsim.c).
//!
//! - `REGISTER`: the sender's port becomes the medium of its network namespace; from then on
//!   every frame a radio transmits comes to it as a `FRAME` message instead of being delivered
//!   in the kernel.
//! - `FRAME` from the kernel: transmitter (the radio's second address, `addresses[1]`),
//!   frame, flags, TX rates, cookie, frequency.
//! - `FRAME` to the kernel: one radio (by the same address) receives the frame at a rate index
//!   and signal; only the registered medium may send it.
//! - `TX_INFO_FRAME` to the kernel: the TX status of a frame (by cookie), acked or not.

use crate::genl::{self, Builder, Error};

/// The family name the controller resolves.
pub const FAMILY: &str = "MAC80211_HWSIM";
/// `.version` of hwsim_genl_family.
pub const VERSION: u8 = 1;

/// `HWSIM_CMD_REGISTER`.
pub const CMD_REGISTER: u8 = 1;
/// `HWSIM_CMD_FRAME`.
pub const CMD_FRAME: u8 = 2;
/// `HWSIM_CMD_TX_INFO_FRAME`.
pub const CMD_TX_INFO_FRAME: u8 = 3;

/// `HWSIM_ATTR_ADDR_RECEIVER` (6 bytes).
pub const ATTR_ADDR_RECEIVER: u16 = 1;
/// `HWSIM_ATTR_ADDR_TRANSMITTER` (6 bytes).
pub const ATTR_ADDR_TRANSMITTER: u16 = 2;
/// `HWSIM_ATTR_FRAME` (802.11 frame, no FCS).
pub const ATTR_FRAME: u16 = 3;
/// `HWSIM_ATTR_FLAGS` (u32, `HWSIM_TX_*`).
pub const ATTR_FLAGS: u16 = 4;
/// `HWSIM_ATTR_RX_RATE` (u32 rate index into the band's bitrates).
pub const ATTR_RX_RATE: u16 = 5;
/// `HWSIM_ATTR_SIGNAL` (u32 carrying a signed dBm value).
pub const ATTR_SIGNAL: u16 = 6;
/// `HWSIM_ATTR_TX_INFO` (4 x `struct hwsim_tx_rate { s8 idx; u8 count; }`).
pub const ATTR_TX_INFO: u16 = 7;
/// `HWSIM_ATTR_COOKIE` (u64).
pub const ATTR_COOKIE: u16 = 8;
/// `HWSIM_ATTR_FREQ` (u32 MHz).
pub const ATTR_FREQ: u16 = 19;

/// `HWSIM_TX_CTL_REQ_TX_STATUS` (the medium echoes the flags; tests check it).
#[cfg(test)]
pub const TX_CTL_REQ_TX_STATUS: u32 = 1 << 0;
/// `HWSIM_TX_CTL_NO_ACK`: the frame expects no acknowledgement.
pub const TX_CTL_NO_ACK: u32 = 1 << 1;
/// `HWSIM_TX_STAT_ACK`: the frame was acknowledged.
pub const TX_STAT_ACK: u32 = 1 << 2;

/// `IEEE80211_TX_MAX_RATES`: the kernel reads exactly this many `hwsim_tx_rate` entries
/// from `TX_INFO` without checking the attribute's length, so we always send all of them.
pub const TX_MAX_RATES: usize = 4;
/// Bytes of a full `TX_INFO` attribute.
pub const TX_INFO_LEN: usize = TX_MAX_RATES * 2;

/// A MAC address.
pub type Mac = [u8; 6];

/// A frame a radio transmitted, as the kernel hands it to the medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxFrame<'a> {
    /// The radio (its `addresses[1]`, the address `FRAME`/`TX_INFO_FRAME` name it by).
    pub transmitter: Mac,
    /// The 802.11 frame without FCS.
    pub frame: &'a [u8],
    /// `HWSIM_TX_CTL_*`.
    pub flags: u32,
    /// Identifies the frame in the TX status.
    pub cookie: u64,
    /// The channel the radio transmitted on (absent on old kernels).
    pub freq: Option<u32>,
    /// The rate table mac80211 chose (idx, count) x 4; `(-1, 0)` where absent.
    pub tx_info: [(i8, u8); TX_MAX_RATES],
}

fn mac(ty: u16, v: &[u8]) -> Result<Mac, Error> {
    v.try_into().map_err(|_| Error::AttrSize(ty))
}

/// Parses the attributes of a `FRAME` message from the kernel. Transmitter, frame, flags
/// and cookie are required; each attribute's size is checked.
pub fn parse_tx_frame(attr_bytes: &[u8]) -> Result<TxFrame<'_>, Error> {
    let (mut transmitter, mut frame, mut flags, mut cookie) = (None, None, None, None);
    let mut freq = None;
    let mut tx_info = [(-1i8, 0u8); TX_MAX_RATES];
    for a in genl::attrs(attr_bytes) {
        let (ty, v) = a?;
        match ty {
            ATTR_ADDR_TRANSMITTER => transmitter = Some(mac(ty, v)?),
            ATTR_FRAME => frame = Some(v),
            ATTR_FLAGS => flags = Some(genl::get_u32(ty, v)?),
            ATTR_COOKIE => cookie = Some(genl::get_u64(ty, v)?),
            ATTR_FREQ => freq = Some(genl::get_u32(ty, v)?),
            ATTR_TX_INFO => {
                for (slot, pair) in tx_info.iter_mut().zip(v.chunks_exact(2)) {
                    *slot = (pair[0] as i8, pair[1]);
                }
            }
            _ => {}
        }
    }
    Ok(TxFrame {
        transmitter: transmitter.ok_or(Error::Missing(ATTR_ADDR_TRANSMITTER))?,
        frame: frame.ok_or(Error::Missing(ATTR_FRAME))?,
        flags: flags.ok_or(Error::Missing(ATTR_FLAGS))?,
        cookie: cookie.ok_or(Error::Missing(ATTR_COOKIE))?,
        freq,
        tx_info,
    })
}

/// `REGISTER`: makes this socket the medium.
pub fn put_register(b: &mut Builder, family: u16, seq: u32) {
    b.begin(
        family,
        genl::NLM_F_REQUEST | genl::NLM_F_ACK,
        seq,
        CMD_REGISTER,
        VERSION,
    )
    .end();
}

/// How a radio receives a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rx {
    /// Index into the band's bitrates (0 is always valid).
    pub rate_idx: u32,
    /// Signal in dBm.
    pub signal_dbm: i32,
    /// Channel the frame is on; the kernel drops it at a radio on another channel.
    pub freq: Option<u32>,
}

/// `FRAME` to the kernel: radio `receiver` receives `frame`. Without `NLM_F_ACK`: the
/// kernel answers only errors (a radio that is down or on another channel).
pub fn put_rx_frame(b: &mut Builder, family: u16, seq: u32, receiver: &Mac, frame: &[u8], rx: Rx) {
    b.begin(family, genl::NLM_F_REQUEST, seq, CMD_FRAME, VERSION)
        .attr(ATTR_ADDR_RECEIVER, receiver)
        .attr(ATTR_FRAME, frame)
        .attr_u32(ATTR_RX_RATE, rx.rate_idx)
        // CAST: the kernel stores the u32 back into an s8/int signal.
        .attr_u32(ATTR_SIGNAL, rx.signal_dbm as u32);
    if let Some(f) = rx.freq {
        b.attr_u32(ATTR_FREQ, f);
    }
    b.end();
}

/// `TX_INFO_FRAME`: the TX status of `tx`; `acked` sets `HWSIM_TX_STAT_ACK`. The rate table
/// reports one attempt at the first rate mac80211 chose.
pub fn put_tx_info(
    b: &mut Builder,
    family: u16,
    seq: u32,
    tx: &TxFrame<'_>,
    acked: bool,
    signal_dbm: i32,
) {
    let mut info = [0u8; TX_INFO_LEN];
    for (i, pair) in info.chunks_exact_mut(2).enumerate() {
        let (idx, count) = if i == 0 {
            (tx.tx_info[0].0.max(0), 1)
        } else {
            (-1, 0)
        };
        pair[0] = idx as u8;
        pair[1] = count;
    }
    let flags = tx.flags | if acked { TX_STAT_ACK } else { 0 };
    b.begin(family, genl::NLM_F_REQUEST, seq, CMD_TX_INFO_FRAME, VERSION)
        .attr(ATTR_ADDR_TRANSMITTER, &tx.transmitter)
        .attr_u32(ATTR_FLAGS, flags)
        .attr_u64(ATTR_COOKIE, tx.cookie)
        .attr_u32(ATTR_SIGNAL, signal_dbm as u32)
        .attr(ATTR_TX_INFO, &info)
        .end();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genl::messages;

    const FAM: u16 = 0x1d;
    const RADIO: Mac = [0x42, 0, 0, 0, 1, 0];

    /// What mac80211_hwsim_tx_frame_nl sends, attribute by attribute (with the PAD
    /// attribute nla_put_u64_64bit may add before the cookie).
    fn kernel_frame(frame: &[u8]) -> Vec<u8> {
        let mut b = Builder::new();
        b.begin(FAM, 0, 0, CMD_FRAME, VERSION)
            .attr(ATTR_ADDR_TRANSMITTER, &RADIO)
            .attr(ATTR_FRAME, frame)
            .attr_u32(ATTR_FLAGS, TX_CTL_REQ_TX_STATUS)
            .attr_u32(ATTR_FREQ, 2437)
            .attr(ATTR_TX_INFO, &[3, 2, 0xff, 0, 0xff, 0, 0xff, 0])
            .attr(21, &[0; 8]) // TX_INFO_FLAGS: ignored
            .attr(20, &[]) // PAD
            .attr_u64(ATTR_COOKIE, 77)
            .end();
        b.bytes().to_vec()
    }

    #[test]
    fn kernel_frame_parses() {
        let f = [
            0x08u8, 0x01, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
        ];
        let k = kernel_frame(&f);
        let m = messages(&k).next().unwrap().unwrap();
        let (cmd, a) = m.genl().unwrap();
        assert_eq!(cmd, CMD_FRAME);
        let tx = parse_tx_frame(a).unwrap();
        assert_eq!(tx.transmitter, RADIO);
        assert_eq!(tx.frame, &f[..]);
        assert_eq!(tx.flags, TX_CTL_REQ_TX_STATUS);
        assert_eq!(tx.cookie, 77);
        assert_eq!(tx.freq, Some(2437));
        assert_eq!(tx.tx_info, [(3, 2), (-1, 0), (-1, 0), (-1, 0)]);
    }

    #[test]
    fn missing_or_missized_attributes_are_refused() {
        let mut b = Builder::new();
        b.begin(FAM, 0, 0, CMD_FRAME, VERSION)
            .attr(ATTR_ADDR_TRANSMITTER, &RADIO)
            .attr(ATTR_FRAME, &[0; 24])
            .attr_u32(ATTR_FLAGS, 0)
            .end();
        let m = messages(b.bytes()).next().unwrap().unwrap();
        assert_eq!(
            parse_tx_frame(m.genl().unwrap().1),
            Err(Error::Missing(ATTR_COOKIE))
        );
        let mut b = Builder::new();
        b.begin(FAM, 0, 0, CMD_FRAME, VERSION)
            .attr(ATTR_ADDR_TRANSMITTER, &RADIO[..5])
            .end();
        let m = messages(b.bytes()).next().unwrap().unwrap();
        assert_eq!(
            parse_tx_frame(m.genl().unwrap().1),
            Err(Error::AttrSize(ATTR_ADDR_TRANSMITTER))
        );
        let mut b = Builder::new();
        b.begin(FAM, 0, 0, CMD_FRAME, VERSION)
            .attr(ATTR_COOKIE, &[1, 2, 3, 4])
            .end();
        let m = messages(b.bytes()).next().unwrap().unwrap();
        assert_eq!(
            parse_tx_frame(m.genl().unwrap().1),
            Err(Error::AttrSize(ATTR_COOKIE))
        );
    }

    #[test]
    fn rx_frame_has_what_hwsim_cloned_frame_received_nl_requires() {
        let f = [0x80u8; 40];
        let mut b = Builder::new();
        let rx = Rx {
            rate_idx: 0,
            signal_dbm: -50,
            freq: Some(2437),
        };
        put_rx_frame(&mut b, FAM, 9, &RADIO, &f, rx);
        let m = messages(b.bytes()).next().unwrap().unwrap();
        assert_eq!((m.ty, m.seq, m.flags), (FAM, 9, genl::NLM_F_REQUEST));
        let (cmd, a) = m.genl().unwrap();
        assert_eq!(cmd, CMD_FRAME);
        let got: Vec<_> = genl::attrs(a).collect::<Result<_, _>>().unwrap();
        let find = |t| got.iter().find(|(ty, _)| *ty == t).map(|(_, v)| *v);
        assert_eq!(find(ATTR_ADDR_RECEIVER), Some(&RADIO[..]));
        assert_eq!(find(ATTR_FRAME), Some(&f[..]));
        assert_eq!(find(ATTR_RX_RATE), Some(&0u32.to_ne_bytes()[..]));
        assert_eq!(find(ATTR_SIGNAL), Some(&(-50i32).to_ne_bytes()[..]));
        assert_eq!(find(ATTR_FREQ), Some(&2437u32.to_ne_bytes()[..]));
        // Without a frequency the attribute is absent (the radio's channel applies).
        let mut b = Builder::new();
        put_rx_frame(&mut b, FAM, 9, &RADIO, &f, Rx { freq: None, ..rx });
        let m = messages(b.bytes()).next().unwrap().unwrap();
        assert!(genl::attrs(m.genl().unwrap().1).all(|a| a.unwrap().0 != ATTR_FREQ));
    }

    #[test]
    fn tx_info_echoes_cookie_and_sets_ack_with_a_full_rate_table() {
        let f = [0u8; 24];
        let k = kernel_frame(&f);
        let m = messages(&k).next().unwrap().unwrap();
        let tx = parse_tx_frame(m.genl().unwrap().1).unwrap();
        for acked in [false, true] {
            let mut b = Builder::new();
            put_tx_info(&mut b, FAM, 5, &tx, acked, -40);
            let m = messages(b.bytes()).next().unwrap().unwrap();
            let (cmd, a) = m.genl().unwrap();
            assert_eq!(cmd, CMD_TX_INFO_FRAME);
            let got: Vec<_> = genl::attrs(a).collect::<Result<_, _>>().unwrap();
            let find = |t| {
                got.iter()
                    .find(|(ty, _)| *ty == t)
                    .map(|(_, v)| *v)
                    .unwrap()
            };
            assert_eq!(find(ATTR_ADDR_TRANSMITTER), &RADIO[..]);
            assert_eq!(genl::get_u64(ATTR_COOKIE, find(ATTR_COOKIE)), Ok(77));
            let flags = genl::get_u32(ATTR_FLAGS, find(ATTR_FLAGS)).unwrap();
            assert_eq!(flags & TX_STAT_ACK != 0, acked);
            assert_eq!(flags & TX_CTL_REQ_TX_STATUS, TX_CTL_REQ_TX_STATUS);
            assert_eq!(find(ATTR_TX_INFO), &[3, 1, 0xff, 0, 0xff, 0, 0xff, 0][..]);
            assert_eq!(find(ATTR_SIGNAL), &(-40i32).to_ne_bytes()[..]);
        }
    }
}
