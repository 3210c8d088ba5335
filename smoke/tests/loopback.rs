//! A whole run against a local `serve` peer, with a faked device tree (module, firmware,
//! counters, interface) and a fake `iw`, on the loopback interface. No root needed.

mod common;

use std::time::Duration;

use common::*;

const COUNTERS_BEFORE: &str = "rx_frames 1000\nrx_bursts 100\ntx_frames 500\n\
    bus_transactions 400\nbh_wakeups 150\ndrops_total 0\nrecoveries_total 0\n";
const COUNTERS_AFTER: &str = "rx_frames 9000\nrx_bursts 600\ntx_frames 4500\n\
    bus_transactions 3400\nbh_wakeups 1150\ndrops_total 2\nrecoveries_total 0\n";

#[test]
fn issue_8_full_run_with_a_fake_device_passes_and_writes_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let dbg = "sys/kernel/debug/ieee80211/phy0/bes2600";
    write(
        &root,
        "proc/modules",
        "cfg80211 1 1 bes2600, Live 0x0\nbes2600 1 0 - Live 0x0 (O)\n",
    );
    write(&root, &format!("{dbg}/fw_version"), "SYNTH-0.1 synthetic\n");
    let counters = write(&root, &format!("{dbg}/counters"), COUNTERS_BEFORE);
    write(&root, &format!("{dbg}/recovery"), "");
    write(&root, "sys/class/net/wlan0/operstate", "up\n");
    let iw = script(
        dir.path(),
        "iw",
        "case \"$3 $4\" in\n\
         'scan dump') printf 'BSS 02:b5:26:00:00:01(on wlan0) -- associated\\n\\tSSID: bes2600-sim\\n' ;;\n\
         *) printf 'Connected to 02:b5:26:00:00:01 (on wlan0)\\n\\tSSID: bes2600-sim\\n\\tfreq: 2437\\n\\tsignal: -40 dBm\\n' ;;\n\
         esac",
    );
    let ip = script(
        dir.path(),
        "ip",
        "echo '1: wlan0    inet 127.0.0.1/8 scope host wlan0'",
    );
    let (_serve, port) = serve_local();
    let cfg = write(
        dir.path(),
        "smoke.toml",
        &format!(
            "[peer]\naddress = \"127.0.0.1:{port}\"\n[tools]\nip = \"{}\"\niw = \"{}\"\n\
             [test]\nduration_s = 2\ntcp_rate_bytes_per_s = 3000000\nudp_rate_bytes_per_s = 3000000\n",
            ip.display(),
            iw.display()
        ),
    );
    // The driver's counters move while the traffic flows.
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        std::fs::write(counters, COUNTERS_AFTER).unwrap();
    });
    let json_path = dir.path().join("report.json");
    let plot = dir.path().join("plot.svg");
    let (code, out, err) = run(&[
        "run",
        "-c",
        cfg.to_str().unwrap(),
        "--sysroot",
        root.to_str().unwrap(),
        "--json",
        json_path.to_str().unwrap(),
        "--plot",
        plot.to_str().unwrap(),
    ]);
    writer.join().unwrap();
    println!("{out}");
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.ends_with("verdict: PASS\n"), "{out}");
    assert!(
        out.contains(
            "check scan       ok      1 BSS in the cached scan results (02:b5:26:00:00:01)"
        ),
        "{out}"
    );
    assert!(out.contains("firmware: SYNTH-0.1 synthetic"), "{out}");
    assert!(
        out.contains("link: bes2600-sim (02:b5:26:00:00:01), 2437 MHz, -40 dBm"),
        "{out}"
    );

    let r = json(&json_path);
    for c in r["checks"].as_array().unwrap() {
        assert_eq!(c["status"], "pass", "{c}");
    }
    let tests = r["tests"].as_array().unwrap();
    let names: Vec<&str> = tests.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["tcp-rx", "tcp-tx", "udp-rx", "udp-tx"]);
    for t in tests {
        assert_eq!(t["windows"].as_array().unwrap().len(), 2, "{t}");
        // Paced senders at 3 MB/s: the receiver's median window is close to it (loose, as
        // loopback shares the CPU with everything else; the shaped-link test is the strict one).
        let m = median(t);
        assert!((m / 3e6 - 1.0).abs() < 0.10, "{}: median {m}", t["name"]);
    }
    assert_eq!(tests[0]["measured_at"], "device");
    assert_eq!(tests[1]["measured_at"], "peer");
    for t in &tests[2..] {
        let u = &t["udp"];
        assert!(u["received"].as_u64().unwrap() > 1000, "{u}");
        assert_eq!(u["duplicates"], 0);
        assert_eq!(u["malformed"], 0);
    }
    // (8000 + 4000 frames) moved with 3000 bus transactions and 1000 wakeups.
    let d = &r["driver"];
    assert_eq!(d["deltas"]["rx_frames"], 8000);
    assert_eq!(d["per_frame"]["frames"], 12000);
    assert_eq!(d["per_frame"]["bus_transactions_per_frame"], 0.25);
    assert!((d["per_frame"]["bh_wakeups_per_frame"].as_f64().unwrap() - 1.0 / 12.0).abs() < 1e-12);
    assert_eq!(d["recoveries"], 0);
    assert_eq!(r["associated_at_end"], true);
    assert!(
        out.contains("driver: 12000 frames, 0.250 bus transactions/frame"),
        "{out}"
    );
    let size = assert_plot(&plot);
    let svg = std::fs::read_to_string(&plot).unwrap();
    for name in names {
        assert!(svg.contains(name), "legend lacks {name}");
    }
    println!("plot: {size} bytes");
}

