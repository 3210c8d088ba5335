//! Channel numbers and centre frequencies (IEEE 802.11-2020 §15.4.4.3, §17.3.8.4.2; the
//! firmware takes channel numbers, mac80211 gives MHz).

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

/// The channel of a centre frequency, if it is a 2.4 GHz channel 1-14 or a 5 GHz channel
/// (5000 + 5 × n MHz, n 1-196).
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
        5005..=5980 if freq_mhz.is_multiple_of(5) => Some(Channel {
            band: Band::Band5G,
            number: u16::try_from((freq_mhz - 5000) / 5).ok()?,
        }),
        _ => None,
    }
}

/// The centre frequency (MHz) of `ch`, if it is a valid channel of its band.
pub fn channel_to_freq(ch: Channel) -> Option<u16> {
    match (ch.band, ch.number) {
        (Band::Band2G4, 14) => Some(2484),
        (Band::Band2G4, n @ 1..=13) => Some(2407 + 5 * n),
        (Band::Band5G, n @ 1..=196) => Some(5000 + 5 * n),
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
