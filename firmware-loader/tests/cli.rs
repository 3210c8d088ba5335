//! The real `bes2600-fw` binary against temporary trees: synthetic firmware sets, a fake
//! sysfs/debugfs, calibration files. Every error path must exit non-zero with a message.

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

use bes2600_fw::crc::HostCrc;
use bes2600_fw::image::Kind;
use bes2600_fw::{synth, Crc32};
use predicates::prelude::*;
use tempfile::TempDir;

mod common;
use common::{bin, fw_dir, install_cmd, synth_set};

#[test]
fn synth_then_verify_ok_text_and_json() {
    let t = TempDir::new().unwrap();
    let set = synth_set(t.path());
    let files: Vec<PathBuf> = Kind::ALL.iter().map(|k| set.join(k.file_name())).collect();
    // Synthetic images are well formed but not published builds (issue 19).
    bin()
        .arg("verify")
        .args(&files)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("pass --allow-unknown"));
    bin()
        .args(["verify", "--allow-unknown"])
        .args(&files)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("role          boot")
                .and(predicate::str::contains("build         unknown build"))
                .and(predicate::str::contains(
                    "accepted because of --allow-unknown",
                )),
        );
    let out = bin()
        .arg("--json")
        .args(["verify", "--allow-unknown"])
        .args(&files)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 4);
    assert!(arr
        .iter()
        .all(|r| r["ok"] == true && r["load_addr"] == "0x20000168"));
    assert_eq!(arr[1]["kind"], "signal");
    assert_eq!(arr[1]["entry"], "0x00200769");
}

#[test]
fn verify_reports_bad_files_with_exit_1() {
    let t = TempDir::new().unwrap();
    let set = synth_set(t.path());
    // A boot image under the signal name.
    let wrong = t.path().join(Kind::Signal.file_name());
    fs::copy(set.join(Kind::Boot.file_name()), &wrong).unwrap();
    bin().arg("verify").arg(&wrong).assert().code(1).stdout(
        predicate::str::contains("FAILED").and(predicate::str::contains("file name says signal")),
    );
    // Truncated to an odd length.
    let trunc = t.path().join("trunc.bin");
    let data = fs::read(set.join(Kind::Btrf.file_name())).unwrap();
    fs::write(&trunc, &data[..data.len() - 3]).unwrap();
    bin()
        .arg("verify")
        .arg(&trunc)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("not a multiple of 4"));
    // Missing file: an error, not a verdict.
    bin()
        .arg("verify")
        .arg(t.path().join("nope.bin"))
        .assert()
        .code(2)
        .stdout(predicate::str::contains("cannot read"));
    // A file of a known vendor size with another CRC is a corrupt copy (spec §2.1).
    let fake = t.path().join(Kind::Btrf.file_name());
    let mut img = synth::default_image(Kind::Btrf);
    let trailer = img.split_off(img.len() - 4);
    img.resize(132_640 - 4, 0);
    img.extend(trailer);
    fs::write(&fake, &img).unwrap();
    bin()
        .args(["verify", "--allow-unknown"])
        .arg(&fake)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("corrupt copy"));
    bin()
        .arg("verify")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("FILE"));
}

