// SPDX-License-Identifier: GPL-2.0-only
//! Add key 0x000C (the 44-byte union, all 9 key types) and remove key 0x000D (spec §3.3, §3.4).

use super::common::MacAddr;
use super::Message;
use crate::{Error, Result};

/// ID of the add-key request.
pub const ADD_KEY_REQ: u16 = 0x000C;
/// ID of the remove-key request.
pub const REMOVE_KEY_REQ: u16 = 0x000D;

/// Size of the add-key body: 4-byte prefix + 40-byte union (spec §3.4).
pub const ADD_KEY_LEN: usize = 44;

view! {
    /// View of an add-key body (spec §3.4): prefix plus the raw 40-byte union.
    pub struct AddKeyView;
    min_len = ADD_KEY_LEN;
    /// Key type (0-8).
    key_type / set_key_type: u8 = 0;
    /// Key table entry index.
    entry_index / set_entry_index: u8 = 1;
    /// Reserved (0).
    reserved / set_reserved: u16 = 2;
    /// The union body.
    union_body / set_union_body: [u8; 40] = 4;
}

/// A WEP key: length (≤ 16) and 16 bytes, zero padded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct WepKey {
    len: u8,
    bytes: [u8; 16],
}

impl WepKey {
    /// Builds a WEP key of up to 16 bytes.
    ///
    /// # Errors
    ///
    /// `BadLength` above 16 bytes.
    pub fn new(k: &[u8]) -> Result<Self> {
        let mut bytes = [0u8; 16];
        bytes
            .get_mut(..k.len())
            .ok_or(Error::BadLength)?
            .copy_from_slice(k);
        // CAST: ≤ 16 checked by the slice above.
        Ok(WepKey {
            len: k.len() as u8,
            bytes,
        })
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

/// The key material of an add-key request, one variant per union type (spec §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// Type 0: WEP default (group) key.
    WepDefault {
        /// Key id.
        key_id: u8,
        /// Key.
        key: WepKey,
    },
    /// Type 1: WEP pairwise key.
    WepPairwise {
        /// Peer address.
        peer: MacAddr,
        /// Key.
        key: WepKey,
    },
    /// Type 2: TKIP group key.
    TkipGroup {
        /// Key.
        key: [u8; 16],
        /// RX MIC key.
        rx_mic: [u8; 8],
        /// Key id.
        key_id: u8,
        /// RX sequence counter.
        rx_seq: [u8; 8],
    },
    /// Type 3: TKIP pairwise key.
    TkipPairwise {
        /// Peer address.
        peer: MacAddr,
        /// Key.
        key: [u8; 16],
        /// RX MIC key.
        rx_mic: [u8; 8],
        /// TX MIC key.
        tx_mic: [u8; 8],
    },
    /// Type 4: AES (CCMP) group key.
    AesGroup {
        /// Key.
        key: [u8; 16],
        /// Key id.
        key_id: u8,
        /// RX sequence counter.
        rx_seq: [u8; 8],
    },
    /// Type 5: AES (CCMP) pairwise key.
    AesPairwise {
        /// Peer address.
        peer: MacAddr,
        /// Key.
        key: [u8; 16],
    },
    /// Type 6: WAPI group key.
    WapiGroup {
        /// Key.
        key: [u8; 16],
        /// MIC key.
        mic: [u8; 16],
        /// Key id.
        key_id: u8,
    },
    /// Type 7: WAPI pairwise key.
    WapiPairwise {
        /// Peer address.
        peer: MacAddr,
        /// Key id.
        key_id: u8,
        /// Key.
        key: [u8; 16],
        /// MIC key.
        mic: [u8; 16],
    },
    /// Type 8: IGTK (BIP) group key.
    IgtkGroup {
        /// Key.
        key: [u8; 16],
        /// Key id.
        key_id: u8,
        /// IPN (6 of 8 bytes used).
        ipn: [u8; 8],
    },
}

impl Key {
    /// The union type code (0-8).
    pub const fn type_code(&self) -> u8 {
        match self {
            Key::WepDefault { .. } => 0,
            Key::WepPairwise { .. } => 1,
            Key::TkipGroup { .. } => 2,
            Key::TkipPairwise { .. } => 3,
            Key::AesGroup { .. } => 4,
            Key::AesPairwise { .. } => 5,
            Key::WapiGroup { .. } => 6,
            Key::WapiPairwise { .. } => 7,
            Key::IgtkGroup { .. } => 8,
        }
    }
}

/// Add key 0x000C (spec §3.4). `parse` refuses unknown types, WEP lengths above 16 and
/// non-zero padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddKey {
    /// Key table entry index.
    pub entry_index: u8,
    /// Key material.
    pub key: Key,
}

fn arr<const N: usize>(u: &[u8], off: usize) -> [u8; N] {
    crate::field::LeField::read(&u[off..])
}

