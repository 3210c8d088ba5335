//! Host tests of the firmware's CCMP: the IEEE 802.11 test vector, both directions against
//! each other, replays, MIC failures, missing room, key choice.

use super::*;
use aes::Aes128;
use ccm::aead::generic_array::GenericArray;
use ccm::aead::{AeadInPlace, KeyInit};
use ccm::consts::{U13, U8};

type Ccmp = ccm::Ccm<Aes128, U8, U13>;

struct Rust;

impl CcmBackend for Rust {
    fn encrypt(
        &self,
        _slot: u8,
        key: &[u8; 16],
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        data: &mut [u8],
        mic: &mut [u8; CCMP_MIC_LEN],
    ) -> bool {
        let c = Ccmp::new(GenericArray::from_slice(key));
        match c.encrypt_in_place_detached(GenericArray::from_slice(nonce), aad, data) {
            Ok(t) => {
                mic.copy_from_slice(&t);
                true
            }
            Err(_) => false,
        }
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

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The CCMP test vector of IEEE 802.11 (annex J, "CCMP test vector"): a 3-address data
/// frame with Retry set, PN 0xB5039776E70C, key id 0. AAD, nonce, CCMP header,
/// ciphertext and MIC must be the standard's bytes.
#[test]
fn ieee_test_vector_encrypts_to_the_standards_bytes() {
    let key: [u8; 16] = hex("c9 7c 1f 67 ce 37 11 85 51 4a 8a 19 f2 bd d5 2f")
        .try_into()
        .unwrap();
    let hdr = hex("08 48 c3 2c 0f d2 e1 28 a5 7c 50 30 f1 84 44 08 ab ae a5 b8 fc ba 80 33");
    let plain = hex("f8 ba 1a 55 d0 2f 85 ae 96 7b b6 2f b6 cd a8 eb 7e 78 a0 50");
    let want_ct = hex("f3 d0 a2 fe 9a 3d bf 23 42 a6 43 e4 32 46 e8 0c 3c 04 d0 19");
    let want_mic = hex("78 45 ce 0b 16 f9 76 23");
    let pn: u64 = 0xB503_9776_E70C;
    let mut nonce = [0u8; NONCE_LEN];
    let mut aad = [0u8; MAX_AAD_LEN];
    let n = nonce_aad(&hdr, pn, &mut nonce, &mut aad).unwrap();
    assert_eq!(
        &aad[..n],
        &hex("08 40 0f d2 e1 28 a5 7c 50 30 f1 84 44 08 ab ae a5 b8 fc ba 00 00")[..]
    );
    assert_eq!(
        &nonce[..],
        &hex("00 50 30 f1 84 44 08 b5 03 97 76 e7 0c")[..]
    );
    let mut data = plain.clone();
    let mut mic = [0u8; 8];
    assert!(Rust.encrypt(0, &key, &nonce, &aad[..n], &mut data, &mut mic));
    assert_eq!(data, want_ct);
    assert_eq!(&mic[..], &want_mic[..]);
    let mut ccmp = [0u8; CCMP_HDR_LEN];
    put_ccmp_hdr(&mut ccmp, pn, 0).unwrap();
    assert_eq!(&ccmp[..], &hex("0c e7 00 20 76 97 03 b5")[..]);
    assert_eq!(get_ccmp_hdr(&ccmp), Some((pn, 0)));
    // And back.
    assert!(Rust.decrypt(0, &key, &nonce, &aad[..n], &mut data, &mic));
    assert_eq!(data, plain);
}

fn pairwise(peer: [u8; 6], key: [u8; 16]) -> bes2600_wire::wsm::key::Key {
    bes2600_wire::wsm::key::Key::AesPairwise { peer, key }
}

const AP: [u8; 6] = [2, 0, 0, 0, 1, 0];
const STA: [u8; 6] = [2, 0, 0, 0, 2, 0];

/// A QoS data frame STA → AP (To-DS) with IV room and MIC room around `payload`.
fn tx_frame(payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x88, 0x41, 0, 0];
    f.extend_from_slice(&AP);
    f.extend_from_slice(&STA);
    f.extend_from_slice(&AP);
    f.extend_from_slice(&[0x10, 0x00, 0x05, 0x00]);
    f.extend_from_slice(&[0; CCMP_HDR_LEN]);
    f.extend_from_slice(payload);
    f.extend_from_slice(&[0; CCMP_MIC_LEN]);
    f
}

#[test]
fn what_one_side_encrypts_the_other_decrypts_once() {
    let key = [7u8; 16];
    let mut sta = KeyStore::new();
    sta.add(0, &pairwise(AP, key));
    let payload = b"hello over the air, protected".to_vec();
    let mut f = tx_frame(&payload);
    sta.encrypt(Some(&Rust), &mut f).unwrap();
    assert_ne!(&f[34..34 + payload.len()], &payload[..]);
    assert_eq!(&f[26..34], &[1, 0, 0, 0x20, 0, 0, 0, 0]);
    // The AP's view: A2 is the station.
    let mut ap = KeyStore::new();
    ap.add(3, &pairwise(STA, key));
    let mut g = f.clone();
    ap.decrypt(Some(&Rust), &mut g).unwrap();
    assert_eq!(&g[34..34 + payload.len()], &payload[..]);
    // The same frame again is a replay; a flipped bit fails the MIC.
    let mut again = f.clone();
    assert_eq!(
        ap.decrypt(Some(&Rust), &mut again),
        Err(RxCryptoError::Replay)
    );
    let mut f2 = tx_frame(&payload);
    sta.encrypt(Some(&Rust), &mut f2).unwrap();
    f2[40] ^= 1;
    assert_eq!(ap.decrypt(Some(&Rust), &mut f2), Err(RxCryptoError::Mic));
    // The MIC failure did not advance the counter: the next good frame passes.
    let mut f3 = tx_frame(&payload);
    sta.encrypt(Some(&Rust), &mut f3).unwrap();
    assert_eq!(ap.decrypt(Some(&Rust), &mut f3), Ok(()));
}

#[test]
fn tx_without_room_or_key_is_refused() {
    let mut sta = KeyStore::new();
    let mut f = tx_frame(b"x");
    assert_eq!(sta.encrypt(Some(&Rust), &mut f), Err(TxCryptoError::NoKey));
    sta.add(0, &pairwise(AP, [1; 16]));
    // Header and IV room but one byte short of the MIC room.
    let mut short = f[..26 + CCMP_HDR_LEN + CCMP_MIC_LEN - 1].to_vec();
    assert_eq!(
        sta.encrypt(Some(&Rust), &mut short),
        Err(TxCryptoError::NoRoom)
    );
    assert_eq!(sta.encrypt(None, &mut f), Err(TxCryptoError::Unsupported));
}

#[test]
fn group_keys_are_chosen_by_key_id_and_start_at_rx_seq() {
    use bes2600_wire::wsm::key::Key;
    let mut ap = KeyStore::new();
    let mut sta = KeyStore::new();
    // The AP "sends" with a group key of id 2, as a station store with only that key.
    let gk = [9u8; 16];
    ap.add(
        0,
        &Key::AesGroup {
            key: gk,
            key_id: 2,
            rx_seq: [0; 8],
        },
    );
    let mut f = vec![0x08, 0x02, 0, 0];
    f.extend_from_slice(&[0xff; 6]);
    f.extend_from_slice(&AP);
    f.extend_from_slice(&AP);
    f.extend_from_slice(&[0x20, 0x00]);
    f.extend_from_slice(&[0; CCMP_HDR_LEN]);
    f.extend_from_slice(b"broadcast payload");
    f.extend_from_slice(&[0; CCMP_MIC_LEN]);
    ap.encrypt(Some(&Rust), &mut f).unwrap();
    assert_eq!(f[24 + 3] >> 6, 2);
    // Station with the old key (id 1) only: no key.
    sta.add(
        1,
        &Key::AesGroup {
            key: [8; 16],
            key_id: 1,
            rx_seq: [0; 8],
        },
    );
    assert_eq!(
        sta.decrypt(Some(&Rust), &mut f.clone()),
        Err(RxCryptoError::NoKey)
    );
    // The new key with an RX sequence at the frame's PN: a replay.
    sta.add(
        2,
        &Key::AesGroup {
            key: gk,
            key_id: 2,
            rx_seq: [1, 0, 0, 0, 0, 0, 0, 0],
        },
    );
    assert_eq!(
        sta.decrypt(Some(&Rust), &mut f.clone()),
        Err(RxCryptoError::Replay)
    );
    sta.add(
        2,
        &Key::AesGroup {
            key: gk,
            key_id: 2,
            rx_seq: [0; 8],
        },
    );
    let mut g = f.clone();
    assert_eq!(sta.decrypt(Some(&Rust), &mut g), Ok(()));
    assert_eq!(&g[32..49], b"broadcast payload");
    sta.remove(2);
    assert_eq!(
        sta.decrypt(Some(&Rust), &mut f.clone()),
        Err(RxCryptoError::NoKey)
    );
}

#[test]
fn header_lengths() {
    assert_eq!(header_len(&[0x08, 0x01].repeat(12)), Some(24));
    assert_eq!(header_len(&[0x88, 0x01].repeat(13)), Some(26));
    assert_eq!(header_len(&[0x88, 0x03].repeat(16)), Some(32));
    assert_eq!(header_len(&[0x88, 0x81].repeat(15)), Some(30));
    assert_eq!(header_len(&[0xd4, 0x00].repeat(10)), None);
    assert_eq!(header_len(&[0x08, 0x01]), None);
}
