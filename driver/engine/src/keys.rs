//! Hardware keys: mac80211's key description mapped to the firmware's add-key union
//! (spec §3.4), the firmware key-table entries, and what the RX flags say about decryption
//! (spec §3.7).
//!
//! Pure and allocation-free: the kernel module calls [`KeyTable::install`] from `set_key`,
//! submits the [`AddKey`] with [`crate::Engine::add_key`], and [`KeyTable::free`]s the entry
//! when the confirm fails or the key is removed.

use bes2600_wire::wsm::common::MacAddr;
use bes2600_wire::wsm::key::{AddKey, Key, WepKey};

/// Cipher suite selectors, as mac80211 passes them (`WLAN_CIPHER_SUITE_*`, IEEE 802.11
/// OUI 00-0F-AC plus the suite type; SMS4 has its own OUI).
pub mod cipher {
    /// WEP with a 40-bit key.
    pub const WEP40: u32 = 0x000F_AC01;
    /// TKIP.
    pub const TKIP: u32 = 0x000F_AC02;
    /// CCMP-128.
    pub const CCMP: u32 = 0x000F_AC04;
    /// WEP with a 104-bit key.
    pub const WEP104: u32 = 0x000F_AC05;
    /// BIP-CMAC-128 (IGTK).
    pub const AES_CMAC: u32 = 0x000F_AC06;
    /// WAPI SMS4.
    pub const SMS4: u32 = 0x0014_7201;
}

/// Entries in the firmware key table. The spec gives no number for the BES firmware; the
/// WSM API it descends from numbers entries 0..=`WSM_KEY_MAX_INDEX` (10) (mainline
/// `cw1200/wsm.h`), so the driver never uses more than 11.
pub const KEY_ENTRIES: u8 = 11;

/// Why a key cannot be given to the firmware. The kernel module answers
/// [`KeyError::UnsupportedCipher`] with `-EOPNOTSUPP` (mac80211 then encrypts in software)
/// and the others with `-EINVAL`/`-ENOSPC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    /// The firmware has no key type for this cipher suite.
    UnsupportedCipher(u32),
    /// The key material has the wrong length for its cipher.
    BadLength {
        /// Cipher suite selector.
        cipher: u32,
        /// Length given.
        len: usize,
    },
    /// Key index out of range for the cipher (0-3 for data keys, 4-5 for IGTK).
    BadKeyIndex(u8),
    /// A pairwise key without the peer's address.
    MissingPeer,
    /// Every firmware key entry is in use.
    TableFull,
    /// The entry is out of range or not in use.
    BadEntry(u8),
}

impl core::fmt::Display for KeyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            KeyError::UnsupportedCipher(c) => write!(f, "cipher {c:#010x} not offloaded"),
            KeyError::BadLength { cipher, len } => {
                write!(f, "cipher {cipher:#010x}: key length {len} invalid")
            }
            KeyError::BadKeyIndex(i) => write!(f, "key index {i} out of range"),
            KeyError::MissingPeer => f.write_str("pairwise key without a peer address"),
            KeyError::TableFull => f.write_str("firmware key table full"),
            KeyError::BadEntry(e) => write!(f, "key entry {e} not in use"),
        }
    }
}

/// A key as mac80211 describes it (`struct ieee80211_key_conf` plus the station).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyConf<'a> {
    /// Cipher suite selector ([`cipher`]).
    pub cipher: u32,
    /// Key index (`keyidx`): 0-3, or 4-5 for an IGTK.
    pub key_idx: u8,
    /// `IEEE80211_KEY_FLAG_PAIRWISE`.
    pub pairwise: bool,
    /// The peer of a pairwise key (the AP, for a station).
    pub peer: Option<MacAddr>,
    /// Key material in mac80211's layout: TKIP is TK[16] ‖ TX MIC[8] ‖ RX MIC[8]
    /// (`NL80211_TKIP_DATA_OFFSET_*`), SMS4 is key[16] ‖ MIC key[16].
    pub key: &'a [u8],
    /// Receive sequence counter of a group key as an integer: TKIP `iv32 << 16 | iv16`,
    /// CCMP/BIP the 48-bit PN. Zero for a new key.
    pub rx_pn: u64,
}

