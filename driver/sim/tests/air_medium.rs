//! Air mode (issue 16): the chip's built-in AP is off and its radio talks to a medium
//! outside it through air records (`bes2600_sim::air`). A fake AP (`air/fake_ap.rs`) plays the
//! medium and the access point: it answers probe requests, authentication and association
//! over air, sends beacons and a downlink UDP stream, and sinks the uplink. The engine and
//! the harness's station run unchanged on top, so scan, join and data both ways go through
//! the real engine and the chip's air path.

#[path = "air/fake_ap.rs"]
mod fake_ap;

use bes2600_sim::air;
use bes2600_sim::harness::{HostEvent, StaState, STA_MAC};
use bes2600_sim::net;
use fake_ap::*;

#[test]
fn scan_join_associate_and_data_both_ways_over_air() {
    let mut h = air_harness();
    let mut ap = FakeAp::default();
    assert!(
        run(&mut h, &mut ap, 5 * SEC, 0, |h, _| h.host.state
            == StaState::Associated),
        "not associated: {:?} {:?} {:?}",
        h.host.state,
        h.host.events,
        h.sim.counters()
    );
    // The scan probed every listed channel (1, 6, 11) for the station's SSID.
    for freq in [2412, 2437, 2462] {
        assert!(
            ap.probes
                .iter()
                .any(|(f, ssid)| *f == freq && ssid == net::SSID),
            "no probe on {freq}: {:?}",
            ap.probes
        );
    }
    assert!(h.host.count(|e| *e == HostEvent::FoundAp) >= 1);
    assert_eq!((ap.auths, ap.assocs), (1, 1));
    assert_eq!(h.sim.counters().scans, 1);
    // The built-in AP is off: it generated no stream, no beacons and granted nothing.
    let k = h.sim.counters();
    assert_eq!((k.generated, k.beacons, k.assocs), (0, 0, 0));

    // ARP to 192.0.2.1 over air, answered by the fake AP.
    assert!(run(&mut h, &mut ap, SEC, 0, |h, _| h
        .host
        .count(|e| *e == HostEvent::ArpReply)
        == 1));
    assert_eq!(ap.arp_requests, 1);

    // Downlink: 2 datagrams per ms for 2 s, all in order.
    let want = 4000;
    assert!(
        run(&mut h, &mut ap, 3 * SEC, 2, |h, ap| ap.stream_seq >= want
            && h.host.stream.unique >= want),
        "{:?} {:?}",
        h.host.stream,
        h.sim.counters()
    );
    let s = &h.host.stream;
    assert_eq!((s.lost(), s.duplicates, s.reordered), (0, 0, 0), "{s:?}");
    assert!(
        h.host.beacons >= 10,
        "beacons while associated: {}",
        h.host.beacons
    );

    // Uplink: 500 datagrams reach the AP.
    for _ in 0..500 {
        h.host.queue_uplink(1000);
    }
    assert!(
        run(&mut h, &mut ap, 2 * SEC, 0, |_, ap| ap.uplink_udp >= 500),
        "uplink {} {:?}",
        ap.uplink_udp,
        h.sim.counters()
    );
    assert_eq!(ap.uplink_udp, 500);
    assert_eq!((ap.off_channel, ap.bad_ack_flag), (0, 0));
    let k = h.sim.counters();
    // Every acknowledgement was taken as one, none as a received frame.
    assert_eq!(k.air_acked, ap.acks, "{k:?}");
    assert_eq!(
        (k.air_tx_dropped, k.air_rx_overflow, k.air_malformed),
        (0, 0, 0),
        "{k:?}"
    );
    assert!(k.air_rx >= 4000 && k.air_tx >= 500, "{k:?}");
    assert_eq!(h.host.tx_status_failed, 0);
    assert_eq!(h.engine_rx_drops(), 0);
}

#[test]
fn frames_for_other_stations_bsses_and_channels_are_filtered() {
    let mut h = air_harness();
    let mut ap = FakeAp::default();
    assert!(run(&mut h, &mut ap, 5 * SEC, 0, |h, _| h.host.state
        == StaState::Associated));
    run(&mut h, &mut ap, 50 * MS, 0, |_, _| false);
    let before = (h.sim.counters(), h.host.rx_frames);
    let mut out = Vec::new();
    let mut d = [0u8; 1600];
    // A datagram to another station of the same BSS.
    let n = net::stream_frame(&mut d, &[2, 0, 0, 0, 0, 0x77], 100, 0, 0, 1).unwrap();
    push(&mut out, &d[..n], 0);
    // A beacon of another BSS on our channel.
    let n = net::beacon(&mut d, false, &[0xff; 6], 0, 2).unwrap();
    d[10..16].copy_from_slice(&[2, 9, 9, 9, 9, 9]);
    d[16..22].copy_from_slice(&[2, 9, 9, 9, 9, 9]);
    push(&mut out, &d[..n], 0);
    // An ACK (control frame) to us.
    let mut ack = [0u8; 10];
    ack[0] = 0xD4;
    ack[4..10].copy_from_slice(&STA_MAC);
    push(&mut out, &ack, 0);
    assert_eq!(h.sim.air_give(&out), Ok(out.len()));
    // Our own BSS's beacon on channel 11: another channel, not heard.
    let n = net::beacon(&mut d, false, &[0xff; 6], 0, 3).unwrap();
    let mut other = vec![0u8; air::HEADER_LEN + n];
    air::emit_record(&mut other, 2462, -40, 0, &d[..n]).unwrap();
    assert_eq!(h.sim.air_give(&other), Ok(other.len()));
    h.step();
    h.step();
    let k = h.sim.counters();
    assert_eq!(k.air_rx_filtered - before.0.air_rx_filtered, 4, "{k:?}");
    assert_eq!(k.air_rx, before.0.air_rx);
    assert_eq!(h.host.rx_frames, before.1);
}

