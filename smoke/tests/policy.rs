//! Issue 17: the smoke test as a policy. With the shipped defaults it gates on what the device
//! proves alone, and requires association only when the network manager has a network. A fake
//! sysroot (module, firmware, interface, daemons in /proc, connection files) and fake `iw` and
//! `ip` stand in for the device. No root needed.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A device with the driver loaded and wlan0 administratively down, never given a network.
fn device(dir: &Path) -> PathBuf {
    let root = dir.join("root");
    let dbg = "sys/kernel/debug/ieee80211/phy0/bes2600";
    write(&root, "proc/modules", "bes2600 1 0 - Live 0x0 (O)\n");
    write(&root, "proc/1/comm", "systemd\n");
    write(&root, &format!("{dbg}/fw_version"), "SYNTH-0.1 synthetic\n");
    write(
        &root,
        &format!("{dbg}/counters"),
        "rx_frames 1\ntx_frames 1\n",
    );
    write(&root, "sys/class/net/wlan0/operstate", "down\n");
    write(&root, "sys/class/net/wlan0/flags", "0x1002\n");
    root
}

/// Fake `iw` (empty scan cache, one BSS on a triggered scan, not connected) and `ip`, both
/// logging their arguments to `calls`; returns the `[tools]` section.
fn tools(dir: &Path) -> String {
    let c = dir.join("calls");
    let c = c.display();
    let iw = script(
        dir,
        "iw",
        &format!(
            "echo \"iw $*\" >> {c}\n\
             case \"$3 $4\" in\n\
             'scan dump') ;;\n\
             'scan ') printf 'BSS 0a:00:00:00:00:07(on wlan0)\\n\\tSSID: Cafe\\n' ;;\n\
             'link ') echo 'Not connected.' ;;\n\
             esac"
        ),
    );
    let ip = script(dir, "ip", &format!("echo \"ip $*\" >> {c}"));
    format!(
        "[tools]\niw = \"{}\"\nip = \"{}\"\n",
        iw.display(),
        ip.display()
    )
}

fn run_in(dir: &Path, root: &Path, cfg: &str) -> (i32, String, serde_json::Value) {
    let cfg = write(dir, "smoke.toml", cfg);
    let json_path = dir.join("r.json");
    let (code, out, err) = run(&[
        "run",
        "-c",
        cfg.to_str().unwrap(),
        "--sysroot",
        root.to_str().unwrap(),
        "--json",
        json_path.to_str().unwrap(),
    ]);
    println!("{out}");
    assert!(code == 0 || code == 1, "exit {code}\n{out}\n{err}");
    (code, out, json(&json_path))
}

#[test]
fn issue_17_defaults_pass_on_what_the_device_proves_alone() {
    let dir = tempfile::tempdir().unwrap();
    let root = device(dir.path());
    let (code, out, r) = run_in(dir.path(), &root, &tools(dir.path()));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("peer none"), "{out}");
    assert!(
        out.contains("check interface  ok      wlan0 present (operstate down"),
        "{out}"
    );
    assert!(
        out.contains("check scan       ok      1 BSS seen by a scan (0a:00:00:00:00:07)"),
        "{out}"
    );
    assert!(
        out.contains("check associated skipped no network provisioned (manager: none)"),
        "{out}"
    );
    assert_eq!(
        r["tests"].as_array().unwrap().len(),
        0,
        "no peer, no traffic"
    );
    assert_eq!(r["network"]["manager"], "none");
    assert!(r["associated_at_end"].is_null());
    // The interface was down: brought up for the scan and left down again.
    let calls = std::fs::read_to_string(dir.path().join("calls")).unwrap();
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(
        calls,
        [
            "iw dev wlan0 scan dump",
            "ip link set wlan0 up",
            "iw dev wlan0 scan",
            "ip link set wlan0 down"
        ]
    );
}

#[test]
fn issue_17_a_provisioned_network_requires_association() {
    let dir = tempfile::tempdir().unwrap();
    let root = device(dir.path());
    write(&root, "proc/512/comm", "NetworkManager\n");
    write(
        &root,
        "etc/NetworkManager/system-connections/home.nmconnection",
        "[connection]\nid=home\ntype=wifi\n[wifi]\nssid=HomeNet\n[wifi-security]\npsk=hunter22\n",
    );
    let cfg = format!("[checks]\nassociation_timeout_s = 1\n{}", tools(dir.path()));
    let (code, out, r) = run_in(dir.path(), &root, &cfg);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("network: NetworkManager (running (pid 512)), provisioned: HomeNet"),
        "{out}"
    );
    assert_eq!(causes(&r), ["check_interface", "check_associated"]);
    assert!(
        out.contains(
            "check_associated: wlan0 is not connected after 1 s (required: 1 network(s) \
             provisioned)"
        ),
        "{out}"
    );
    assert!(!out.contains("hunter22") && !r.to_string().contains("hunter22"));
}

#[test]
fn issue_17_associated_false_never_asks_even_when_provisioned() {
    let dir = tempfile::tempdir().unwrap();
    let root = device(dir.path());
    write(
        &root,
        "var/lib/iwd/Office.psk",
        "[Security]\nPassphrase=x\n",
    );
    let cfg = format!(
        "[checks]\nassociated = false\n[network]\nmanager = \"iwd\"\n{}",
        tools(dir.path())
    );
    let (code, out, r) = run_in(dir.path(), &root, &cfg);
    assert_eq!(code, 0, "{out}");
    assert_eq!(r["network"]["provisioned"][0], "Office");
    assert!(
        out.contains("check associated skipped turned off in [checks]"),
        "{out}"
    );
}

#[test]
fn issue_17_a_busy_radio_is_scanned_again_and_a_missing_iw_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let root = device(dir.path());
    let mark = dir.path().join("busy-once");
    let iw = script(
        dir.path(),
        "iw",
        &format!(
            "case \"$3 $4\" in\n\
             'scan ') if [ ! -e {m} ]; then touch {m}; \
             echo 'command failed: Device or resource busy (-16)' >&2; exit 240; fi\n\
             echo 'BSS 0a:00:00:00:00:07(on wlan0)' ;;\n\
             esac",
            m = mark.display()
        ),
    );
    let ip = script(dir.path(), "ip", "exit 0");
    let cfg = format!(
        "[tools]\niw = \"{}\"\nip = \"{}\"\n",
        iw.display(),
        ip.display()
    );
    let (code, out, _) = run_in(dir.path(), &root, &cfg);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 BSS seen by a scan"), "{out}");
    let t0 = std::time::Instant::now();
    let cfg = format!("[tools]\niw = \"{}\"\n", dir.path().join("no-iw").display());
    let (code, out, _) = run_in(dir.path(), &root, &cfg);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("check_scan: `"), "{out}");
    assert!(
        t0.elapsed() < std::time::Duration::from_secs(5),
        "no retry without a radio"
    );
}
