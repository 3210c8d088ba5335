//! Channel numbers and centre frequencies (IEEE 802.11-2020 §15.4.4.3, §17.3.8.4.2; the
//! firmware takes channel numbers, mac80211 gives MHz), for the two bands the chip has.

use bes2600_wire::wsm::common::Band;

/// A channel as the firmware names it: band and channel number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Channel {
    /// Band.
    pub band: Band,
    /// Channel number within the band.
    pub number: u16,
}

/// The 2.4 GHz channels the chip supports (1-14), as centre frequencies in MHz, in channel
/// order: what the kernel module registers with mac80211.
pub const CHANNELS_2G4_MHZ: [u16; 14] = [
    2412, 2417, 2422, 2427, 2432, 2437, 2442, 2447, 2452, 2457, 2462, 2467, 2472, 2484,
];

/// The 5 GHz channel numbers the vendor driver registers, in its order (C:main.c:121-141):
/// the 20 MHz channels 36-165 of UNII-1 to UNII-3, the Japanese 34-46 (even), and 184-216.
///
/// The vendor driver gives every one of them the centre frequency 5000 + 5 × n MHz
/// (C:main.c:93-101), so channels 184-216 sit at 5920-6080 MHz, a range no regulatory domain
/// opens on the 5 GHz band: the kernel keeps them disabled. They are registered only so that
/// the band matches the vendor's.
pub const CHANNELS_5G: [u16; 37] = [
    34, 36, 38, 40, 42, 44, 46, 48, 52, 56, 60, 64, 100, 104, 108, 112, 116, 120, 124, 128, 132,
    136, 140, 149, 153, 157, 161, 165, 184, 188, 192, 196, 200, 204, 208, 212, 216,
];

/// Centre frequency of 5 GHz channel number `n` by the vendor's rule (C:main.c:95).
const fn freq_5g(n: u16) -> u16 {
    5000 + 5 * n
}

/// Whether `n` is one of the chip's 5 GHz channels ([`CHANNELS_5G`]).
fn is_5g_channel(n: u16) -> bool {
    CHANNELS_5G.contains(&n)
}

/// The channel of a centre frequency, if it is a 2.4 GHz channel 1-14 or one of the chip's
/// 5 GHz channels ([`CHANNELS_5G`] at 5000 + 5 × n MHz).
pub fn freq_to_channel(freq_mhz: u32) -> Option<Channel> {
    match freq_mhz {
        2484 => Some(Channel {
            band: Band::Band2G4,
            number: 14,
        }),
        2412..=2472 if (freq_mhz - 2407).is_multiple_of(5) => Some(Channel {
            band: Band::Band2G4,
            number: u16::try_from((freq_mhz - 2407) / 5).ok()?,
        }),
        5005..=6080 if freq_mhz.is_multiple_of(5) => {
            let number = u16::try_from((freq_mhz - 5000) / 5).ok()?;
            is_5g_channel(number).then_some(Channel {
                band: Band::Band5G,
                number,
            })
        }
        _ => None,
    }
}

/// The centre frequency (MHz) of `ch`, if it is one of the chip's channels of its band.
pub fn channel_to_freq(ch: Channel) -> Option<u16> {
    match (ch.band, ch.number) {
        (Band::Band2G4, 14) => Some(2484),
        (Band::Band2G4, n @ 1..=13) => Some(2407 + 5 * n),
        (Band::Band5G, n) if is_5g_channel(n) => Some(freq_5g(n)),
        _ => None,
    }
}

/// The centre frequency of a 2.4 GHz channel number as the firmware reports it in RX
/// indications (spec §3.7: the channel field carries the number only).
pub fn channel_2g4_to_freq(number: u16) -> Option<u16> {
    channel_to_freq(Channel {
        band: Band::Band2G4,
        number,
    })
}

/// The channel of a number the firmware reports in an RX indication (spec §3.7), which
/// names no band: numbers above 14 are 5 GHz, as the vendor driver decides
/// (C:txrx.c:1696-1697). `None` for a number that is no channel of the chip.
pub fn rx_channel(number: u16) -> Option<Channel> {
    let band = if number > 14 {
        Band::Band5G
    } else {
        Band::Band2G4
    };
    let ch = Channel { band, number };
    channel_to_freq(ch).map(|_| ch)
}

/// The centre frequency of an RX indication's channel number ([`rx_channel`]).
pub fn rx_channel_to_freq(number: u16) -> Option<u16> {
    rx_channel(number).and_then(channel_to_freq)
}

/// The centre frequency and band of an RX indication's channel number ([`rx_channel`]), or
/// `fallback_mhz` (the tuned channel) and its band when the number is no channel of the chip.
pub fn rx_freq_band(number: u16, fallback_mhz: u16) -> (u16, Band) {
    let ch = rx_channel(number).or_else(|| freq_to_channel(u32::from(fallback_mhz)));
    match ch.and_then(|c| channel_to_freq(c).map(|f| (f, c.band))) {
        Some(fb) => fb,
        None => (fallback_mhz, Band::Band2G4),
    }
}
