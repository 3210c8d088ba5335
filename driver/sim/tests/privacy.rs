//! The privacy (static WEP) AP: the downlink reaches the host only once a key is in the
//! firmware's key table, as frames decrypted in place (encryption type 1, spec §3.7); the
//! engine reports them as `RxCrypto::DecryptedInPlace` and drops NO_KEY_FOUND frames.

use bes2600_engine::keys::{cipher, KeyConf, KeyTable};
use bes2600_sim::harness::{Harness, HarnessConfig};
use bes2600_sim::{SimConfig, TrafficConfig};
use bes2600_wire::wsm::key::ADD_KEY_REQ;
use bes2600_wire::wsm::Message;

const SEC: u64 = 1_000_000_000;

#[test]
fn downlink_flows_only_after_the_key_is_installed() {
    let mut h = Harness::new(HarnessConfig {
        sim: SimConfig {
            privacy: true,
            traffic: TrafficConfig::SEED_4MBPS,
            ..SimConfig::default()
        },
        ..HarnessConfig::default()
    });
    assert!(h.associate(5 * SEC), "{:?}", h.host.events);
    h.run_for(SEC / 2);
    let before = h.sim.counters();
    assert!(before.generated > 100, "{before:?}");
    assert!(before.rx_no_key > 100, "{before:?}");
    assert_eq!(before.rx_decrypted, 0);
    assert_eq!(h.host.stream.received, 0, "no key, no plaintext");
    // The engine dropped them (status 9), it did not deliver them.
    assert!(h.engine_counters().drops_total >= before.rx_no_key - 32);

    let key = *b"\x01\x02\x03\x04\x05";
    let add = KeyTable::new()
        .install(&KeyConf {
            cipher: cipher::WEP40,
            key_idx: 0,
            pairwise: false,
            peer: None,
            key: &key,
            rx_pn: 0,
        })
        .unwrap();
    let mut body = vec![0u8; add.buffer_len()];
    add.emit(&mut body);
    h.host.cmd(ADD_KEY_REQ, body);
    h.run_for(SEC);
    let after = h.sim.counters();
    assert_eq!(after.keys_installed, 1);
    assert!(after.rx_decrypted > 400, "{after:?}");
    let s = &h.host.stream;
    assert!(s.received > 400, "{s:?}");
    assert_eq!((s.duplicates, s.reordered), (0, 0));
}