/// The 8-byte little-endian RX sequence field of the group-key unions (spec §3.4).
fn rx_seq(pn: u64) -> [u8; 8] {
    (pn & 0xFFFF_FFFF_FFFF).to_le_bytes()
}

fn exact<const N: usize>(conf: &KeyConf<'_>) -> Result<[u8; N], KeyError> {
    conf.key.try_into().map_err(|_| KeyError::BadLength {
        cipher: conf.cipher,
        len: conf.key.len(),
    })
}

fn half<const N: usize>(k: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(s) = k.get(at..at + N) {
        out.copy_from_slice(s);
    }
    out
}

/// Maps a mac80211 key to the firmware's add-key union for table entry `entry`, as a
/// station (spec §3.4; a station's TKIP group RX MIC is the second MIC half).
///
/// # Errors
///
/// [`KeyError`] for a cipher the firmware has no type for, a wrong key length, a key index
/// out of range or a pairwise key without its peer.
pub fn to_add_key(conf: &KeyConf<'_>, entry: u8) -> Result<AddKey, KeyError> {
    let peer = || conf.peer.ok_or(KeyError::MissingPeer);
    let data_idx = || {
        if conf.key_idx < 4 {
            Ok(conf.key_idx)
        } else {
            Err(KeyError::BadKeyIndex(conf.key_idx))
        }
    };
    let key = match conf.cipher {
        cipher::WEP40 | cipher::WEP104 => {
            let want = if conf.cipher == cipher::WEP40 { 5 } else { 13 };
            if conf.key.len() != want {
                return Err(KeyError::BadLength {
                    cipher: conf.cipher,
                    len: conf.key.len(),
                });
            }
            let key = WepKey::new(conf.key).map_err(|_| KeyError::BadLength {
                cipher: conf.cipher,
                len: conf.key.len(),
            })?;
            if conf.pairwise {
                Key::WepPairwise { peer: peer()?, key }
            } else {
                Key::WepDefault {
                    key_id: data_idx()?,
                    key,
                }
            }
        }
        cipher::TKIP => {
            let k: [u8; 32] = exact(conf)?;
            if conf.pairwise {
                Key::TkipPairwise {
                    peer: peer()?,
                    key: half(&k, 0),
                    tx_mic: half(&k, 16),
                    rx_mic: half(&k, 24),
                }
            } else {
                Key::TkipGroup {
                    key: half(&k, 0),
                    rx_mic: half(&k, 24),
                    key_id: data_idx()?,
                    rx_seq: rx_seq(conf.rx_pn),
                }
            }
        }
        cipher::CCMP => {
            let key: [u8; 16] = exact(conf)?;
            if conf.pairwise {
                Key::AesPairwise { peer: peer()?, key }
            } else {
                Key::AesGroup {
                    key,
                    key_id: data_idx()?,
                    rx_seq: rx_seq(conf.rx_pn),
                }
            }
        }
        cipher::SMS4 => {
            let k: [u8; 32] = exact(conf)?;
            let key_id = data_idx()?;
            if conf.pairwise {
                Key::WapiPairwise {
                    peer: peer()?,
                    key_id,
                    key: half(&k, 0),
                    mic: half(&k, 16),
                }
            } else {
                Key::WapiGroup {
                    key: half(&k, 0),
                    mic: half(&k, 16),
                    key_id,
                }
            }
        }
        cipher::AES_CMAC => {
            let key: [u8; 16] = exact(conf)?;
            if conf.pairwise || !(4..=5).contains(&conf.key_idx) {
                return Err(KeyError::BadKeyIndex(conf.key_idx));
            }
            Key::IgtkGroup {
                key,
                key_id: conf.key_idx,
                ipn: rx_seq(conf.rx_pn),
            }
        }
        other => return Err(KeyError::UnsupportedCipher(other)),
    };
    Ok(AddKey {
        entry_index: entry,
        key,
    })
}

