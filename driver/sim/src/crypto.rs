// SPDX-License-Identifier: GPL-2.0-only
//! The firmware's CCMP engine in air mode (issue 16 §2): frames the host sends protected are
//! encrypted with the key the driver installed (WSM ADD_KEY, spec §3.4), frames heard
//! protected are decrypted and replay-checked before the host sees them, as the chip's
//! hardware crypto does.
//!
//! The AES-CCM primitive is not written here: a [`CcmBackend`] provides it. In the QEMU e2e
//! the virtual card (`driver/vsdio/vsdio_crypto.c`) backs it with the kernel's `ccm(aes)`
//! AEAD; host tests back it with RustCrypto's `ccm` + `aes` (dev-dependencies). What this
//! file owns is the 802.11 part: the CCMP header and PN, the nonce and the AAD
//! (IEEE 802.11-2020 12.5.3.3), key selection, the replay counters and the room the
//! firmware expects.
//!
//! What the firmware expects of an encrypted TX frame (the vendor driver's
//! `bes2600_tx_h_crypt`, C:txrx.c:694-710, with `IEEE80211_KEY_FLAG_PUT_IV_SPACE` set in
//! C:sta.c:933-934): mac80211 leaves `iv_len` (8 for CCMP) bytes after the 802.11 header and
//! the driver appends `icv_len` (the 8-byte CCMP MIC) at the tail. The firmware writes the
//! CCMP header and the MIC into that room. A protected frame without it is refused
//! ([`TxCryptoError::NoRoom`]).
//!
//! What the host gets of a decrypted frame (C:txrx.c:1718-1772): encryption type AES (3) in
//! the RX flags, the CCMP header and the MIC still in the frame. The driver then sets
//! `RX_FLAG_DECRYPTED` only, and mac80211 checks the PN itself and strips header and MIC.

/// The 8-byte CCMP header after the 802.11 header: PN0 PN1 rsvd keyid|ExtIV PN2..PN5.
pub const CCMP_HDR_LEN: usize = 8;
/// The CCMP MIC (CCM tag, M = 8) at the end of the frame.
pub const CCMP_MIC_LEN: usize = 8;
/// The CCM nonce: flags, A2, PN (L = 2).
pub const NONCE_LEN: usize = 13;
/// The longest AAD: FC, A1-A3, SC, A4, QC.
pub const MAX_AAD_LEN: usize = 30;
/// Key entries the firmware holds (its key table, `fw::KEY_ENTRIES`).
pub const KEY_SLOTS: usize = 11;
/// Replay counters per key: TIDs 0-15 and one for non-QoS frames.
const RX_COUNTERS: usize = 17;
/// The ExtIV bit of the CCMP header's key-id octet.
const EXT_IV: u8 = 0x20;

/// AES-128-CCM with an 8-byte tag and a 13-byte nonce (the CCMP parameters), computed by
/// someone else: the kernel's crypto API in the virtual card, RustCrypto in host tests.
///
/// `slot` names the firmware key entry the key belongs to, so a backend may keep a keyed
/// transform per entry and re-key only when `key` changes.
pub trait CcmBackend {
    /// Encrypts `data` in place and writes the tag to `mic`; `false` when the backend
    /// failed (nothing can be sent then).
    fn encrypt(
        &self,
        slot: u8,
        key: &[u8; 16],
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        data: &mut [u8],
        mic: &mut [u8; CCMP_MIC_LEN],
    ) -> bool;

    /// Decrypts `data` in place if `mic` authenticates it with `aad`; `false` (and `data`
    /// in an unspecified state) when it does not or the backend failed.
    fn decrypt(
        &self,
        slot: u8,
        key: &[u8; 16],
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        data: &mut [u8],
        mic: &[u8; CCMP_MIC_LEN],
    ) -> bool;
}

/// A CCMP key in the firmware's key table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CcmpKey {
    key: [u8; 16],
    /// `Some(peer)` for a pairwise key; `None` for a group key.
    peer: Option<[u8; 6]>,
    /// Key id in the CCMP header (0 for pairwise keys).
    key_id: u8,
    /// Last PN sent with this key.
    tx_pn: u64,
    /// Highest PN accepted per TID (plus one for non-QoS frames).
    rx_pn: [u64; RX_COUNTERS],
    /// Install order: the newest of two keys with the same id wins.
    gen: u32,
}

/// The CCMP keys of the firmware's key table; other ciphers only occupy their entry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyStore {
    slots: [Option<CcmpKey>; KEY_SLOTS],
    gen: u32,
}

