//! Air mode with WPA2 keys (issue 16 §2): the fake AP runs CCMP over air against the chip,
//! whose firmware encrypts the station's protected frames in the room the host leaves
//! (C:txrx.c:694-710) and decrypts and replay-checks what it hears, with the keys the engine
//! installs through WSM ADD_KEY. The chip's AES-CCM is RustCrypto's here (the virtual card
//! uses the kernel's ccm(aes)).

#[path = "air/fake_ap.rs"]
mod fake_ap;

use bes2600_engine::keys::{cipher, KeyConf, KeyTable};
use bes2600_sim::air;
use bes2600_sim::crypto::{CCMP_HDR_LEN, CCMP_MIC_LEN};
use bes2600_sim::harness::{StaState, STA_MAC};
use bes2600_sim::net::{self, fc};
use bes2600_wire::wsm::key::ADD_KEY_REQ;
use bes2600_wire::wsm::Message;
use fake_ap::*;

/// A protected uplink UDP datagram as mac80211 hands it to the driver for a hardware key:
/// IV room after the header (PUT_IV_SPACE) and, with `mic_room`, the MIC room the driver
/// appends (C:txrx.c:694-710).
fn protected_uplink(seq: u16, mic_room: bool) -> Vec<u8> {
    let mut f = vec![fc::DATA, 0x41, 0, 0];
    f.extend_from_slice(&net::BSSID);
    f.extend_from_slice(&STA_MAC);
    f.extend_from_slice(&net::BSSID);
    f.extend_from_slice(&(seq << 4).to_le_bytes());
    f.extend_from_slice(&[0; CCMP_HDR_LEN]);
    f.extend_from_slice(&[0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00]);
    let udp_len = 8 + 200;
    let mut ip = vec![0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0];
    ip[2..4].copy_from_slice(&((20 + udp_len) as u16).to_be_bytes());
    ip.extend_from_slice(&net::STA_IP);
    ip.extend_from_slice(&net::AP_IP);
    let c = net::ipv4_checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    ip.extend_from_slice(&net::STREAM_PORT.to_be_bytes());
    ip.extend_from_slice(&net::STREAM_PORT.to_be_bytes());
    ip.extend_from_slice(&(udp_len as u16).to_be_bytes());
    ip.extend_from_slice(&[0, 0]);
    ip.resize(20 + udp_len, 0x55);
    f.extend_from_slice(&ip);
    if mic_room {
        f.extend_from_slice(&[0; CCMP_MIC_LEN]);
    }
    f
}