/// Which firmware key entries are in use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyTable {
    used: u16,
}

impl KeyTable {
    /// An empty table (also the firmware's state after a reset).
    pub const fn new() -> Self {
        Self { used: 0 }
    }

    /// Takes the lowest free entry.
    ///
    /// # Errors
    ///
    /// [`KeyError::TableFull`] when all [`KEY_ENTRIES`] are in use.
    pub fn alloc(&mut self) -> Result<u8, KeyError> {
        let free = (0..KEY_ENTRIES)
            .find(|e| self.used & (1 << e) == 0)
            .ok_or(KeyError::TableFull)?;
        self.used |= 1 << free;
        Ok(free)
    }

    /// Gives an entry back.
    ///
    /// # Errors
    ///
    /// [`KeyError::BadEntry`] for an entry out of range or not in use.
    pub fn free(&mut self, entry: u8) -> Result<(), KeyError> {
        if entry >= KEY_ENTRIES || self.used & (1 << entry) == 0 {
            return Err(KeyError::BadEntry(entry));
        }
        self.used &= !(1 << entry);
        Ok(())
    }

    /// Allocates an entry and maps `conf` into it; the entry is not kept on error.
    ///
    /// # Errors
    ///
    /// As [`KeyTable::alloc`] and [`to_add_key`].
    pub fn install(&mut self, conf: &KeyConf<'_>) -> Result<AddKey, KeyError> {
        let entry = self.alloc()?;
        to_add_key(conf, entry).inspect_err(|_| self.used &= !(1 << entry))
    }

    /// Forgets every entry (the firmware lost its table in a reset).
    pub fn clear(&mut self) {
        self.used = 0;
    }

    /// Entries in use.
    pub fn in_use(&self) -> u32 {
        self.used.count_ones()
    }
}

/// What the firmware did to an encrypted frame, from the RX indication's encryption bits
/// and status (spec §3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RxCrypto {
    /// Not encrypted.
    Plain,
    /// Decrypted; IV, ICV (and TKIP's Michael MIC) are still in the frame, so mac80211
    /// strips them and runs its replay and MIC checks (encryption types 1-3).
    DecryptedInPlace,
    /// Decrypted with IV and ICV already stripped (BES type 7): nothing left to check.
    DecryptedStripped,
    /// TKIP Michael MIC failure (status 5): pass up so mac80211 runs countermeasures.
    MicFailure,
    /// WAPI (type 4, never offloaded by this driver) or a type the spec does not define.
    Unsupported(u8),
}