/// What the firmware's crypto did (debugfs `air_stats`, the e2e's `fw_ccmp_*` fields).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CryptoCounters {
    /// Protected frames the host sent that the firmware encrypted.
    pub ccmp_encrypted: u64,
    /// Protected frames heard that the firmware decrypted and passed up.
    pub ccmp_decrypted: u64,
    /// Frames heard with a PN not above the last accepted one: dropped.
    pub ccmp_replays: u64,
    /// Frames heard whose MIC did not verify: dropped.
    pub ccmp_mic_failures: u64,
    /// Protected frames (either way) with no installed key to use: passed as they are (the
    /// host's software crypto protected them, or will decrypt them).
    pub no_key: u64,
    /// Protected TX frames without the IV room after the header or the MIC room at the
    /// tail (C:txrx.c:694-710): refused with a failed confirm.
    pub tx_no_room: u64,
    /// Protected frames of a cipher this model does not run, malformed CCMP headers, or no
    /// backend: refused or dropped.
    pub unsupported: u64,
}

/// Why a protected TX frame was not encrypted (its confirm fails).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxCryptoError {
    /// No IV room after the header or no MIC room at the tail.
    NoRoom,
    /// No key for the receiver.
    NoKey,
    /// No backend, a frame type CCMP does not protect, or the backend failed.
    Unsupported,
}

/// Why a protected frame heard was not decrypted (dropped, except [`RxCryptoError::NoKey`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RxCryptoError {
    /// Its PN is not above the last one accepted for its key and TID.
    Replay,
    /// The MIC did not verify.
    Mic,
    /// No key for its sender / key id.
    NoKey,
    /// Too short, no ExtIV, no backend.
    Unsupported,
}

impl CryptoCounters {
    pub(crate) fn tx_error(&mut self, e: TxCryptoError) {
        match e {
            TxCryptoError::NoRoom => self.tx_no_room += 1,
            TxCryptoError::NoKey => self.no_key += 1,
            TxCryptoError::Unsupported => self.unsupported += 1,
        }
    }

    pub(crate) fn rx_error(&mut self, e: RxCryptoError) {
        match e {
            RxCryptoError::Replay => self.ccmp_replays += 1,
            RxCryptoError::Mic => self.ccmp_mic_failures += 1,
            RxCryptoError::NoKey => self.no_key += 1,
            RxCryptoError::Unsupported => self.unsupported += 1,
        }
    }
}

/// The 802.11 header length of `f` (IEEE 802.11-2020 9.3), if it is a data or management
/// frame long enough to hold it. Control frames are never protected.
pub fn header_len(f: &[u8]) -> Option<usize> {
    let fc0 = *f.first()?;
    let fc1 = *f.get(1)?;
    let n = match (fc0 >> 2) & 3 {
        0 => 24,
        2 => {
            let a4 = if fc1 & 3 == 3 { 6 } else { 0 };
            let qos = fc0 & 0x80 != 0;
            // +HTC: the order bit in a QoS data frame adds the HT Control field.
            let htc = if qos && fc1 & 0x80 != 0 { 4 } else { 0 };
            24 + a4 + if qos { 2 } else { 0 } + htc
        }
        _ => return None,
    };
    (f.len() >= n).then_some(n)
}

fn is_mgmt(f: &[u8]) -> bool {
    f.first().is_some_and(|b| (b >> 2) & 3 == 0)
}

fn is_qos_data(f: &[u8]) -> bool {
    f.first().is_some_and(|b| b & 0x8C == 0x88)
}

fn addr(f: &[u8], off: usize) -> Option<[u8; 6]> {
    f.get(off..off + 6)?.try_into().ok()
}

/// The TID of a QoS data frame (QoS Control after A3/SC or A4), else `None`.
fn tid(f: &[u8]) -> Option<u8> {
    if !is_qos_data(f) {
        return None;
    }
    let off = if f.get(1).is_some_and(|b| b & 3 == 3) {
        30
    } else {
        24
    };
    f.get(off).map(|q| q & 0x0F)
}