#[test]
fn a_malformed_write_is_refused_after_the_good_records_before_it() {
    let mut h = air_harness();
    let mut ap = FakeAp::default();
    assert!(run(&mut h, &mut ap, 5 * SEC, 0, |h, _| h.host.state
        == StaState::Associated));
    let mut out = Vec::new();
    let mut d = [0u8; 1600];
    let n = net::stream_frame(&mut d, &STA_MAC, 100, 0, 0, 1).unwrap();
    push(&mut out, &d[..n], 0);
    let good = out.len();
    out.extend_from_slice(&[0xff, 0xff, 0x85, 0x09, 0, 0, 0, 0, 1, 2, 3]);
    let before = h.sim.counters();
    assert_eq!(
        h.sim.air_give(&out),
        Err(bes2600_wire::Error::BadLength),
        "a 65535-byte frame is refused"
    );
    let k = h.sim.counters();
    assert_eq!(k.air_malformed, before.air_malformed + 1);
    assert_eq!(
        k.air_rx,
        before.air_rx + 1,
        "the record before it was heard"
    );
    assert!(good > 0);
    // A record cut by the end of the buffer after a whole one is a partial write: the whole
    // one is consumed, the cut one left for the next write.
    let mut two = Vec::new();
    push(&mut two, &d[..n], 0);
    push(&mut two, &d[..n], 0);
    let one = two.len() / 2;
    assert_eq!(h.sim.air_give(&two[..one + 20]), Ok(one));
    assert_eq!(h.sim.air_give(&two[one..]), Ok(one));
    assert_eq!(
        h.sim.air_give(&two[..20]),
        Err(bes2600_wire::Error::Truncated),
        "a write must hold one whole record"
    );
    assert_eq!(h.sim.counters().air_rx, before.air_rx + 3);
}

#[test]
fn an_undrained_medium_fails_tx_with_retry_limit_and_reset_forgets_the_radio() {
    let mut h = air_harness();
    let mut ap = FakeAp::default();
    assert!(run(&mut h, &mut ap, 5 * SEC, 0, |h, _| h.host.state
        == StaState::Associated));
    // Nobody reads the endpoint: frames wait in the firmware's buffers, unconfirmed, so the
    // host runs out of credits (32) instead of losing frames...
    for _ in 0..40 {
        h.host.queue_uplink(1400);
    }
    h.run_for(200 * MS);
    let k = h.sim.counters();
    assert_eq!((k.air_tx_dropped, h.host.tx_status_failed), (0, 0), "{k:?}");
    assert_eq!(h.sim.outstanding(), 32);
    assert!(h.host.tx_queue.len() >= 8, "the host holds the rest");
    // ...until their lifetime ends: then each fails with the retry-limit status.
    h.run_for(2 * SEC);
    let k = h.sim.counters();
    assert!(k.air_tx_dropped >= 40, "{k:?}");
    assert_eq!(h.host.tx_status_failed, k.air_tx_dropped);
    assert!(h.host.tx_queue.is_empty());
    h.host.queue_uplink(1400);
    h.run_for(10 * MS);
    assert!(h.sim.air_pending());
    let next = h.sim.air_next_len().unwrap();
    let mut small = vec![0u8; next - 1];
    assert_eq!(h.sim.air_take(&mut small), 0, "never a partial record");
    // A power cycle drops what was on the way and untunes the radio.
    use bes2600_engine::Bus;
    h.sim.reset().unwrap();
    assert!(!h.sim.air_pending());
}

#[test]
fn a_held_write_stops_at_full_rx_buffers_and_loses_nothing() {
    let mut h = air_harness();
    let mut ap = FakeAp::default();
    assert!(run(&mut h, &mut ap, 5 * SEC, 0, |h, _| h.host.state
        == StaState::Associated));
    run(&mut h, &mut ap, 50 * MS, 0, |_, _| false);
    let before = h.host.stream.unique;
    // 200 datagrams at once: far more than the RX buffers hold.
    let mut out = Vec::new();
    let mut d = [0u8; 1600];
    for seq in 0..200 {
        let n = net::stream_frame(&mut d, &STA_MAC, 1400, 1_000_000 + seq, 0, seq as u16).unwrap();
        push(&mut out, &d[..n], air::FLAG_ACK_REQUESTED);
    }
    let mut off = 0;
    let mut stalls = 0;
    while off < out.len() {
        let n = h.sim.air_give_held(&out[off..]).unwrap();
        if n == 0 {
            stalls += 1;
            h.step();
        }
        off += n;
    }
    h.run_for(100 * MS);
    assert!(stalls > 0, "the buffers must have filled");
    let k = h.sim.counters();
    assert_eq!(k.air_rx_overflow, 0, "{k:?}");
    assert!(h.host.stream.unique >= before + 200, "{:?}", h.host.stream);
    // Without holding, the same burst overflows (and counts it).
    let n = h.sim.air_give(&out).unwrap();
    assert_eq!(n, out.len());
    assert!(h.sim.counters().air_rx_overflow > 0);
}
