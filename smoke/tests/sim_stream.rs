//! `run --peer sim`: receiving the simulated chip's downlink stream (contracts.md: UDP to port
//! 47600, `B26S` + BE sequence + BE generator ns, filler `seq & 0xff`). A generator here sends
//! a stream with known loss, duplication and reordering; the report must count exactly those.

mod common;

use std::net::UdpSocket;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

/// One contract datagram.
fn datagram(seq: u64, len: usize) -> Vec<u8> {
    let mut d = vec![(seq & 0xff) as u8; len];
    d[0..4].copy_from_slice(b"B26S");
    d[4..12].copy_from_slice(&seq.to_be_bytes());
    d[12..20].copy_from_slice(&(seq * 1_000_000).to_be_bytes());
    d
}

fn sim_run(dir: &std::path::Path, port: u16, duration: u32, extra: &[&str]) -> Spawned {
    let cfg = write(
        dir,
        "smoke.toml",
        &format!(
            "{NO_CHECKS}[peer]\naddress = \"sim\"\nsim_port = {port}\n[test]\nduration_s = {duration}\n\
             [thresholds]\nmin_median_bytes_per_s = 100000\n"
        ),
    );
    let mut cmd = Command::new(bin());
    cmd.args(["run", "-c", cfg.to_str().unwrap()]).args(extra);
    Spawned::start(cmd)
}

#[test]
fn issue_8_sim_stream_loss_duplication_and_reordering_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_udp_port();
    let json_path = dir.path().join("r.json");
    let plot = dir.path().join(format!("r.{PLOT_EXT}"));
    // A fake /proc/net/snmp whose UDP receive-buffer drops rise by 5 during the run.
    let root = dir.path().join("root");
    let snmp = |drops: u64| {
        format!(
            "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors\nUdp: 1 0 0 1 {drops}\n"
        )
    };
    let snmp_path = write(&root, "proc/net/snmp", &snmp(10));
    let mut child = sim_run(
        dir.path(),
        port,
        3,
        &[
            "--sysroot",
            root.to_str().unwrap(),
            "--json",
            json_path.to_str().unwrap(),
            "--plot",
            plot.to_str().unwrap(),
        ],
    );
    child.wait_for("sim-rx: measuring", Duration::from_secs(10));
    std::fs::write(&snmp_path, snmp(15)).unwrap();

    // Datagrams of 1000 bytes at about 1000/s, for longer than the 3 s of measurement:
    // 100 and 101 lost, 300 sent twice, 501 sent before 500, one malformed after 700.
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    tx.connect(("127.0.0.1", port)).unwrap();
    let t0 = Instant::now();
    let mut order: Vec<u64> = (0..4000).filter(|s| *s != 100 && *s != 101).collect();
    let at300 = order.iter().position(|&s| s == 300).unwrap();
    order.insert(at300, 300);
    let at500 = order.iter().position(|&s| s == 500).unwrap();
    order.swap(at500, at500 + 1);
    for (i, seq) in order.iter().enumerate() {
        // Once the receiver is gone, sends fail with "connection refused": that is the end.
        if tx.send(&datagram(*seq, 1000)).is_err() && t0.elapsed() > Duration::from_secs(3) {
            break;
        }
        if *seq == 700 {
            tx.send(b"not a test datagram").unwrap();
        }
        let due = t0 + Duration::from_millis(i as u64);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    let (code, out, err) = child.finish();
    println!("{out}");
    assert_eq!(code, 0, "{out}\n{err}");
    let r = json(&json_path);
    let t = &r["tests"][0];
    assert_eq!(t["name"], "sim-rx");
    let u = &t["udp"];
    assert_eq!(u["first_seq"], 0, "{u}");
    let last = u["last_seq"].as_u64().unwrap();
    assert!(last > 2000, "about 3000 datagrams in 3 s: {u}");
    assert_eq!(
        u["received"],
        last + 1 - 2 + 1,
        "all but two, one twice: {u}"
    );
    assert_eq!(u["lost"], 2, "{u}");
    assert_eq!(u["duplicates"], 1, "{u}");
    assert_eq!(u["reordered"], 1, "{u}");
    assert_eq!(u["malformed"], 1, "{u}");
    assert_eq!(t["received_bytes"], (last + 1 - 2 + 1) * 1000);
    assert!(
        out.contains(&format!("(2 of {})  dup 1  reordered 1", last + 1)),
        "{out}"
    );
    assert_eq!(r["verdict"]["result"], "pass");
    assert_eq!(t["receiver_drops"], 5);
    assert!(
        out.contains("(5 dropped by the receiver's socket buffer)"),
        "{out}"
    );
    assert_plot(&plot);
}

#[test]
fn silent_sim_stream_fails_with_zero_windows() {
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("r.json");
    let child = sim_run(
        dir.path(),
        free_udp_port(),
        2,
        &["--json", json_path.to_str().unwrap()],
    );
    let (code, out, _) = child.finish();
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        causes(&json(&json_path)),
        vec!["zero_window", "low_throughput"]
    );
    assert!(
        out.contains("zero_window: sim-rx: 2 of 2 windows at zero (first at 0 s)"),
        "{out}"
    );
}