/// The CCM nonce and AAD of the frame whose 802.11 header is `hdr` (IEEE 802.11-2020
/// 12.5.3.3.3-12.5.3.3.4): the AAD masks Retry, PwrMgt, MoreData, a data frame's subtype
/// bits and the sequence number, and sets Protected; the nonce is priority|mgmt, A2, PN.
/// Returns the AAD length written to `aad`. Public for a test's peer (its AP side); the
/// standard's test vector pins it (`tests::ieee_test_vector_*`).
pub fn nonce_aad(
    hdr: &[u8],
    pn: u64,
    nonce: &mut [u8; NONCE_LEN],
    aad: &mut [u8; MAX_AAD_LEN],
) -> Option<usize> {
    let fc0 = *hdr.first()?;
    let fc1 = *hdr.get(1)?;
    let mgmt = is_mgmt(hdr);
    let tid = tid(hdr).unwrap_or(0);
    nonce[0] = tid | if mgmt { 0x10 } else { 0 };
    nonce.get_mut(1..7)?.copy_from_slice(hdr.get(10..16)?);
    // PN5 first (big-endian 48 bits).
    nonce
        .get_mut(7..13)?
        .copy_from_slice(pn.to_be_bytes().get(2..8)?);
    let mut a0 = fc0;
    if !mgmt {
        a0 &= !0x70;
    }
    // Retry (b3), PwrMgt (b4), MoreData (b5) masked; Protected (b6) set; Order (b7) is
    // masked for QoS data (its HT Control is not part of the AAD).
    let mut a1 = (fc1 & !0x38) | 0x40;
    if is_qos_data(hdr) {
        a1 &= !0x80;
    }
    aad[0] = a0;
    aad[1] = a1;
    aad.get_mut(2..20)?.copy_from_slice(hdr.get(4..22)?);
    aad[20] = hdr.get(22)? & 0x0F;
    aad[21] = 0;
    let mut n = 22;
    if fc1 & 3 == 3 && !mgmt {
        aad.get_mut(22..28)?.copy_from_slice(hdr.get(24..30)?);
        n = 28;
    }
    if is_qos_data(hdr) {
        aad[n] = tid;
        aad[n + 1] = 0;
        n += 2;
    }
    Some(n)
}

/// Writes the CCMP header for `pn` and `key_id`.
fn put_ccmp_hdr(dst: &mut [u8], pn: u64, key_id: u8) -> Option<()> {
    let p = pn.to_le_bytes();
    let h = dst.get_mut(..CCMP_HDR_LEN)?;
    h.copy_from_slice(&[
        p[0],
        p[1],
        0,
        EXT_IV | (key_id << 6),
        p[2],
        p[3],
        p[4],
        p[5],
    ]);
    Some(())
}

/// The PN and key id of a CCMP header, `None` without ExtIV.
fn get_ccmp_hdr(h: &[u8]) -> Option<(u64, u8)> {
    let h: [u8; CCMP_HDR_LEN] = h.get(..CCMP_HDR_LEN)?.try_into().ok()?;
    if h[3] & EXT_IV == 0 {
        return None;
    }
    let pn = u64::from_le_bytes([h[0], h[1], h[4], h[5], h[6], h[7], 0, 0]);
    Some((pn, h[3] >> 6))
}

/// LLC/SNAP header of an 802.11 data payload (RFC 1042): AA AA 03 00 00 00, ethertype.
const SNAP: [u8; 6] = [0xAA, 0xAA, 0x03, 0, 0, 0];
/// Bridge-tunnel encapsulation (802.1H) some ethertypes use: AA AA 03 00 00 F8.
const SNAP_BT: [u8; 6] = [0xAA, 0xAA, 0x03, 0, 0, 0xF8];