impl RxCrypto {
    /// Decodes the encryption bits 0-2 of `flags` and the RX `status`.
    pub const fn from_rx(flags: u32, status: u32) -> Self {
        if status == 5 {
            return RxCrypto::MicFailure;
        }
        match (flags & 0x7) as u8 {
            0 => RxCrypto::Plain,
            1..=3 => RxCrypto::DecryptedInPlace,
            7 => RxCrypto::DecryptedStripped,
            t => RxCrypto::Unsupported(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bes2600_wire::wsm::Message;
    use proptest::prelude::*;

    const AP: MacAddr = [2, 0x11, 0x22, 0x33, 0x44, 0x55];

    fn conf(cipher: u32, key: &[u8], pairwise: bool, key_idx: u8) -> KeyConf<'_> {
        KeyConf {
            cipher,
            key_idx,
            pairwise,
            peer: pairwise.then_some(AP),
            key,
            rx_pn: 0,
        }
    }

    fn seq_key() -> [u8; 32] {
        core::array::from_fn(|i| i as u8)
    }

    #[test]
    fn every_cipher_maps_to_its_firmware_type() {
        let k = seq_key();
        let cases: [(KeyConf<'_>, u8); 10] = [
            (conf(cipher::WEP40, &k[..5], false, 1), 0),
            (conf(cipher::WEP104, &k[..13], true, 0), 1),
            (conf(cipher::TKIP, &k, false, 2), 2),
            (conf(cipher::TKIP, &k, true, 0), 3),
            (conf(cipher::CCMP, &k[..16], false, 1), 4),
            (conf(cipher::CCMP, &k[..16], true, 0), 5),
            (conf(cipher::SMS4, &k, false, 1), 6),
            (conf(cipher::SMS4, &k, true, 0), 7),
            (conf(cipher::AES_CMAC, &k[..16], false, 4), 8),
            (conf(cipher::WEP40, &k[..5], true, 0), 1),
        ];
        for (c, ty) in cases {
            let ak = to_add_key(&c, 3).unwrap();
            assert_eq!(ak.key.type_code(), ty, "{c:?}");
            assert_eq!(ak.entry_index, 3);
            // What we emit, the strict wire parser accepts (spec §3.4 padding rules).
            let mut b = [0u8; 44];
            ak.emit(&mut b);
            assert_eq!(AddKey::parse(&b), Ok(ak));
            assert_eq!(b[0], ty);
            assert_eq!(b[1], 3);
        }
    }

    #[test]
    fn tkip_mic_halves_go_where_the_firmware_wants_them() {
        let k = seq_key();
        let p = to_add_key(&conf(cipher::TKIP, &k, true, 0), 0).unwrap();
        let mut b = [0u8; 44];
        p.emit(&mut b);
        // Pairwise union (spec §3.4 type 3): peer 0, key 8, rxMic 24, txMic 32 (+4 prefix).
        assert_eq!(&b[4..10], &AP);
        assert_eq!(&b[12..28], &k[..16]);
        assert_eq!(&b[28..36], &k[24..32], "RX MIC is mac80211's second half");
        assert_eq!(&b[36..44], &k[16..24], "TX MIC is mac80211's first half");
        let g = to_add_key(&conf(cipher::TKIP, &k, false, 2), 0).unwrap();
        g.emit(&mut b);
        // Group union (type 2): key 0, rxMic 16, keyId 24.
        assert_eq!(&b[4..20], &k[..16]);
        assert_eq!(&b[20..28], &k[24..32]);
        assert_eq!(b[28], 2);
    }

    #[test]
    fn group_rx_counters_are_little_endian_48_bit() {
        let k = seq_key();
        let mut c = conf(cipher::CCMP, &k[..16], false, 1);
        c.rx_pn = 0xFFFF_0102_0304_0506;
        let Key::AesGroup { rx_seq, .. } = to_add_key(&c, 0).unwrap().key else {
            panic!("not an AES group key");
        };
        assert_eq!(rx_seq, [6, 5, 4, 3, 2, 1, 0, 0]);
        // TKIP: iv16 first, then iv32 (spec §3.4, cw1200 rx_seqnum order).
        let mut t = conf(cipher::TKIP, &k, false, 1);
        t.rx_pn = (0xAABB_CCDD << 16) | 0x1122;
        let Key::TkipGroup { rx_seq, .. } = to_add_key(&t, 0).unwrap().key else {
            panic!("not a TKIP group key");
        };
        assert_eq!(rx_seq, [0x22, 0x11, 0xDD, 0xCC, 0xBB, 0xAA, 0, 0]);
    }

    #[test]
    fn bad_keys_are_refused() {
        let k = seq_key();
        let bad_len = |c: u32, n: usize| {
            assert_eq!(
                to_add_key(&conf(c, &k[..n], false, 0), 0),
                Err(KeyError::BadLength { cipher: c, len: n })
            )
        };
        bad_len(cipher::WEP40, 13);
        bad_len(cipher::WEP104, 5);
        bad_len(cipher::TKIP, 16);
        bad_len(cipher::CCMP, 32);
        bad_len(cipher::SMS4, 16);
        assert_eq!(
            to_add_key(&conf(0x000F_AC08, &k[..16], true, 0), 0),
            Err(KeyError::UnsupportedCipher(0x000F_AC08))
        );
        let mut no_peer = conf(cipher::CCMP, &k[..16], true, 0);
        no_peer.peer = None;
        assert_eq!(to_add_key(&no_peer, 0), Err(KeyError::MissingPeer));
        assert_eq!(
            to_add_key(&conf(cipher::CCMP, &k[..16], false, 4), 0),
            Err(KeyError::BadKeyIndex(4))
        );
        assert_eq!(
            to_add_key(&conf(cipher::AES_CMAC, &k[..16], false, 1), 0),
            Err(KeyError::BadKeyIndex(1))
        );
    }

    #[test]
    fn table_exhausts_reuses_and_rolls_back() {
        let k = seq_key();
        let mut t = KeyTable::new();
        for want in 0..KEY_ENTRIES {
            assert_eq!(t.alloc(), Ok(want));
        }
        assert_eq!(t.alloc(), Err(KeyError::TableFull));
        assert_eq!(
            t.install(&conf(cipher::CCMP, &k[..16], false, 0)),
            Err(KeyError::TableFull)
        );
        assert_eq!(t.free(4), Ok(()));
        assert_eq!(t.free(4), Err(KeyError::BadEntry(4)));
        assert_eq!(t.free(KEY_ENTRIES), Err(KeyError::BadEntry(KEY_ENTRIES)));
        assert_eq!(t.alloc(), Ok(4), "lowest free entry is reused");
        t.clear();
        assert_eq!(t.in_use(), 0);
        // A refused key does not keep its entry.
        assert!(t.install(&conf(cipher::TKIP, &k[..5], false, 0)).is_err());
        assert_eq!(t.in_use(), 0);
        let ak = t.install(&conf(cipher::CCMP, &k[..16], true, 0)).unwrap();
        assert_eq!((ak.entry_index, t.in_use()), (0, 1));
    }

    #[test]
    fn rx_flags_say_what_mac80211_must_still_do() {
        assert_eq!(RxCrypto::from_rx(0, 0), RxCrypto::Plain);
        for t in 1..=3 {
            assert_eq!(
                RxCrypto::from_rx(t | 1 << 19, 0),
                RxCrypto::DecryptedInPlace
            );
        }
        assert_eq!(RxCrypto::from_rx(7, 0), RxCrypto::DecryptedStripped);
        assert_eq!(RxCrypto::from_rx(4, 0), RxCrypto::Unsupported(4));
        assert_eq!(RxCrypto::from_rx(5, 0), RxCrypto::Unsupported(5));
        assert_eq!(RxCrypto::from_rx(2, 5), RxCrypto::MicFailure);
        // Higher flag bits (A-MPDU, link id) do not change the answer.
        assert_eq!(RxCrypto::from_rx(0xFFFF_FFF8, 0), RxCrypto::Plain);
    }

    proptest! {
        #[test]
        fn any_valid_key_round_trips_through_the_wire(
            which in 0usize..5,
            pairwise: bool,
            idx in 0u8..4,
            entry in 0u8..KEY_ENTRIES,
            key in proptest::array::uniform32(any::<u8>()),
            pn in any::<u64>(),
        ) {
            let (c, n) = [(cipher::WEP40, 5), (cipher::WEP104, 13), (cipher::TKIP, 32),
                (cipher::CCMP, 16), (cipher::SMS4, 32)][which];
            let mut kc = conf(c, &key[..n], pairwise, idx);
            kc.rx_pn = pn;
            let ak = to_add_key(&kc, entry).unwrap();
            let mut b = [0u8; 44];
            ak.emit(&mut b);
            prop_assert_eq!(AddKey::parse(&b), Ok(ak));
            // The key bytes are in the union somewhere, verbatim.
            let tk = &key[..n.min(16)];
            prop_assert!(b[4..].windows(tk.len()).any(|w| w == tk));
        }

        #[test]
        fn any_key_bytes_never_panic(c in any::<u32>(), len in 0usize..40, pairwise: bool,
                                     idx in any::<u8>()) {
            let key = [0x5Au8; 40];
            let mut t = KeyTable::new();
            let r = t.install(&conf(c, &key[..len], pairwise, idx));
            prop_assert_eq!(t.in_use(), u32::from(r.is_ok()));
        }
    }
}