fn put(u: &mut [u8], off: usize, v: &[u8]) {
    u[off..off + v.len()].copy_from_slice(v);
}

fn wep(len: u8, bytes: [u8; 16]) -> Result<WepKey> {
    if len > 16 {
        return Err(Error::BadLength);
    }
    // Bytes past the length are padding.
    crate::field::check_zero(&bytes[usize::from(len)..])?;
    Ok(WepKey { len, bytes })
}

impl AddKey {
    fn parse_union(t: u8, u: &[u8; 40]) -> Result<Key> {
        Ok(match t {
            0 => Key::WepDefault {
                key_id: u[0],
                key: wep(u[1], arr(u, 4))?,
            },
            1 => Key::WepPairwise {
                peer: arr(u, 0),
                key: wep(u[7], arr(u, 8))?,
            },
            2 => Key::TkipGroup {
                key: arr(u, 0),
                rx_mic: arr(u, 16),
                key_id: u[24],
                rx_seq: arr(u, 28),
            },
            3 => Key::TkipPairwise {
                peer: arr(u, 0),
                key: arr(u, 8),
                rx_mic: arr(u, 24),
                tx_mic: arr(u, 32),
            },
            4 => Key::AesGroup {
                key: arr(u, 0),
                key_id: u[16],
                rx_seq: arr(u, 20),
            },
            5 => Key::AesPairwise {
                peer: arr(u, 0),
                key: arr(u, 8),
            },
            6 => Key::WapiGroup {
                key: arr(u, 0),
                mic: arr(u, 16),
                key_id: u[32],
            },
            7 => Key::WapiPairwise {
                peer: arr(u, 0),
                key_id: u[6],
                key: arr(u, 8),
                mic: arr(u, 24),
            },
            8 => Key::IgtkGroup {
                key: arr(u, 0),
                key_id: u[16],
                ipn: arr(u, 20),
            },
            _ => return Err(Error::BadValue),
        })
    }

    fn emit_union(&self) -> [u8; 40] {
        let mut u = [0u8; 40];
        match &self.key {
            Key::WepDefault { key_id, key } => {
                u[0] = *key_id;
                u[1] = key.len;
                put(&mut u, 4, &key.bytes);
            }
            Key::WepPairwise { peer, key } => {
                put(&mut u, 0, peer);
                u[7] = key.len;
                put(&mut u, 8, &key.bytes);
            }
            Key::TkipGroup {
                key,
                rx_mic,
                key_id,
                rx_seq,
            } => {
                put(&mut u, 0, key);
                put(&mut u, 16, rx_mic);
                u[24] = *key_id;
                put(&mut u, 28, rx_seq);
            }
            Key::TkipPairwise {
                peer,
                key,
                rx_mic,
                tx_mic,
            } => {
                put(&mut u, 0, peer);
                put(&mut u, 8, key);
                put(&mut u, 24, rx_mic);
                put(&mut u, 32, tx_mic);
            }
            Key::AesGroup {
                key,
                key_id,
                rx_seq,
            } => {
                put(&mut u, 0, key);
                u[16] = *key_id;
                put(&mut u, 20, rx_seq);
            }
            Key::AesPairwise { peer, key } => {
                put(&mut u, 0, peer);
                put(&mut u, 8, key);
            }
            Key::WapiGroup { key, mic, key_id } => {
                put(&mut u, 0, key);
                put(&mut u, 16, mic);
                u[32] = *key_id;
            }
            Key::WapiPairwise {
                peer,
                key_id,
                key,
                mic,
            } => {
                put(&mut u, 0, peer);
                u[6] = *key_id;
                put(&mut u, 8, key);
                put(&mut u, 24, mic);
            }
            Key::IgtkGroup { key, key_id, ipn } => {
                put(&mut u, 0, key);
                u[16] = *key_id;
                put(&mut u, 20, ipn);
            }
        }
        u
    }
}

impl<'a> Message<'a> for AddKey {
    const ID: u16 = ADD_KEY_REQ;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = AddKeyView::new_checked(body)?;
        let u = v.union_body();
        let r = AddKey {
            entry_index: v.entry_index(),
            key: Self::parse_union(v.key_type(), &u)?,
        };
        // Every byte the key type does not use is padding and must be zero: re-emitting the
        // parsed key must give back the same bytes.
        if v.reserved() != 0 || r.emit_union() != u {
            return Err(Error::Reserved);
        }
        Ok(r)
    }

    fn buffer_len(&self) -> usize {
        ADD_KEY_LEN
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = AddKeyView::new_unchecked(body);
        v.set_key_type(self.key.type_code());
        v.set_entry_index(self.entry_index);
        v.set_reserved(0);
        v.set_union_body(self.emit_union());
    }
}

/// Remove key 0x000D: `u8 entryIndex, pad[3]` (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RemoveKey {
    /// Key table entry index.
    pub entry_index: u8,
}

