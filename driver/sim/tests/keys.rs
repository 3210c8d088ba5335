//! Hardware keys: the engine's key mapping installs a pairwise and a group key in the
//! simulated firmware's key table, the firmware refuses what a real one would, and removing
//! frees the entries (issue 4, set_key).

use bes2600_engine::keys::{cipher, KeyConf, KeyTable};
use bes2600_sim::harness::{Harness, HarnessConfig, HostEvent};
use bes2600_sim::{SimConfig, TrafficConfig};
use bes2600_wire::wsm::key::{ADD_KEY_REQ, REMOVE_KEY_REQ};
use bes2600_wire::wsm::Message;

const SEC: u64 = 1_000_000_000;
const AP: [u8; 6] = bes2600_sim::net::BSSID;

fn body<'a, M: Message<'a>>(m: &M) -> Vec<u8> {
    let mut b = vec![0u8; m.buffer_len()];
    m.emit(&mut b);
    b
}

fn failed(h: &Harness) -> usize {
    h.host.count(|e| matches!(e, HostEvent::CmdFailed(_)))
}

#[test]
fn keys_install_refuse_and_remove_through_the_engine() {
    let mut h = Harness::new(HarnessConfig {
        sim: SimConfig {
            traffic: TrafficConfig {
                enabled: false,
                ..TrafficConfig::SEED_4MBPS
            },
            ..SimConfig::default()
        },
        ..HarnessConfig::default()
    });
    assert!(h.associate(5 * SEC), "{:?}", h.host.events);
    let failed0 = failed(&h);

    let mut table = KeyTable::new();
    let ptk = [0x11u8; 16];
    let gtk = [0x22u8; 32];
    let pairwise = table
        .install(&KeyConf {
            cipher: cipher::CCMP,
            key_idx: 0,
            pairwise: true,
            peer: Some(AP),
            key: &ptk,
            rx_pn: 0,
        })
        .unwrap();
    let group = table
        .install(&KeyConf {
            cipher: cipher::TKIP,
            key_idx: 1,
            pairwise: false,
            peer: None,
            key: &gtk,
            rx_pn: 7,
        })
        .unwrap();
    assert_eq!((pairwise.entry_index, group.entry_index), (0, 1));
    h.host.cmd(ADD_KEY_REQ, body(&pairwise));
    h.host.cmd(ADD_KEY_REQ, body(&group));
    h.run_for(SEC / 10);
    let k = h.sim.counters();
    assert_eq!(
        (k.keys_installed, k.keys_in_table, k.keys_refused),
        (2, 2, 0)
    );
    assert_eq!(failed(&h), failed0, "{:?}", h.host.events);

    // An entry past the firmware's table and a key type the firmware does not know.
    let mut past = body(&pairwise);
    past[1] = 11;
    h.host.cmd(ADD_KEY_REQ, past);
    let mut unknown = body(&pairwise);
    unknown[0] = 9;
    h.host.cmd(ADD_KEY_REQ, unknown);
    h.run_for(SEC / 10);
    assert_eq!(failed(&h), failed0 + 2, "{:?}", h.host.events);
    assert_eq!(h.sim.counters().keys_installed, 2);

    // Remove both; a second remove of the same entry is refused.
    for e in [pairwise.entry_index, group.entry_index] {
        h.host.cmd(REMOVE_KEY_REQ, vec![e, 0, 0, 0]);
        table.free(e).unwrap();
    }
    h.host.cmd(REMOVE_KEY_REQ, vec![0, 0, 0, 0]);
    h.run_for(SEC / 10);
    let k = h.sim.counters();
    assert_eq!((k.keys_removed, k.keys_in_table, k.keys_refused), (2, 0, 2));
    assert_eq!(failed(&h), failed0 + 3);
    assert_eq!(table.in_use(), 0);
    // The link survived all of it.
    let e = h.engine_counters();
    assert_eq!(e.recoveries_total, 0);
}
