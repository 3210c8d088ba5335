//! Unit tests of the iperf3 driver against JSON recorded from Debian's iperf3 3.12 (client and
//! `iperf3 -s` on loopback, 3 s at 3 MB/s: `fixtures/`).

use super::*;
use crate::host::Host;

const TCP_RX: &str = include_str!("fixtures/tcp-rx.json");
const TCP_TX: &str = include_str!("fixtures/tcp-tx.json");
const UDP_RX: &str = include_str!("fixtures/udp-rx.json");
const UDP_TX: &str = include_str!("fixtures/udp-tx.json");
const TCP_TX_JSON_SERVER: &str = include_str!("fixtures/tcp-tx-json-server.json");
const REFUSED: &str = include_str!("fixtures/refused.json");
const BUSY: &str = include_str!("fixtures/busy.json");
const INTERRUPTED: &str = include_str!("fixtures/interrupted.json");

fn kind(s: &str) -> TestKind {
    s.parse().unwrap()
}

fn params(windows: usize) -> Params {
    Params {
        host: Host::new("/nonexistent"),
        interface_addrs: None,
        windows,
        tcp_rate_bytes_per_s: 0,
        udp_rate_bytes_per_s: 3_000_000,
        datagram_bytes: 1400,
        connect_timeout: Duration::from_secs(5),
    }
}

fn outcome(json: &str, k: &str, windows: usize, timed_out: bool) -> TestOutcome {
    let mut out = TestOutcome {
        name: k.into(),
        ..Default::default()
    };
    let run = ClientRun {
        json: serde_json::from_str(json).ok(),
        other: String::new(),
        timed_out,
    };
    apply(&mut out, kind(k), windows, run);
    out
}

#[test]
fn arguments_per_direction_and_protocol() {
    let server: SocketAddr = "192.0.2.1:5201".parse().unwrap();
    let local: IpAddr = "192.0.2.2".parse().unwrap();
    let p = params(10);
    let a = args(server, local, kind("tcp-rx"), &p).join(" ");
    assert_eq!(
        a,
        "-c 192.0.2.1 -p 5201 -B 192.0.2.2 -J -i 1 -t 10 --connect-timeout 5000 -R"
    );
    let a = args(server, local, kind("udp-tx"), &p).join(" ");
    assert!(
        a.ends_with("--get-server-output -u -l 1400 -b 24000000"),
        "{a}"
    );
    let paced = Params {
        tcp_rate_bytes_per_s: 1_000_000,
        ..params(3)
    };
    let a = args(server, local, kind("tcp-tx"), &paced).join(" ");
    assert!(a.ends_with("--get-server-output -b 8000000"), "{a}");
}

#[test]
fn receive_windows_are_the_clients_intervals() {
    let t = outcome(TCP_RX, "tcp-rx", 3, false);
    assert_eq!(t.windows.len(), 3);
    assert!(
        t.windows
            .iter()
            .all(|&w| (3_010_000..3_020_000).contains(&w)),
        "{:?}",
        t.windows
    );
    assert!(!t.peer_unreachable && !t.connection_lost, "{:?}", t.errors);
    assert_eq!(t.stats.unwrap().zero_windows, 0);
    assert!(t.udp.is_none());
}

#[test]
fn transmit_windows_are_the_servers_report() {
    let t = outcome(TCP_TX, "tcp-tx", 3, false);
    // 2.88 MBytes per second in the server's text.
    assert_eq!(t.windows, vec![3_019_899; 3]);
    assert_eq!(t.sent_bytes, Some(9_043_968));
    // A server run with `iperf3 -s -J` returns its intervals as JSON.
    let j = outcome(TCP_TX_JSON_SERVER, "tcp-tx", 2, false);
    assert_eq!(j.windows, vec![3_014_333, 3_014_638]);
    assert!(!j.connection_lost, "{:?}", j.errors);
    let u = outcome(UDP_TX, "udp-tx", 3, false);
    assert_eq!(u.windows, vec![2_998_927; 3]);
    let s = u.udp.unwrap();
    assert_eq!((s.unique, s.lost, s.reordered), (6427, 0, 0));
}

