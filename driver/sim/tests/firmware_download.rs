//! Bring-up through the boot ROM with the real `bes2600-fw` loader: boot image, DPD
//! calibration and read-back, stage-2 image, then Wi-Fi; after a recovery the chip is
//! power-cycled and reloaded with the cached DPD (spec §2.5), and the stream resumes.

mod common;
use common::*;

use bes2600_fw::download::DpdSource;
use bes2600_sim::harness::{Harness, HarnessConfig};
use bes2600_sim::{Fault, Phase, SimConfig, TrafficConfig};

#[test]
fn boots_through_the_rom_then_reloads_with_cached_dpd_after_a_hang() {
    let mut h = Harness::new(HarnessConfig {
        sim: SimConfig {
            traffic: TrafficConfig::SEED_4MBPS,
            ..SimConfig::default()
        },
        download: true,
        ..HarnessConfig::default()
    });
    assert_eq!(h.downloads.len(), 1, "{:?}", h.downloads);
    let first = h.downloads[0].expect("first bring-up");
    assert_eq!(first.dpd, DpdSource::Fresh);
    assert!(first.frames_sent > 10);
    assert_eq!(h.sim.phase(), Phase::Firmware);
    // The boot image's calibration takes virtual time (the ROM model's 2 s).
    assert!(h.now_ns >= 2 * SEC);
    assert!(h
        .dpd_cache
        .as_ref()
        .is_some_and(|d| d.len() == bes2600_fw::download::DPD_LEN));
    assert!(h.associate(5 * SEC), "{:?}", h.host.events);
    assert!(receive_more(&mut h, 5_000, 10 * SEC));

    h.sim.inject(Fault::Hang);
    h.host.queue_uplink(100);
    assert!(h.run_until_cond(10 * SEC, |h| h.resets_done == 1));
    assert_eq!(h.downloads.len(), 2, "{:?}", h.downloads);
    let second = h.downloads[1].expect("second bring-up");
    assert_eq!(second.dpd, DpdSource::Cached);
    assert!(second.frames_sent < first.frames_sent);
    assert!(h.associate(5 * SEC));
    assert!(receive_more(&mut h, 5_000, 10 * SEC));
    assert_accounted(&h);
}