#[test]
fn ccmp_offload_encrypts_uplink_decrypts_downlink_and_refuses_replays_and_missing_room() {
    let mut h = air_harness();
    h.sim.set_crypto_backend(&RUST_CCM);
    let mut ap = FakeAp::default();
    assert!(run(&mut h, &mut ap, 5 * SEC, 0, |h, _| h.host.state
        == StaState::Associated));
    // Before any key is installed, a frame the host protected itself (software crypto,
    // nohwcrypt) goes out as it is: the AP decrypts it, the firmware encrypted nothing.
    let ptk = [0x5Au8; 16];
    ap.ptk = Some(ptk);
    let sw = protected_uplink(7, true);
    let hl = 24 + CCMP_HDR_LEN;
    let mut plain = sw[..24].to_vec();
    plain[1] &= !0x40;
    plain.extend_from_slice(&sw[hl..sw.len() - CCMP_MIC_LEN]);
    h.host.queue_tx(&protect(&plain, &ptk, 1));
    assert!(run(&mut h, &mut ap, SEC, 0, |_, ap| ap.ccmp_ok == 1));
    let c = h.sim.crypto_counters();
    assert_eq!((c.no_key, c.ccmp_encrypted), (1, 0), "{c:?}");
    ap.ccmp_ok = 0;
    ap.pn = 1;
    ap.ptk = None;

    // The pairwise key, mapped by the engine and installed with WSM ADD_KEY.
    let add = KeyTable::new()
        .install(&KeyConf {
            cipher: cipher::CCMP,
            key_idx: 0,
            pairwise: true,
            peer: Some(net::BSSID),
            key: &ptk,
            rx_pn: 0,
        })
        .unwrap();
    let mut b = vec![0u8; add.buffer_len()];
    add.emit(&mut b);
    h.host.cmd(ADD_KEY_REQ, b);
    h.run_for(100 * MS);
    assert_eq!(h.sim.counters().keys_installed, 1);
    ap.ptk = Some(ptk);

    // Downlink: every datagram CCMP-protected on air, decrypted by the firmware, in order.
    let want = 1000;
    assert!(
        run(&mut h, &mut ap, 3 * SEC, 2, |h, ap| ap.stream_seq >= want
            && h.host.stream.unique >= want),
        "{:?} {:?}",
        h.host.stream,
        h.sim.crypto_counters()
    );
    let s = &h.host.stream;
    assert_eq!((s.lost(), s.duplicates, s.reordered), (0, 0, 0), "{s:?}");
    let c = h.sim.crypto_counters();
    assert_eq!(c.ccmp_decrypted, ap.stream_seq, "{c:?}");
    assert_eq!((c.ccmp_replays, c.ccmp_mic_failures, c.no_key), (0, 0, 1));

    // Uplink: protected frames with the room are encrypted by the firmware; the AP's
    // decryption with the same key recovers them.
    for seq in 0..100 {
        h.host.queue_tx(&protected_uplink(seq, true));
    }
    let udp0 = ap.uplink_udp;
    assert!(
        run(&mut h, &mut ap, 2 * SEC, 0, |_, ap| ap.uplink_udp
            >= udp0 + 100),
        "uplink {} {:?}",
        ap.uplink_udp,
        h.sim.crypto_counters()
    );
    assert_eq!((ap.ccmp_ok, ap.ccmp_bad), (100, 0));
    assert_eq!(h.sim.crypto_counters().ccmp_encrypted, 100);
    assert_eq!(h.host.tx_status_failed, 0);

    // Without the MIC room the firmware refuses the frame: failed confirm, named counter,
    // nothing on air.
    h.host.queue_tx(&protected_uplink(100, false));
    run(&mut h, &mut ap, 200 * MS, 0, |_, _| false);
    let c = h.sim.crypto_counters();
    assert_eq!((c.tx_no_room, c.ccmp_encrypted), (1, 100), "{c:?}");
    assert_eq!(h.host.tx_status_failed, 1);
    assert_eq!(ap.ccmp_ok + ap.ccmp_bad, 100);

    // A replayed frame and a tampered one are dropped by the firmware, not delivered.
    ap.associated = false;
    let unique0 = h.host.stream.unique;
    let mut rec = Vec::new();
    push(&mut rec, &ap.last_protected, air::FLAG_ACK_REQUESTED);
    assert_eq!(h.sim.air_give(&rec), Ok(rec.len()));
    ap.pn += 1;
    let seq = ap.next_seq();
    let mut d = [0u8; 1600];
    let n = net::stream_frame(&mut d, &STA_MAC, 1000, ap.stream_seq, h.now_ns, seq).unwrap();
    let mut bad = protect(&d[..n], &ptk, ap.pn);
    let at = bad.len() - 20;
    bad[at] ^= 0x01;
    let mut rec = Vec::new();
    push(&mut rec, &bad, air::FLAG_ACK_REQUESTED);
    assert_eq!(h.sim.air_give(&rec), Ok(rec.len()));
    h.run_for(100 * MS);
    let c = h.sim.crypto_counters();
    assert_eq!((c.ccmp_replays, c.ccmp_mic_failures), (1, 1), "{c:?}");
    assert_eq!(h.host.stream.unique, unique0);
    assert_eq!(h.host.stream.duplicates, 0);

    // A chip-internal flag written from outside is refused.
    let mut rec = Vec::new();
    push(&mut rec, &ap.last_protected, air::FLAG_DECRYPTED);
    assert!(h.sim.air_give(&rec).is_err());
}