#[test]
fn udp_receive_carries_loss_figures() {
    let t = outcome(UDP_RX, "udp-rx", 3, false);
    let s = t.udp.unwrap();
    assert_eq!((s.received, s.lost), (6427, 0));
    assert_eq!(s.loss_percent(), 0.0);
    assert!((t.stats.unwrap().median_bytes_per_s as f64 / 3e6 - 1.0).abs() < 0.001);
}

#[test]
fn refused_and_busy_servers_are_unreachable_peers() {
    for (json, what) in [(REFUSED, "Connection refused"), (BUSY, "busy")] {
        let t = outcome(json, "tcp-rx", 3, false);
        assert!(t.peer_unreachable, "{json}");
        assert!(t.stats.is_none());
        assert!(t.errors[0].contains(what), "{:?}", t.errors);
    }
}

#[test]
fn a_stopped_client_keeps_what_it_measured_and_loses_the_connection() {
    let t = outcome(INTERRUPTED, "tcp-rx", 5, true);
    assert!(t.connection_lost);
    assert!(!t.peer_unreachable);
    assert_eq!(t.windows[3..], [0, 0]);
    assert!(t.windows[0] > 3_000_000);
    let st = t.stats.unwrap();
    assert_eq!((st.zero_windows, st.first_zero_window), (2, Some(3)));
    assert!(
        t.errors.iter().any(|e| e.contains("interrupt")),
        "{:?}",
        t.errors
    );
}

#[test]
fn transmit_without_the_servers_report_counts_as_zero() {
    let t = outcome(INTERRUPTED, "tcp-tx", 5, true);
    assert_eq!(t.windows, vec![0; 5]);
    assert!(t.connection_lost);
}

#[test]
fn no_json_is_reported_with_what_iperf3_said() {
    let mut out = TestOutcome::default();
    let run = ClientRun {
        json: None,
        other: "iperf3: parameter error".into(),
        timed_out: false,
    };
    apply(&mut out, kind("tcp-rx"), 3, run);
    assert!(out.stats.is_none() && !out.peer_unreachable);
    assert!(out.errors[0].contains("parameter error"));
}

#[test]
fn server_text_parser_skips_headers_sums_and_summary() {
    let text = "[ ID] Interval           Transfer     Bitrate\n\
                [  5]   0.00-1.00   sec   512 KBytes  4.19 Mbits/sec\n\
                [SUM]   0.00-1.00   sec  1.00 MBytes  8.39 Mbits/sec\n\
                [  5]   1.00-1.50   sec  100 Bytes  1.6 Kbits/sec\n\
                [  5]   1.50-1.52   sec  100 Bytes  40 Kbits/sec\n\
                [  5]   garbage\n\
                - - - - - - - - - - - - - - - - - - - - - - - - -\n\
                [  5]   0.00-2.00   sec  9.00 MBytes  24.1 Mbits/sec  receiver\n";
    assert_eq!(server_windows(text), vec![524_288, 200]);
    assert!(server_windows("").is_empty());
}

#[test]
fn the_route_is_checked_before_any_traffic() {
    let p = Params {
        interface_addrs: Some(("wlan0".into(), vec!["192.0.2.2".parse().unwrap()])),
        ..params(1)
    };
    let l = crate::listener::NoOpListener;
    let t = measure(
        Path::new("/nonexistent/iperf3"),
        "127.0.0.1:5201".parse().unwrap(),
        kind("tcp-rx"),
        &p,
        &l,
    );
    assert!(t.wrong_interface, "{t:?}");
    assert!(t.errors[0].contains("not an address of wlan0"));
    let t = measure(
        Path::new("/nonexistent/iperf3"),
        "127.0.0.1:5201".parse().unwrap(),
        kind("tcp-rx"),
        &params(1),
        &l,
    );
    assert!(
        t.errors[0].contains("cannot run /nonexistent/iperf3"),
        "{:?}",
        t.errors
    );
}