#[test]
fn driver_recovery_during_the_run_fails() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let dbg = "sys/kernel/debug/ieee80211/phy0/bes2600";
    let counters = write(&root, &format!("{dbg}/counters"), COUNTERS_BEFORE);
    let (_serve, port) = serve_local();
    let cfg = write(
        dir.path(),
        "smoke.toml",
        &format!(
            "[checks]\nmodule = false\nfirmware = false\ninterface = false\nscan = false\n\
             associated = false\n\
             [peer]\naddress = \"127.0.0.1:{port}\"\n[test]\nduration_s = 1\ntests = [\"tcp-rx\"]\n"
        ),
    );
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        let after = COUNTERS_AFTER.replace("recoveries_total 0", "recoveries_total 1");
        std::fs::write(counters, after).unwrap();
    });
    let json_path = dir.path().join("r.json");
    let (code, out, _) = run(&[
        "run",
        "-c",
        cfg.to_str().unwrap(),
        "--sysroot",
        root.to_str().unwrap(),
        "--json",
        json_path.to_str().unwrap(),
    ]);
    writer.join().unwrap();
    assert_eq!(code, 1, "{out}");
    assert_eq!(causes(&json(&json_path)), vec!["driver_recovery"]);
}

#[test]
fn traffic_leaving_by_another_interface_fails() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    write(&root, "sys/class/net/wlan0/operstate", "up\n");
    // wlan0 has 192.0.2.2, but the peer on 127.0.0.1 is reached through lo.
    let ip = script(
        dir.path(),
        "ip",
        "echo '3: wlan0    inet 192.0.2.2/24 brd 192.0.2.255 scope global wlan0'",
    );
    let (_serve, port) = serve_local();
    let cfg = write(
        dir.path(),
        "smoke.toml",
        &format!(
            "[checks]\nmodule = false\nfirmware = false\ncounters = false\nscan = false\n\
             associated = false\n[tools]\nip = \"{}\"\n[peer]\naddress = \"127.0.0.1:{port}\"\n\
             [test]\nduration_s = 1\ntests = [\"tcp-rx\"]\n",
            ip.display()
        ),
    );
    let json_path = dir.path().join("r.json");
    let (code, out, _) = run(&[
        "run",
        "-c",
        cfg.to_str().unwrap(),
        "--sysroot",
        root.to_str().unwrap(),
        "--json",
        json_path.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("check address    ok      192.0.2.2"), "{out}");
    assert_eq!(causes(&json(&json_path)), vec!["wrong_interface"]);
    assert!(
        out.contains("leaves from 127.0.0.1, which is not an address of wlan0"),
        "{out}"
    );
}

#[test]
fn connect_section_connects_then_sets_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls");
    let c = calls.display();
    // A fake iw that associates on `connect`, and a fake ip that records its arguments.
    let iw = script(
        dir.path(),
        "iw",
        &format!(
            "echo \"iw $*\" >> {c}\n\
             case \"$3\" in\n\
             connect) touch {c}.assoc ;;\n\
             scan) echo 'BSS 02:b5:26:00:00:01(on wlan0) -- associated' ;;\n\
             link) if [ -e {c}.assoc ]; then echo 'Connected to 02:b5:26:00:00:01 (on wlan0)'; \
             echo '\tSSID: bes2600-sim'; else echo 'Not connected.'; fi ;;\n\
             esac"
        ),
    );
    let ip = script(
        dir.path(),
        "ip",
        &format!("echo \"ip $*\" >> {c}\necho '1: wlan0    inet 127.0.0.1/8 scope host wlan0'"),
    );
    let root = dir.path().join("root");
    write(&root, "sys/class/net/wlan0/operstate", "up\n");
    let (_serve, port) = serve_local();
    let cfg = write(
        dir.path(),
        "smoke.toml",
        &format!(
            "[checks]\nmodule = false\nfirmware = false\ncounters = false\n\
             [connect]\nmethod = \"iw\"\nssid = \"bes2600-sim\"\naddress = \"192.0.2.2/24\"\n\
             timeout_s = 5\n[tools]\niw = \"{}\"\nip = \"{}\"\n\
             [peer]\naddress = \"127.0.0.1:{port}\"\n[test]\nduration_s = 1\ntests = [\"tcp-rx\"]\n",
            iw.display(),
            ip.display()
        ),
    );
    let (code, out, err) = run(&[
        "run",
        "-c",
        cfg.to_str().unwrap(),
        "--sysroot",
        root.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("check connect    ok      connected to bes2600-sim (02:b5:26:00:00:01)"),
        "{out}"
    );
    let log = std::fs::read_to_string(&calls).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines[0], "ip link set wlan0 up");
    assert_eq!(lines[1], "iw dev wlan0 connect bes2600-sim");
    assert_eq!(lines[2], "iw dev wlan0 link");
    assert_eq!(lines[3], "ip addr replace 192.0.2.2/24 dev wlan0");
}

#[test]
fn connect_that_never_associates_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let iw = script(
        dir.path(),
        "iw",
        "[ \"$3\" = link ] && echo 'Not connected.'; exit 0",
    );
    let ip = script(dir.path(), "ip", "exit 0");
    let cfg = write(
        dir.path(),
        "smoke.toml",
        &format!(
            "{NO_CHECKS}[connect]\nmethod = \"iw\"\nssid = \"bes2600-sim\"\ntimeout_s = 1\n\
             [tools]\niw = \"{}\"\nip = \"{}\"\n",
            iw.display(),
            ip.display()
        ),
    );
    let (code, out, _) = run(&["run", "-c", cfg.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "verdict: FAIL (check_connect)\n  check_connect: wlan0 not associated after 1 s"
        ),
        "{out}"
    );
}