#[test]
fn install_puts_a_verified_set_in_place() {
    let t = TempDir::new().unwrap();
    let set = synth_set(t.path());
    let root = t.path().join("root");
    install_cmd(&set, &root).assert().success();
    for k in Kind::ALL {
        assert_eq!(
            fs::read(fw_dir(&root).join(k.file_name())).unwrap(),
            fs::read(set.join(k.file_name())).unwrap()
        );
        let mode = fs::metadata(fw_dir(&root).join(k.file_name()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }
    assert!(fw_dir(&root).join("bes2600_factory.txt").is_file());
    let names: Vec<_> = fs::read_dir(fw_dir(&root))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 5, "no temporaries left: {names:?}");
}

fn assert_nothing_installed(root: &Path) {
    assert!(!fw_dir(root).exists() || fs::read_dir(fw_dir(root)).unwrap().next().is_none());
}

#[test]
fn install_refuses_corrupt_incomplete_or_mismatched_sets() {
    // A set that does not verify exits 1 (a check failed); I/O trouble exits 2.
    let t = TempDir::new().unwrap();
    let set = synth_set(t.path());
    let root = t.path().join("root");
    // Corrupt: the signal file holds the boot image.
    let bad = t.path().join("bad");
    fs::create_dir(&bad).unwrap();
    for k in Kind::ALL {
        fs::copy(set.join(k.file_name()), bad.join(k.file_name())).unwrap();
    }
    fs::copy(
        set.join(Kind::Boot.file_name()),
        bad.join(Kind::Signal.file_name()),
    )
    .unwrap();
    install_cmd(&bad, &root).assert().code(1).stderr(
        predicate::str::contains("refusing to install").and(predicate::str::contains("note:")),
    );
    assert_nothing_installed(&root);

    // Incomplete: no boot image.
    fs::copy(
        set.join(Kind::Signal.file_name()),
        bad.join(Kind::Signal.file_name()),
    )
    .unwrap();
    fs::remove_file(bad.join(Kind::Boot.file_name())).unwrap();
    install_cmd(&bad, &root)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "missing best2002_fw_boot_sdio.bin",
        ));
    assert_nothing_installed(&root);

    // Mismatched: the boot image is from another build.
    let mut boot = fs::read(set.join(Kind::Boot.file_name())).unwrap();
    let at = boot
        .windows(9)
        .rposition(|w| w == synth::SYNTH_BUILD.as_bytes())
        .unwrap();
    boot[at..at + 9].copy_from_slice(b"0badc0de0");
    fs::write(bad.join(Kind::Boot.file_name()), &boot).unwrap();
    install_cmd(&bad, &root)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("mismatched set"));
    assert_nothing_installed(&root);

    // A broken calibration file also stops the install.
    fs::write(
        bad.join(Kind::Boot.file_name()),
        fs::read(set.join(Kind::Boot.file_name())).unwrap(),
    )
    .unwrap();
    fs::write(
        bad.join("bes2600_factory.txt"),
        "##head\nmagic:0xba80\n%%\n",
    )
    .unwrap();
    install_cmd(&bad, &root)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bes2600_factory.txt"));
    assert_nothing_installed(&root);

    // An unwritable destination (a file where the directory should be).
    fs::remove_file(bad.join("bes2600_factory.txt")).unwrap();
    let blocked = t.path().join("blocked");
    fs::create_dir_all(blocked.join("lib/firmware")).unwrap();
    fs::write(blocked.join("lib/firmware/bes2600"), b"x").unwrap();
    install_cmd(&bad, &blocked)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot create"));
    bin()
        .args(["install", "--allow-unknown", "--from"])
        .arg(t.path().join("missing"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a directory"));
}

/// issue 5: a kill in the middle of an install leaves no partial file under a final name.
#[test]
fn issue_5_install_survives_a_kill_mid_way() {
    let t = TempDir::new().unwrap();
    let set = synth_set(t.path());
    let root = t.path().join("root");
    // An older, different set is installed first.
    let old = t.path().join("old");
    fs::create_dir(&old).unwrap();
    for k in Kind::ALL {
        fs::write(
            old.join(k.file_name()),
            synth::image(k, synth::code_len(k) / 2, 7),
        )
        .unwrap();
    }
    install_cmd(&old, &root).assert().success();

    let exe = assert_cmd::cargo::cargo_bin("bes2600-fw");
    let mut child = StdCommand::new(exe)
        .args(["install", "--allow-unknown", "--from"])
        .arg(&set)
        .arg("--root")
        .arg(&root)
        .env(bes2600_fw::cli::install::STALL_ENV, "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while err.read_line(&mut line).unwrap() > 0 && !line.contains("staged") {
        line.clear();
    }
    assert!(
        line.contains("staged"),
        "installer did not reach the staging point"
    );
    child.kill().unwrap();
    child.wait().unwrap();

    let temps: Vec<_> = fs::read_dir(fw_dir(&root))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".bes2600-fw-"))
        .collect();
    assert_eq!(
        temps.len(),
        5,
        "the new files were staged under temporary names"
    );
    for k in Kind::ALL {
        assert_eq!(
            fs::read(fw_dir(&root).join(k.file_name())).unwrap(),
            fs::read(old.join(k.file_name())).unwrap(),
            "{} still holds the complete old file",
            k.file_name()
        );
    }
    assert!(!fw_dir(&root).join("bes2600_factory.txt").exists());

    // The next run installs the new set and clears the leftovers.
    install_cmd(&set, &root).assert().success();
    let names: Vec<_> = fs::read_dir(fw_dir(&root))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 5, "{names:?}");
    for k in Kind::ALL {
        assert_eq!(
            fs::read(fw_dir(&root).join(k.file_name())).unwrap(),
            fs::read(set.join(k.file_name())).unwrap()
        );
    }
}