/// Whether a protected frame the host sent has the room the firmware writes into
/// (C:txrx.c:694-710): `CCMP_HDR_LEN` bytes after the 802.11 header (mac80211's
/// `PUT_IV_SPACE`) and `CCMP_MIC_LEN` at the tail (the driver's `skb_put(icv_len)`).
///
/// The frame carries no length of its own, so the room is found where its payload says how
/// long it is: a data frame's LLC/SNAP header must start after the IV room, and an IPv4,
/// IPv6, ARP or EAPOL payload must end `CCMP_MIC_LEN` bytes before the frame does. Other
/// payloads (and management frames) are checked for the minimum length only.
///
/// # Errors
///
/// [`TxCryptoError::NoRoom`] when the room is missing, [`TxCryptoError::Unsupported`] for
/// a frame type that is never protected.
pub fn check_room(f: &[u8]) -> Result<(), TxCryptoError> {
    let hl = header_len(f).ok_or(TxCryptoError::Unsupported)?;
    if f.len() < hl + CCMP_HDR_LEN + CCMP_MIC_LEN {
        return Err(TxCryptoError::NoRoom);
    }
    let fc0 = f.first().copied().unwrap_or(0);
    // Data frames with a body (not the null subtypes, bit 6 of the subtype).
    if (fc0 >> 2) & 3 != 2 || fc0 & 0x40 != 0 {
        return Ok(());
    }
    // An A-MSDU (QoS control bit 7) holds subframes, not one LLC payload.
    if is_qos_data(f) && f.get(hl - 2).is_some_and(|q| q & 0x80 != 0) {
        return Ok(());
    }
    let body = f
        .get(hl + CCMP_HDR_LEN..f.len() - CCMP_MIC_LEN)
        .ok_or(TxCryptoError::NoRoom)?;
    let snap = body.get(..6).ok_or(TxCryptoError::NoRoom)?;
    if snap != SNAP && snap != SNAP_BT {
        return Err(TxCryptoError::NoRoom);
    }
    let be16 = |at: usize| {
        body.get(at..at + 2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
    };
    let l3 = 8;
    let want = match be16(6) {
        Some(0x0800) => be16(l3 + 2),
        Some(0x86DD) => be16(l3 + 4).map(|n| n + 40),
        Some(0x0806) => Some(28),
        Some(0x888E) => be16(l3 + 2).map(|n| n + 4),
        _ => return Ok(()),
    };
    match want {
        Some(n) if body.len() == l3 + n => Ok(()),
        _ => Err(TxCryptoError::NoRoom),
    }
}

impl KeyStore {
    pub(crate) const fn new() -> Self {
        Self {
            slots: [None; KEY_SLOTS],
            gen: 0,
        }
    }

    /// Forgets every key (power cycle, WIFI deactivate).
    pub(crate) fn clear(&mut self) {
        *self = Self::new();
    }

    /// ADD_KEY of a CCMP key into `entry` (replacing what it held); other key types empty
    /// the entry's CCMP part. `rx_seq` of a group key is its first accepted PN minus one.
    pub(crate) fn add(&mut self, entry: u8, key: &bes2600_wire::wsm::key::Key) {
        use bes2600_wire::wsm::key::Key;
        let Some(slot) = self.slots.get_mut(usize::from(entry)) else {
            return;
        };
        self.gen = self.gen.wrapping_add(1);
        *slot = match *key {
            Key::AesPairwise { peer, key } => Some(CcmpKey {
                key,
                peer: Some(peer),
                key_id: 0,
                tx_pn: 0,
                rx_pn: [0; RX_COUNTERS],
                gen: self.gen,
            }),
            Key::AesGroup {
                key,
                key_id,
                rx_seq,
            } => {
                let pn = u64::from_le_bytes(rx_seq) & 0xFFFF_FFFF_FFFF;
                Some(CcmpKey {
                    key,
                    peer: None,
                    key_id: key_id & 3,
                    tx_pn: 0,
                    rx_pn: [pn; RX_COUNTERS],
                    gen: self.gen,
                })
            }
            _ => None,
        };
    }

    /// REMOVE_KEY.
    pub(crate) fn remove(&mut self, entry: u8) {
        if let Some(s) = self.slots.get_mut(usize::from(entry)) {
            *s = None;
        }
    }

    /// The entry of the newest key matching `want`.
    fn find(&self, want: impl Fn(&CcmpKey) -> bool) -> Option<u8> {
        let mut best: Option<(usize, u32)> = None;
        for (i, k) in self.slots.iter().enumerate() {
            if let Some(k) = k.as_ref().filter(|k| want(k)) {
                if best.is_none_or(|(_, g)| k.gen.wrapping_sub(g) < u32::MAX / 2) {
                    best = Some((i, k.gen));
                }
            }
        }
        best.and_then(|(i, _)| u8::try_from(i).ok())
    }

    fn slot(&mut self, entry: u8) -> Option<&mut CcmpKey> {
        self.slots.get_mut(usize::from(entry))?.as_mut()
    }

    /// The entry of the key a protected frame to `f`'s receiver (A1) is sent with: its
    /// pairwise key, else the newest group key.
    fn tx_entry(&self, f: &[u8]) -> Option<u8> {
        let a1 = addr(f, 4)?;
        let pairwise = if a1[0] & 1 == 0 {
            self.find(|k| k.peer == Some(a1))
        } else {
            None
        };
        pairwise.or_else(|| self.find(|k| k.peer.is_none()))
    }

    /// Whether the firmware holds a key to encrypt `f` with; without one it sends a
    /// protected frame as the host built it (the host's software crypto).
    pub(crate) fn has_tx_key(&self, f: &[u8]) -> bool {
        self.tx_entry(f).is_some()
    }

    /// Encrypts a protected frame the host sent, in place: `f` is header, IV room,
    /// plaintext, MIC room. The key is the pairwise key of the receiver (A1), else the
    /// newest group key (a station's group-addressed frames).
    pub(crate) fn encrypt(
        &mut self,
        backend: Option<&dyn CcmBackend>,
        f: &mut [u8],
    ) -> Result<(), TxCryptoError> {
        let hl = header_len(f).ok_or(TxCryptoError::Unsupported)?;
        let entry = self.tx_entry(f).ok_or(TxCryptoError::NoKey)?;
        if f.len() < hl + CCMP_HDR_LEN + CCMP_MIC_LEN {
            return Err(TxCryptoError::NoRoom);
        }
        let be = backend.ok_or(TxCryptoError::Unsupported)?;
        let key = self.slot(entry).ok_or(TxCryptoError::NoKey)?;
        key.tx_pn = (key.tx_pn + 1) & 0xFFFF_FFFF_FFFF;
        let (pn, key_id, k) = (key.tx_pn, key.key_id, key.key);
        let (hdr, rest) = f.split_at_mut(hl);
        let (ivroom, body) = rest.split_at_mut(CCMP_HDR_LEN);
        let (data, mic) = body.split_at_mut(body.len() - CCMP_MIC_LEN);
        let mut nonce = [0u8; NONCE_LEN];
        let mut aad = [0u8; MAX_AAD_LEN];
        let n = nonce_aad(hdr, pn, &mut nonce, &mut aad).ok_or(TxCryptoError::Unsupported)?;
        put_ccmp_hdr(ivroom, pn, key_id).ok_or(TxCryptoError::Unsupported)?;
        let mut tag = [0u8; CCMP_MIC_LEN];
        let aad = aad.get(..n).ok_or(TxCryptoError::Unsupported)?;
        if !be.encrypt(entry, &k, &nonce, aad, data, &mut tag) {
            return Err(TxCryptoError::Unsupported);
        }
        mic.copy_from_slice(&tag);
        Ok(())
    }

    /// Decrypts a protected frame heard, in place: header, CCMP header and MIC stay where
    /// they are (the host strips them). The key is the sender's (A2) pairwise key for a
    /// frame to us, the group key of the header's key id for a group-addressed one. The PN
    /// must be above the last one accepted for the key and TID; it is recorded only once
    /// the MIC verified.
    pub(crate) fn decrypt(
        &mut self,
        backend: Option<&dyn CcmBackend>,
        f: &mut [u8],
    ) -> Result<(), RxCryptoError> {
        let hl = header_len(f).ok_or(RxCryptoError::Unsupported)?;
        if f.len() < hl + CCMP_HDR_LEN + CCMP_MIC_LEN {
            return Err(RxCryptoError::Unsupported);
        }
        let (pn, key_id) = f
            .get(hl..)
            .and_then(get_ccmp_hdr)
            .ok_or(RxCryptoError::Unsupported)?;
        let a1 = addr(f, 4).ok_or(RxCryptoError::Unsupported)?;
        let a2 = addr(f, 10).ok_or(RxCryptoError::Unsupported)?;
        let counter = tid(f).map_or(RX_COUNTERS - 1, usize::from);
        let entry = if a1[0] & 1 == 0 {
            self.find(|k| k.peer == Some(a2))
        } else {
            self.find(|k| k.peer.is_none() && k.key_id == key_id)
        }
        .ok_or(RxCryptoError::NoKey)?;
        let key = self.slot(entry).ok_or(RxCryptoError::NoKey)?;
        let last = key.rx_pn.get(counter).copied().unwrap_or(u64::MAX);
        if pn <= last {
            return Err(RxCryptoError::Replay);
        }
        let be = backend.ok_or(RxCryptoError::Unsupported)?;
        let k = key.key;
        let (hdr, rest) = f.split_at_mut(hl);
        let body = rest
            .get_mut(CCMP_HDR_LEN..)
            .ok_or(RxCryptoError::Unsupported)?;
        let (data, mic) = body.split_at_mut(body.len() - CCMP_MIC_LEN);
        let mic: [u8; CCMP_MIC_LEN] = (&*mic).try_into().map_err(|_| RxCryptoError::Mic)?;
        let mut nonce = [0u8; NONCE_LEN];
        let mut aad = [0u8; MAX_AAD_LEN];
        let n = nonce_aad(hdr, pn, &mut nonce, &mut aad).ok_or(RxCryptoError::Unsupported)?;
        let aad = aad.get(..n).ok_or(RxCryptoError::Unsupported)?;
        if !be.decrypt(entry, &k, &nonce, aad, data, &mic) {
            return Err(RxCryptoError::Mic);
        }
        if let Some(c) = key.rx_pn.get_mut(counter) {
            *c = pn;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