impl<'a> Message<'a> for RemoveKey {
    const ID: u16 = REMOVE_KEY_REQ;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let b = crate::field::take(body, 4)?;
        crate::field::check_zero(&b[1..4])?;
        Ok(RemoveKey { entry_index: b[0] })
    }

    fn buffer_len(&self) -> usize {
        4
    }

    fn emit(&self, body: &mut [u8]) {
        body[..4].copy_from_slice(&[self.entry_index, 0, 0, 0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsm::testutil::check_golden;

    const PEER: MacAddr = [0x02, 0xB5, 0x26, 0x00, 0x00, 0x01];

    fn k16(base: u8) -> [u8; 16] {
        core::array::from_fn(|i| base + i as u8)
    }

    /// Golden bytes built by hand from the §3.4 table: prefix, then each field at its offset.
    fn golden(t: u8, idx: u8, fields: &[(usize, &[u8])]) -> [u8; 44] {
        let mut g = [0u8; 44];
        g[0] = t;
        g[1] = idx;
        for (off, b) in fields {
            g[4 + off..4 + off + b.len()].copy_from_slice(b);
        }
        g
    }

    #[test]
    fn all_nine_types() {
        let key = k16(0x10);
        let mic8 = [0x31u8; 8];
        let mic8b = [0x32u8; 8];
        let seq = [1u8, 2, 3, 4, 5, 6, 0, 0];
        let mic16 = [0x41u8; 16];
        let wk = WepKey::new(&key[..13]).unwrap();
        let cases: [(Key, [u8; 44]); 9] = [
            (
                Key::WepDefault { key_id: 2, key: wk },
                golden(0, 3, &[(0, &[2]), (1, &[13]), (4, &key[..13])]),
            ),
            (
                Key::WepPairwise {
                    peer: PEER,
                    key: wk,
                },
                golden(1, 3, &[(0, &PEER), (7, &[13]), (8, &key[..13])]),
            ),
            (
                Key::TkipGroup {
                    key,
                    rx_mic: mic8,
                    key_id: 1,
                    rx_seq: seq,
                },
                golden(2, 3, &[(0, &key), (16, &mic8), (24, &[1]), (28, &seq)]),
            ),
            (
                Key::TkipPairwise {
                    peer: PEER,
                    key,
                    rx_mic: mic8,
                    tx_mic: mic8b,
                },
                golden(3, 3, &[(0, &PEER), (8, &key), (24, &mic8), (32, &mic8b)]),
            ),
            (
                Key::AesGroup {
                    key,
                    key_id: 1,
                    rx_seq: seq,
                },
                golden(4, 3, &[(0, &key), (16, &[1]), (20, &seq)]),
            ),
            (
                Key::AesPairwise { peer: PEER, key },
                golden(5, 3, &[(0, &PEER), (8, &key)]),
            ),
            (
                Key::WapiGroup {
                    key,
                    mic: mic16,
                    key_id: 1,
                },
                golden(6, 3, &[(0, &key), (16, &mic16), (32, &[1])]),
            ),
            (
                Key::WapiPairwise {
                    peer: PEER,
                    key_id: 1,
                    key,
                    mic: mic16,
                },
                golden(7, 3, &[(0, &PEER), (6, &[1]), (8, &key), (24, &mic16)]),
            ),
            (
                Key::IgtkGroup {
                    key,
                    key_id: 4,
                    ipn: seq,
                },
                golden(8, 3, &[(0, &key), (16, &[4]), (20, &seq)]),
            ),
        ];
        for (k, g) in cases {
            check_golden(
                &AddKey {
                    entry_index: 3,
                    key: k,
                },
                &g,
                44,
            );
            let v = AddKeyView::new_checked(&g[..]).unwrap();
            assert_eq!(v.key_type(), k.type_code());
        }
    }

    #[test]
    fn refuses_bad_keys() {
        let g = golden(9, 0, &[]);
        assert_eq!(AddKey::parse(&g), Err(Error::BadValue));
        let g = golden(0, 0, &[(1, &[17])]);
        assert_eq!(AddKey::parse(&g), Err(Error::BadLength));
        // A byte in the padding after an AES pairwise key.
        let g = golden(5, 0, &[(30, &[1])]);
        assert_eq!(AddKey::parse(&g), Err(Error::Reserved));
        // A WEP key byte past its length.
        let g = golden(0, 0, &[(1, &[5]), (10, &[1])]);
        assert_eq!(AddKey::parse(&g), Err(Error::Reserved));
        assert_eq!(WepKey::new(&[0; 17]), Err(Error::BadLength));
    }

    #[test]
    fn remove_key_golden() {
        check_golden(&RemoveKey { entry_index: 5 }, &[5, 0, 0, 0], 4);
        assert_eq!(RemoveKey::parse(&[5, 0, 1, 0]), Err(Error::Reserved));
    }
}