/// The record of `factory_golden.txt`, laid out by hand from the spec §2.6 table.
fn golden_record() -> Vec<u8> {
    let mut r = Vec::new();
    r.extend([0x80, 0xBA, 0x02, 0x00, 0, 0, 0, 0]);
    r.extend([0x44, 0x33, 0x22, 0x11]); // iQ_offset @8
    r.extend([0xA5, 0x01]); // freq_cal @12
    r.extend([0x01, 0x14, 0x02, 0x14, 0x03, 0x14]); // ch1/7/13 @14
    r.extend([0x03, 0x07]); // freq_cal_flags @20, tx_power_type @21
    r.extend([0x21, 0x00]); // temperature @22
    for i in 1..=13u8 {
        r.extend([i, 0x20]); // 5G @24
    }
    r.extend([0x55, 0x00]); // flags 5G @50
    for v in [5u8, 0x10, 5, 0x15] {
        r.extend([v, 0, 0, 0]); // bt @52
    }
    r.extend([0x22, 0x00, 0x01, 0x00]); // temperature_5G @68, select_efuse @70
    assert_eq!(r.len(), 72);
    let c = HostCrc.crc32(&r[8..]);
    r[4..8].copy_from_slice(&c.to_le_bytes());
    r
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

#[test]
fn calib_golden_conversions() {
    let t = TempDir::new().unwrap();
    let bin_out = t.path().join("rec.bin");
    bin()
        .args(["calib", "convert"])
        .arg(data("factory_golden.txt"))
        .arg(&bin_out)
        .assert()
        .success();
    assert_eq!(fs::read(&bin_out).unwrap(), golden_record());

    let txt_out = t.path().join("back.txt");
    bin()
        .args(["calib", "convert"])
        .arg(&bin_out)
        .arg(&txt_out)
        .assert()
        .success();
    let back = fs::read_to_string(&txt_out).unwrap();
    // The text round trip keeps every value; only the head crc now holds the real CRC.
    let want = fs::read_to_string(data("factory_golden.txt")).unwrap();
    let crc = HostCrc.crc32(&golden_record()[8..]);
    assert_eq!(
        back,
        want.replace("crc:0xdeadbeef", &format!("crc:{crc:#x}"))
    );

    // The distro-style file (30 fields, spec §2.1) converts with select_efuse = 0.
    let d_out = t.path().join("distro.bin");
    bin()
        .args(["calib", "convert"])
        .arg(data("factory_distro_style.txt"))
        .arg(&d_out)
        .assert()
        .success();
    let d = fs::read(&d_out).unwrap();
    assert_eq!(
        (d.len(), &d[12..14], &d[70..72]),
        (72, &[0x00, 0x01][..], &[0, 0][..])
    );
}

#[test]
fn calib_lookup_check_and_errors() {
    let t = TempDir::new().unwrap();
    let sys = t.path();
    // Nothing anywhere: both paths are named.
    bin()
        .arg("--sysroot")
        .arg(sys)
        .args(["calib", "show"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("lib/firmware/bes2600_factory.txt").and(
                predicate::str::contains("lib/firmware/bes2600/bes2600_factory.txt"),
            ),
        );
    // Only the distro path has it: found there.
    fs::create_dir_all(sys.join("lib/firmware/bes2600")).unwrap();
    fs::copy(
        data("factory_distro_style.txt"),
        sys.join("lib/firmware/bes2600/bes2600_factory.txt"),
    )
    .unwrap();
    bin()
        .arg("--sysroot")
        .arg(sys)
        .args(["calib", "show"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("bes2600/bes2600_factory.txt")
                .and(predicate::str::contains("30 fields")),
        );
    let out = bin()
        .arg("--sysroot")
        .arg(sys)
        .args(["--json", "calib", "show"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["values"]["freq_cal"], 0x100);
    assert_eq!(v["file"]["fields"], 30);
    // The vendor path wins when both exist.
    fs::copy(
        data("factory_golden.txt"),
        sys.join("lib/firmware/bes2600_factory.txt"),
    )
    .unwrap();
    bin()
        .arg("--sysroot")
        .arg(sys)
        .args(["calib", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "firmware/bes2600_factory.txt: ok (31 fields)",
        ));
    // No efuse section: a warning, a failure only with --strict.
    bin()
        .args(["calib", "check"])
        .arg(data("factory_distro_style.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains("select_efuse_flag"));
    bin()
        .args(["calib", "check", "--strict"])
        .arg(data("factory_distro_style.txt"))
        .assert()
        .code(1);
    // A missing section is named, with the path.
    let broken = t.path().join("broken.txt");
    let text = fs::read_to_string(data("factory_golden.txt"))
        .unwrap()
        .replace("##bt\n", "");
    fs::write(&broken, text).unwrap();
    bin()
        .args(["calib", "check"])
        .arg(&broken)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("broken.txt: missing section `##bt`")
                .and(predicate::str::contains("note:")),
        );
    // A record with a bad CRC.
    let mut rec = golden_record();
    rec[40] ^= 1;
    let bad = t.path().join("bad.bin");
    fs::write(&bad, rec).unwrap();
    bin()
        .args(["calib", "show"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad CRC"));
    // A record whose values need more than the 600 bytes of text the driver reads.
    let mut big = golden_record();
    for b in &mut big[8..70] {
        *b = 0xEE;
    }
    let c = HostCrc.crc32(&big[8..]);
    big[4..8].copy_from_slice(&c.to_le_bytes());
    let big_in = t.path().join("big.bin");
    fs::write(&big_in, &big).unwrap();
    bin()
        .args(["calib", "convert"])
        .arg(&big_in)
        .arg(t.path().join("big.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("at most 600 bytes"));
    assert!(!t.path().join("big.txt").exists());
    // Convert into a directory that does not exist: error, nothing written.
    bin()
        .args(["calib", "convert"])
        .arg(data("factory_golden.txt"))
        .arg(t.path().join("no/such/dir/out.bin"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot write"));
}

/// A fake sysfs/debugfs tree with the chip on `fe2c0000.mmc`.
fn fake_tree(root: &Path, chip: bool) {
    let w = |p: &str, s: &str| {
        let p = root.join(p);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, s).unwrap();
    };
    w("sys/module/bes2600/parameters/bus", "sdio\n");
    w("sys/module/bes2600/parameters/fw_type", "0\n");
    w(
        "sys/kernel/debug/ieee80211/phy1/bes2600/counters",
        "rx_frames 1200\nrx_bursts 300\ntx_frames 80\nbus_transactions 420\nbh_wakeups 310\ndrops_total 2\nrecoveries_total 1\ndrops_decrypt 2\nrecoveries_fw_hang 1\n",
    );
    w(
        "sys/kernel/debug/ieee80211/phy1/bes2600/fw_version",
        "Nov 24 2026 12:00:00 5e7000000:best2002_fw\n",
    );
    w(
        "sys/kernel/debug/ieee80211/phy1/bes2600/recovery",
        "12.500 fw_hang 1\n",
    );
    w("sys/class/net/wlan0/operstate", "up\n");
    w("sys/class/net/wlan0/address", "02:00:00:00:00:02\n");
    w(
        "sys/class/net/wlan0/device/uevent",
        "DRIVER=bes2600_wlan\nSDIO_ID=BE57:2002\n",
    );
    fs::create_dir_all(root.join("sys/class/net/wlan0/phy80211")).unwrap();
    w("sys/class/net/eth0/operstate", "up\n");
    w("sys/bus/platform/drivers/dwmmc_rockchip/bind", "");
    w("sys/bus/platform/drivers/dwmmc_rockchip/unbind", "");
    let plat = "sys/devices/platform/fe2c0000.mmc";
    fs::create_dir_all(root.join(plat)).unwrap();
    let _ = symlink(
        "../../../bus/platform/drivers/dwmmc_rockchip",
        root.join(plat).join("driver"),
    );
    if chip {
        let func = format!("{plat}/mmc_host/mmc2/mmc2:0001/mmc2:0001:1");
        w(&format!("{func}/vendor"), "0xbe57\n");
        w(&format!("{func}/device"), "0x2002\n");
        fs::create_dir_all(root.join("sys/bus/sdio/devices")).unwrap();
        symlink(
            "../../../devices/platform/fe2c0000.mmc/mmc_host/mmc2/mmc2:0001/mmc2:0001:1",
            root.join("sys/bus/sdio/devices/mmc2:0001:1"),
        )
        .unwrap();
        bind_chip(root, &func);
    }
}

/// Binds the fake chip function `func` (relative to `root`) to bes2600_wlan: bus-reset
/// counts the chip as back only with its driver bound.
fn bind_chip(root: &Path, func: &str) {
    let drv = root.join("sys/bus/sdio/drivers/bes2600_wlan");
    fs::create_dir_all(&drv).unwrap();
    symlink(&drv, root.join(func).join("driver")).unwrap();
}

#[test]
fn status_reads_the_fake_tree() {
    let t = TempDir::new().unwrap();
    fake_tree(t.path(), true);
    // issue 17: NetworkManager runs with wpa_supplicant as its backend.
    for (pid, comm) in [
        (1, "systemd"),
        (420, "NetworkManager"),
        (433, "wpa_supplicant"),
    ] {
        let d = t.path().join(format!("proc/{pid}"));
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("comm"), format!("{comm}\n")).unwrap();
    }
    bin()
        .arg("--sysroot")
        .arg(t.path())
        .arg("status")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("module:     loaded")
                .and(predicate::str::contains(
                    "interface:  wlan0 (up, 02:00:00:00:00:02)",
                ))
                .and(predicate::str::contains("5e7000000:best2002_fw"))
                .and(predicate::str::contains("recovery events: 1"))
                .and(predicate::str::contains(
                    "network:    NetworkManager (backend wpa_supplicant; running process)",
                )),
        );
    let out = bin()
        .arg("--sysroot")
        .arg(t.path())
        .args(["status", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["module_loaded"], true);
    assert_eq!(v["counters"][0], serde_json::json!(["rx_frames", 1200]));
    assert_eq!(v["recovery"][0]["cause"], "fw_hang");
    assert_eq!(v["params"][1], serde_json::json!(["fw_type", "0"]));
    assert_eq!(
        v["network_manager"],
        serde_json::json!({"name": "NetworkManager", "backend": "wpa_supplicant", "source": "process"})
    );
    // An empty tree: everything absent, still exit 0.
    let e = TempDir::new().unwrap();
    bin()
        .arg("--sysroot")
        .arg(e.path())
        .arg("status")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("not loaded")
                .and(predicate::str::contains("interface:  (none)"))
                .and(predicate::str::contains("network:    none")),
        );
}

fn config(dir: &Path, extra: &str) -> PathBuf {
    let p = dir.join("fw.toml");
    fs::write(
        &p,
        format!("[reset]\nrebind_delay_ms = 1\nreappear_timeout_ms = 300\n{extra}"),
    )
    .unwrap();
    p
}

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

#[test]
fn bus_reset_rebinds_the_host_found_via_the_chip() {
    let t = TempDir::new().unwrap();
    let root = t.path().join("root");
    fake_tree(&root, true);
    let cfg = config(t.path(), "fallback_host = \"wrong.mmc\"\n");
    bin()
        .arg("--sysroot")
        .arg(&root)
        .arg("--config")
        .arg(&cfg)
        .args(["bus-reset", "--dry-run"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("would write fe2c0000.mmc to")
                .and(predicate::str::contains("dwmmc_rockchip/unbind")),
        );
    let drv = root.join("sys/bus/platform/drivers/dwmmc_rockchip");
    assert_eq!(
        fs::read_to_string(drv.join("unbind")).unwrap(),
        "",
        "dry run writes nothing"
    );
    if !is_root() {
        bin()
            .arg("--sysroot")
            .arg(&root)
            .arg("--config")
            .arg(&cfg)
            .arg("bus-reset")
            .assert()
            .code(2)
            .stderr(predicate::str::contains("needs root"));
        return;
    }
    bin()
        .arg("--sysroot")
        .arg(&root)
        .arg("--config")
        .arg(&cfg)
        .arg("bus-reset")
        .assert()
        .success()
        .stdout(predicate::str::contains("chip is back"));
    assert_eq!(
        fs::read_to_string(drv.join("unbind")).unwrap(),
        "fe2c0000.mmc"
    );
    assert_eq!(
        fs::read_to_string(drv.join("bind")).unwrap(),
        "fe2c0000.mmc"
    );

    // A held lock refuses a second, overlapping reset.
    let lock =
        bes2600_fw::cli::busreset::take_lock(&root.join("run/bes2600-fw/reset.lock")).unwrap();
    bin()
        .arg("--sysroot")
        .arg(&root)
        .arg("--config")
        .arg(&cfg)
        .arg("bus-reset")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("another bus reset is in progress"));
    drop(lock);

    // Without root the reset is refused (run as nobody through setpriv when available).
    let setpriv = Path::new("/usr/bin/setpriv");
    if setpriv.exists() {
        let exe = assert_cmd::cargo::cargo_bin("bes2600-fw");
        let out = StdCommand::new(setpriv)
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(exe)
            .arg("--sysroot")
            .arg(&root)
            .arg("--config")
            .arg(&cfg)
            .arg("bus-reset")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // If nobody cannot even execute the test binary, setpriv itself fails; skip then.
        if !stderr.contains("Permission denied") {
            assert_eq!(out.status.code(), Some(2), "{stderr}");
            assert!(stderr.contains("bus-reset needs root"), "{stderr}");
        }
    }
}

#[test]
fn bus_reset_escalates_to_a_module_reload() {
    if !is_root() {
        return;
    }
    let t = TempDir::new().unwrap();
    let root = t.path().join("root");
    fake_tree(&root, false);
    let (script, log) = fake_modprobe(t.path());
    let cfg = config(t.path(), &format!("modprobe = \"{}\"\n", script.display()));
    bin()
        .arg("--sysroot")
        .arg(&root)
        .arg("--config")
        .arg(&cfg)
        .arg("bus-reset")
        .assert()
        .code(2)
        .stdout(predicate::str::contains("not enumerated").and(predicate::str::contains("run ")))
        .stderr(predicate::str::contains(
            "did not reappear after the host rebind and the module reload",
        ));
    assert_eq!(fs::read_to_string(&log).unwrap(), "-r bes2600\nbes2600\n");
    let drv = root.join("sys/bus/platform/drivers/dwmmc_rockchip");
    assert_eq!(
        fs::read_to_string(drv.join("bind")).unwrap(),
        "fe2c0000.mmc",
        "fallback host used"
    );
    let cfg = config(t.path(), "escalate_module_reload = false\n");
    bin()
        .arg("--sysroot")
        .arg(&root)
        .arg("--config")
        .arg(&cfg)
        .arg("bus-reset")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("module reload is disabled"));
}

/// The QEMU e2e's virtual SDIO host (driver/vsdio): the chip under the platform device
/// `bes2600-vsdio`, bound to its platform driver when `with_driver` (as the module does);
/// without, a host with nothing to unbind.
fn fake_virtual_host(root: &Path, with_driver: bool) {
    let plat = "sys/devices/platform/bes2600-vsdio";
    let func = format!("{plat}/mmc_host/mmc0/mmc0:0001/mmc0:0001:1");
    fs::create_dir_all(root.join(&func)).unwrap();
    fs::write(root.join(&func).join("vendor"), "0xbe57\n").unwrap();
    fs::write(root.join(&func).join("device"), "0x2002\n").unwrap();
    bind_chip(root, &func);
    fs::create_dir_all(root.join("sys/bus/sdio/devices")).unwrap();
    symlink(
        format!("../../../{}", func.trim_start_matches("sys/")),
        root.join("sys/bus/sdio/devices/mmc0:0001:1"),
    )
    .unwrap();
    // The PineTab2's host driver exists too; it must not be touched.
    let dw = root.join("sys/bus/platform/drivers/dwmmc_rockchip");
    fs::create_dir_all(&dw).unwrap();
    fs::write(dw.join("bind"), "").unwrap();
    fs::write(dw.join("unbind"), "").unwrap();
    if with_driver {
        let drv = root.join("sys/bus/platform/drivers/bes2600-vsdio");
        fs::create_dir_all(&drv).unwrap();
        fs::write(drv.join("bind"), "").unwrap();
        fs::write(drv.join("unbind"), "").unwrap();
        symlink(
            "../../../bus/platform/drivers/bes2600-vsdio",
            root.join(plat).join("driver"),
        )
        .unwrap();
    }
}

fn fake_modprobe(dir: &Path) -> (PathBuf, PathBuf) {
    let log = dir.join("modprobe.log");
    let script = dir.join("modprobe");
    fs::write(
        &script,
        format!("#!/bin/sh\necho \"$@\" >> {}\n", log.display()),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    (script, log)
}

/// `bes2600-fw --sysroot ROOT --config CFG bus-reset [--dry-run]`.
fn bus_reset(root: &Path, cfg: &Path, dry_run: bool) -> assert_cmd::Command {
    let mut c = bin();
    c.arg("--sysroot")
        .arg(root)
        .arg("--config")
        .arg(cfg)
        .arg("bus-reset");
    if dry_run {
        c.arg("--dry-run");
    }
    c
}

#[test]
fn bus_reset_reloads_the_module_when_the_host_has_no_driver() {
    let t = TempDir::new().unwrap();
    let root = t.path().join("root");
    fake_virtual_host(&root, false);
    let (script, log) = fake_modprobe(t.path());
    let cfg = config(t.path(), &format!("modprobe = \"{}\"\n", script.display()));
    bus_reset(&root, &cfg, true).assert().success().stdout(
        predicate::str::contains("on host bes2600-vsdio (no driver bound)")
            .and(predicate::str::contains(
                "cannot be unbound and bound again",
            ))
            .and(predicate::str::contains("would reload module bes2600\n"))
            .and(predicate::str::contains("write").not()),
    );
    if !is_root() {
        return;
    }
    bus_reset(&root, &cfg, false)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "chip is back after the module reload (bes2600_wlan)",
        ));
    assert_eq!(fs::read_to_string(&log).unwrap(), "-r bes2600\nbes2600\n");
    let dw = root.join("sys/bus/platform/drivers/dwmmc_rockchip");
    for f in ["bind", "unbind"] {
        assert_eq!(fs::read_to_string(dw.join(f)).unwrap(), "", "{f} untouched");
    }
    let cfg = config(t.path(), "escalate_module_reload = false\n");
    bus_reset(&root, &cfg, false).assert().code(2).stderr(
        predicate::str::contains("host bes2600-vsdio cannot be rebound")
            .and(predicate::str::contains("module reload is disabled")),
    );
}

#[test]
fn bus_reset_rebinds_a_virtual_host_that_has_a_driver() {
    let t = TempDir::new().unwrap();
    let root = t.path().join("root");
    fake_virtual_host(&root, true);
    let (script, log) = fake_modprobe(t.path());
    let cfg = config(t.path(), &format!("modprobe = \"{}\"\n", script.display()));
    bus_reset(&root, &cfg, true).assert().success().stdout(
        predicate::str::contains("on host bes2600-vsdio (bes2600-vsdio)")
            .and(predicate::str::contains("would write bes2600-vsdio to"))
            .and(predicate::str::contains("drivers/bes2600-vsdio/unbind"))
            .and(predicate::str::contains(
                "would reload module bes2600 if it does not",
            )),
    );
    if !is_root() {
        return;
    }
    bus_reset(&root, &cfg, false)
        .assert()
        .success()
        .stdout(predicate::str::contains("chip is back (bes2600_wlan)\n"));
    let drv = root.join("sys/bus/platform/drivers/bes2600-vsdio");
    for f in ["unbind", "bind"] {
        assert_eq!(fs::read_to_string(drv.join(f)).unwrap(), "bes2600-vsdio");
    }
    assert!(!log.exists(), "no module reload when the chip is back");
}

#[test]
fn watch_applies_the_rate_limit_to_a_fake_event_stream() {
    let t = TempDir::new().unwrap();
    let root = t.path().join("root");
    fake_tree(&root, true);
    let ev = |cause: &str, n: u32| {
        format!("change@/devices/platform/fe2c0000.mmc/ieee80211/phy0\nACTION=change\nBES2600_EVENT=recovery\nBES2600_CAUSE={cause}\nBES2600_COUNT={n}\n\n")
    };
    let mut text = String::from("add@/devices/other\nACTION=add\n\n");
    text += &ev("decrypt_storm", 1);
    for i in 1..=5 {
        text += &ev("fw_hang", i);
    }
    let events = t.path().join("events");
    fs::write(&events, text).unwrap();
    let cfg = config(t.path(), "");
    let out = bin()
        .arg("--sysroot")
        .arg(&root)
        .arg("--config")
        .arg(&cfg)
        .args(["watch", "--dry-run", "--events-from"])
        .arg(&events)
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let log = String::from_utf8_lossy(&out);
    assert_eq!(log.matches("decision=Reset").count(), 1, "{log}");
    assert_eq!(log.matches("decision=Ignored").count(), 1, "{log}");
    assert_eq!(log.matches("decision=Suppressed").count(), 0, "{log}");
    assert!(log.contains("would write fe2c0000.mmc"), "{log}");
    assert!(log.contains("resets=1"), "{log}");
    // A malformed event file is an error.
    fs::write(&events, "garbage line\n\n").unwrap();
    bin()
        .arg("--config")
        .arg(&cfg)
        .args(["watch", "--dry-run", "--events-from"])
        .arg(&events)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("malformed event"));
}

#[test]
fn bad_config_is_an_error_with_the_path() {
    let t = TempDir::new().unwrap();
    let cfg = t.path().join("fw.toml");
    fs::write(&cfg, "[watch]\nthreshold = \"three\"\n").unwrap();
    bin()
        .arg("--config")
        .arg(&cfg)
        .arg("status")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("invalid config").and(predicate::str::contains("fw.toml")),
        );
    bin()
        .arg("--config")
        .arg(t.path().join("absent.toml"))
        .arg("status")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read config"));
    fs::write(&cfg, "[watch]\nthreshold = 0\n").unwrap();
    bin()
        .arg("--config")
        .arg(&cfg)
        .arg("status")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("note:"));
}

#[test]
fn help_everywhere() {
    for sub in [
        &["--help"][..],
        &["verify", "--help"],
        &["install", "--help"],
        &["calib", "--help"],
        &["calib", "convert", "--help"],
        &["status", "--help"],
        &["bus-reset", "--help"],
        &["watch", "--help"],
        &["synth", "--help"],
    ] {
        bin()
            .args(sub)
            .assert()
            .success()
            .stdout(predicate::str::contains("Usage:"));
    }
}

/// Runs `sh -c script` in a private mount namespace; `None` when that is not possible here
/// (not root, or no `unshare`).
fn in_mount_ns(script: &str) -> Option<std::process::Output> {
    if !is_root() {
        return None;
    }
    let probe = StdCommand::new("unshare")
        .args(["-m", "true"])
        .status()
        .ok()?;
    if !probe.success() {
        return None;
    }
    StdCommand::new("unshare")
        .args(["-m", "sh", "-c", script])
        .output()
        .ok()
}

#[test]
fn read_only_root_is_never_written() {
    let t = TempDir::new().unwrap();
    let set = synth_set(t.path());
    let ro = t.path().join("ro");
    fs::create_dir(&ro).unwrap();
    let exe = assert_cmd::cargo::cargo_bin("bes2600-fw");
    let script = format!(
        "mount -t tmpfs none {ro} && mkdir -p {ro}/lib/firmware/bes2600 && mount -o remount,ro {ro} && \
         {exe} install --allow-unknown --from {set} --root {ro}; echo \"rc=$?\"; \
         {exe} calib convert {txt} {ro}/rec.bin; echo \"rc=$?\"; ls -A {ro}/lib/firmware/bes2600",
        ro = ro.display(),
        exe = exe.display(),
        set = set.display(),
        txt = data("factory_golden.txt").display(),
    );
    let Some(out) = in_mount_ns(&script) else {
        eprintln!("skipped: needs root and unshare -m");
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stdout.matches("rc=2").count(), 2, "{stdout}\n{stderr}");
    assert!(stderr.contains("read-only file system"), "{stderr}");
    assert!(stderr.contains("note: nothing was changed"), "{stderr}");
    assert!(
        stdout.trim_end().ends_with("rc=2"),
        "the firmware dir stayed empty: {stdout}"
    );
}
