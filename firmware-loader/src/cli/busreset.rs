// SPDX-License-Identifier: GPL-2.0-only
//! `bes2600-fw bus-reset`: unbind and rebind the SDIO host controller of the chip, and
//! reload the module when the chip does not come back (spec §5.1, §5.5: there is no soft
//! reset, and without power GPIOs the host rebind is the strongest reset we have).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use nix::fcntl::{Flock, FlockArg};

use super::config::Reset;
use super::{noted, under};

/// SDIO vendor ID of the chip (spec §1.1).
pub const SDIO_VENDOR: &str = "0xbe57";
/// SDIO device ID of the chip (spec §1.1).
pub const SDIO_DEVICE: &str = "0x2002";

/// The SDIO host controller to reset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// Device name (written to unbind/bind), e.g. `fe2c0000.mmc`.
    pub name: String,
    /// Its driver, e.g. `dwmmc_rockchip`. `None` when the host was found through the chip
    /// but no driver is bound to its device: it cannot be unbound, and the reset goes
    /// straight to the module reload.
    pub driver: Option<String>,
    /// The driver's sysfs directory, which holds `unbind` and `bind`: where the device's
    /// `driver` link points (`/sys/bus/<bus>/drivers/<driver>`, so a host on another bus
    /// than platform works too), or `/sys/bus/platform/drivers/<fallback_driver>`.
    pub driver_dir: Option<PathBuf>,
    /// The chip's SDIO function in sysfs, when it is enumerated.
    pub chip: Option<PathBuf>,
}

fn read_trim(p: &Path) -> Option<String> {
    fs::read_to_string(p)
        .ok()
        .map(|s| s.trim().to_ascii_lowercase())
}

/// The chip's SDIO function directory, when enumerated (`vendor`/`device` = be57:2002).
pub fn find_chip(sysroot: &Path) -> Option<PathBuf> {
    let dir = under(sysroot, "/sys/bus/sdio/devices");
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    entries.into_iter().find(|p| {
        read_trim(&p.join("vendor")).as_deref() == Some(SDIO_VENDOR)
            && read_trim(&p.join("device")).as_deref() == Some(SDIO_DEVICE)
    })
}

/// The host controller's device of an SDIO function, by walking up its real sysfs path:
/// the function (`mmcN:RCA:F`) sits in its card (`mmcN:RCA`), the card in the host's class
/// device (`mmcN`), and that in the `mmc_host` class directory of the controller's own
/// device, e.g. `/sys/devices/platform/fe2c0000.mmc/mmc_host/mmc1/mmc1:0001/mmc1:0001:1`.
/// Nothing here depends on the controller's name or bus.
pub fn host_device(func: &Path) -> Option<PathBuf> {
    let real = fs::canonicalize(func).ok()?;
    real.ancestors()
        .skip(1)
        .find(|a| {
            a.parent()
                .and_then(Path::file_name)
                .is_some_and(|n| n == "mmc_host")
        })
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map(Path::to_path_buf)
}

/// The driver bound to a device: its name and sysfs directory, from the `driver` link.
pub fn bound_driver(dev: &Path) -> Option<(String, PathBuf)> {
    let dir = fs::canonicalize(dev.join("driver")).ok()?;
    let name = dir.file_name()?.to_string_lossy().into_owned();
    Some((name, dir))
}

/// Finds the host controller through the chip ([`find_chip`], [`host_device`],
/// [`bound_driver`]), or the configured fallback when the chip is not enumerated.
pub fn find_host(sysroot: &Path, cfg: &Reset) -> Host {
    let chip = find_chip(sysroot);
    if let Some(dev) = chip.as_deref().and_then(host_device) {
        if let Some(name) = dev.file_name() {
            let (driver, driver_dir) = bound_driver(&dev).unzip();
            return Host {
                name: name.to_string_lossy().into_owned(),
                driver,
                driver_dir,
                chip,
            };
        }
    }
    Host {
        name: cfg.fallback_host.clone(),
        driver: Some(cfg.fallback_driver.clone()),
        driver_dir: Some(under(
            sysroot,
            &format!("/sys/bus/platform/drivers/{}", cfg.fallback_driver),
        )),
        chip,
    }
}

/// Options of one reset.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only print the steps.
    pub dry_run: bool,
    /// Refuse unless running as root (off only for tests of a fake tree).
    pub require_root: bool,
}

/// Performs (or with `dry_run` describes) a bus reset; returns the log of steps.
///
/// # Errors
///
/// Not root, the lock is held by another reset, or a sysfs write fails.
pub fn reset(sysroot: &Path, cfg: &Reset, opts: &Options, log: &mut dyn FnMut(&str)) -> Result<()> {
    if !opts.dry_run && opts.require_root && !nix::unistd::geteuid().is_root() {
        return Err(noted(
            "bus-reset needs root",
            &[
                "it writes to /sys/bus/platform/drivers/*/unbind and bind",
                "use --dry-run to see the steps",
            ],
        ));
    }
    let _lock = if opts.dry_run {
        None
    } else {
        Some(take_lock(&under(sysroot, &cfg.lock_file))?)
    };
    let host = find_host(sysroot, cfg);
    let driver = host.driver.as_deref().unwrap_or("no driver bound");
    match &host.chip {
        Some(c) => log(&format!(
            "chip be57:2002 at {} on host {} ({driver})",
            c.display(),
            host.name,
        )),
        None => log(&format!(
            "chip be57:2002 not enumerated; using the configured host {} ({driver})",
            host.name,
        )),
    }
    let timeout = Duration::from_millis(cfg.reappear_timeout_ms);
    // What stopped the rebind from bringing the chip back, for the escalation's message.
    let why = match &host.driver_dir {
        None => {
            log(&format!(
                "host {} has no driver bound: it cannot be unbound and bound again",
                host.name
            ));
            format!("host {} cannot be rebound (no driver bound)", host.name)
        }
        Some(dir) => match rebind(cfg, opts, &host.name, dir, log) {
            Err(e) => {
                log(&format!("rebind of {} failed: {e:#}", host.name));
                format!("rebinding host {} failed", host.name)
            }
            Ok(()) if opts.dry_run => {
                log(&format!(
                    "would wait up to {} ms for the chip to reappear with its driver",
                    cfg.reappear_timeout_ms
                ));
                String::new()
            }
            Ok(()) => {
                if let Some(drv) = wait_for_chip(sysroot, timeout) {
                    log(&format!("chip is back ({drv})"));
                    return Ok(());
                }
                log(&format!(
                    "chip did not come back with its driver within {} ms",
                    cfg.reappear_timeout_ms
                ));
                format!(
                    "chip did not reappear within {} ms after rebinding {}",
                    cfg.reappear_timeout_ms, host.name
                )
            }
        },
    };
    let rebound = host.driver_dir.is_some();
    if opts.dry_run {
        if cfg.escalate_module_reload {
            log(&format!(
                "would reload module {}{}",
                cfg.module,
                if rebound { " if it does not" } else { "" }
            ));
        }
        return Ok(());
    }
    if !cfg.escalate_module_reload {
        return Err(noted(
            why,
            &[
                "module reload is disabled (reset.escalate_module_reload)",
                "a wedged chip may need a power cycle (spec §5.1)",
            ],
        ));
    }
    for args in [vec!["-r", cfg.module.as_str()], vec![cfg.module.as_str()]] {
        log(&format!("run {} {}", cfg.modprobe, args.join(" ")));
        let st = std::process::Command::new(&cfg.modprobe)
            .args(&args)
            .status()
            .with_context(|| format!("cannot run {}", cfg.modprobe))?;
        if !st.success() {
            return Err(noted(
                format!("{} {} failed ({st})", cfg.modprobe, args.join(" ")),
                &[],
            ));
        }
    }
    if let Some(drv) = wait_for_chip(sysroot, timeout) {
        log(&format!("chip is back after the module reload ({drv})"));
        Ok(())
    } else if rebound {
        Err(noted(
            "chip did not reappear after the host rebind and the module reload",
            &["a wedged chip may need a board power cycle (spec §5.1, §7 #20)"],
        ))
    } else {
        Err(noted(
            "chip did not reappear after the module reload",
            &["a wedged chip may need a board power cycle (spec §5.1, §7 #20)"],
        ))
    }
}

/// Writes the host's device name to its driver's `unbind`, waits, then to `bind`; a failed
/// bind is tried once more after the same wait (the host stays unbound otherwise).
///
/// # Errors
///
/// The unbind write fails (nothing changed), or both bind writes fail.
fn rebind(
    cfg: &Reset,
    opts: &Options,
    name: &str,
    drv: &Path,
    log: &mut dyn FnMut(&str),
) -> Result<()> {
    let prefix = if opts.dry_run { "would " } else { "" };
    let delay = Duration::from_millis(cfg.rebind_delay_ms);
    let write = |op: &str, log: &mut dyn FnMut(&str)| -> Result<()> {
        let path = drv.join(op);
        log(&format!("{prefix}write {name} to {}", path.display()));
        if opts.dry_run {
            return Ok(());
        }
        fs::write(&path, name).with_context(|| format!("cannot write {name} to {}", path.display()))
    };
    write("unbind", log)?;
    log(&format!("{prefix}wait {} ms", cfg.rebind_delay_ms));
    if !opts.dry_run {
        std::thread::sleep(delay);
    }
    if let Err(e) = write("bind", log) {
        log(&format!(
            "{e:#}; binding once more in {} ms",
            cfg.rebind_delay_ms
        ));
        std::thread::sleep(delay);
        write("bind", log)?;
    }
    Ok(())
}

/// Waits until the chip's SDIO function is enumerated with a driver bound (its probe,
/// the firmware download included, succeeded); returns the driver's name.
fn wait_for_chip(sysroot: &Path, timeout: Duration) -> Option<String> {
    let t0 = Instant::now();
    loop {
        if let Some((drv, _)) = find_chip(sysroot).as_deref().and_then(bound_driver) {
            return Some(drv);
        }
        if t0.elapsed() >= timeout {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Takes the reset lock without waiting.
///
/// # Errors
///
/// Another reset holds it, or the file cannot be created.
pub fn take_lock(path: &Path) -> Result<Flock<fs::File>> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let f = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("cannot open lock file {}", path.display()))?;
    Flock::lock(f, FlockArg::LockExclusiveNonblock).map_err(|(_, e)| {
        if e == nix::errno::Errno::EWOULDBLOCK {
            noted(
                "another bus reset is in progress",
                &[&format!("lock file {} is held", path.display())],
            )
        } else {
            anyhow::Error::new(e).context(format!("cannot lock {}", path.display()))
        }
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use tempfile::TempDir;

    use super::*;

    /// A fake sysfs: a host controller device at `sys/devices/<host_dev>` on `bus`, with
    /// its driver bound when `host_driver` is given, the chip's function below it (bound to
    /// bes2600_wlan when `chip_bound`), and the SDIO bus's link to the function.
    struct Tree {
        dir: TempDir,
    }

    impl Tree {
        fn new(host_dev: &str, bus: &str, host_driver: Option<&str>, chip_bound: bool) -> Self {
            let dir = TempDir::new().unwrap();
            let root = dir.path();
            let dev = root.join("sys/devices").join(host_dev);
            let func = dev.join("mmc_host/mmc1/mmc1:0001/mmc1:0001:1");
            fs::create_dir_all(&func).unwrap();
            fs::write(func.join("vendor"), "0xbe57\n").unwrap();
            fs::write(func.join("device"), "0x2002\n").unwrap();
            // A second, unrelated SDIO function on another host (sorted first).
            let other =
                root.join("sys/devices/platform/other.mmc/mmc_host/mmc0/mmc0:0001/mmc0:0001:1");
            fs::create_dir_all(&other).unwrap();
            fs::write(other.join("vendor"), "0x02d0\n").unwrap();
            fs::write(other.join("device"), "0x4345\n").unwrap();
            let sdio = root.join("sys/bus/sdio/devices");
            fs::create_dir_all(&sdio).unwrap();
            symlink(&other, sdio.join("mmc0:0001:1")).unwrap();
            symlink(&func, sdio.join("mmc1:0001:1")).unwrap();
            let wlan = root.join("sys/bus/sdio/drivers/bes2600_wlan");
            fs::create_dir_all(&wlan).unwrap();
            if chip_bound {
                symlink(&wlan, func.join("driver")).unwrap();
            }
            if let Some(drv) = host_driver {
                let d = root.join("sys/bus").join(bus).join("drivers").join(drv);
                fs::create_dir_all(&d).unwrap();
                fs::write(d.join("unbind"), "").unwrap();
                fs::write(d.join("bind"), "").unwrap();
                symlink(&d, dev.join("driver")).unwrap();
            }
            Self { dir }
        }

        fn root(&self) -> &Path {
            self.dir.path()
        }

        fn real(&self, p: &str) -> PathBuf {
            fs::canonicalize(self.root().join(p)).unwrap()
        }
    }

    fn cfg(modprobe: &str, escalate: bool) -> Reset {
        Reset {
            lock_file: "/run/bes2600-fw/reset.lock".into(),
            fallback_host: "fallback.mmc".into(),
            fallback_driver: "fallback_drv".into(),
            rebind_delay_ms: 1,
            reappear_timeout_ms: 200,
            escalate_module_reload: escalate,
            module: "bes2600".into(),
            modprobe: modprobe.into(),
        }
    }

    const RUN: Options = Options {
        dry_run: false,
        require_root: false,
    };

    fn run(t: &Tree, c: &Reset) -> (Result<()>, Vec<String>) {
        let mut steps = Vec::new();
        let r = reset(t.root(), c, &RUN, &mut |s| steps.push(s.to_string()));
        (r, steps)
    }

    #[test]
    fn walks_from_the_function_to_a_dw_mmc_host() {
        let t = Tree::new(
            "platform/fe2c0000.mmc",
            "platform",
            Some("dwmmc_rockchip"),
            true,
        );
        let h = find_host(t.root(), &cfg("/bin/true", true));
        assert_eq!(h.name, "fe2c0000.mmc");
        assert_eq!(h.driver.as_deref(), Some("dwmmc_rockchip"));
        assert_eq!(
            h.driver_dir,
            Some(t.real("sys/bus/platform/drivers/dwmmc_rockchip"))
        );
        assert_eq!(
            h.chip,
            Some(t.root().join("sys/bus/sdio/devices/mmc1:0001:1"))
        );
        assert_eq!(
            host_device(&t.root().join("sys/bus/sdio/devices/mmc1:0001:1")),
            Some(t.real("sys/devices/platform/fe2c0000.mmc"))
        );
    }

    #[test]
    fn the_host_may_sit_on_another_bus_under_any_name() {
        // An sdhci on PCI: the driver directory comes from the device's own link.
        let t = Tree::new("pci0000:00/0000:00:14.7", "pci", Some("sdhci-pci"), true);
        let h = find_host(t.root(), &cfg("/bin/true", true));
        assert_eq!(h.name, "0000:00:14.7");
        assert_eq!(h.driver_dir, Some(t.real("sys/bus/pci/drivers/sdhci-pci")));
        let (r, steps) = run(&t, &cfg("/bin/false", true));
        assert!(r.is_ok(), "{steps:?}");
        let d = t.root().join("sys/bus/pci/drivers/sdhci-pci");
        assert_eq!(
            fs::read_to_string(d.join("unbind")).unwrap(),
            "0000:00:14.7"
        );
        assert_eq!(fs::read_to_string(d.join("bind")).unwrap(), "0000:00:14.7");
        assert_eq!(steps.last().unwrap(), "chip is back (bes2600_wlan)");
    }

    #[test]
    fn a_host_without_a_driver_is_found_but_not_rebound() {
        let t = Tree::new("platform/bes2600-vsdio", "platform", None, true);
        let h = find_host(t.root(), &cfg("/bin/true", true));
        assert_eq!(
            (h.name.as_str(), h.driver, h.driver_dir),
            ("bes2600-vsdio", None, None)
        );
        let (r, steps) = run(&t, &cfg("/bin/true", true));
        assert!(r.is_ok(), "{steps:?}");
        assert!(steps.iter().all(|s| !s.starts_with("write")), "{steps:?}");
        assert_eq!(
            steps.last().unwrap(),
            "chip is back after the module reload (bes2600_wlan)"
        );
    }

    #[test]
    fn no_chip_means_the_configured_host() {
        let t = Tree::new(
            "platform/fe2c0000.mmc",
            "platform",
            Some("dwmmc_rockchip"),
            true,
        );
        fs::remove_file(t.root().join("sys/bus/sdio/devices/mmc1:0001:1")).unwrap();
        let h = find_host(t.root(), &cfg("/bin/true", true));
        assert_eq!(h.name, "fallback.mmc");
        assert_eq!(h.chip, None);
        assert_eq!(
            h.driver_dir,
            Some(t.root().join("sys/bus/platform/drivers/fallback_drv"))
        );
    }

    #[test]
    fn a_failed_unbind_escalates_without_binding() {
        let t = Tree::new(
            "platform/fe2c0000.mmc",
            "platform",
            Some("dwmmc_rockchip"),
            true,
        );
        let d = t.root().join("sys/bus/platform/drivers/dwmmc_rockchip");
        // A directory in place of the file: the write fails, as the kernel's -ENODEV would.
        fs::remove_file(d.join("unbind")).unwrap();
        fs::create_dir(d.join("unbind")).unwrap();
        let (r, steps) = run(&t, &cfg("/bin/true", true));
        assert!(r.is_ok(), "{steps:?}");
        assert!(
            steps
                .iter()
                .any(|s| s.starts_with("rebind of fe2c0000.mmc failed")),
            "{steps:?}"
        );
        assert_eq!(
            fs::read_to_string(d.join("bind")).unwrap(),
            "",
            "not bound after a failed unbind"
        );
        assert!(
            steps.iter().any(|s| s == "run /bin/true -r bes2600"),
            "{steps:?}"
        );
        // Without the escalation the failure is the answer.
        let (r, _) = run(&t, &cfg("/bin/true", false));
        let e = format!("{:#}", r.unwrap_err());
        assert!(e.contains("rebinding host fe2c0000.mmc failed"), "{e}");
    }

    #[test]
    fn a_failed_bind_is_retried_then_escalates() {
        let t = Tree::new(
            "platform/fe2c0000.mmc",
            "platform",
            Some("dwmmc_rockchip"),
            true,
        );
        let d = t.root().join("sys/bus/platform/drivers/dwmmc_rockchip");
        fs::remove_file(d.join("bind")).unwrap();
        fs::create_dir(d.join("bind")).unwrap();
        let (r, steps) = run(&t, &cfg("/bin/true", true));
        assert!(r.is_ok(), "{steps:?}");
        let binds = steps
            .iter()
            .filter(|s| s.starts_with("write fe2c0000.mmc to") && s.ends_with("/bind"))
            .count();
        assert_eq!(binds, 2, "{steps:?}");
        assert_eq!(
            fs::read_to_string(d.join("unbind")).unwrap(),
            "fe2c0000.mmc"
        );
        assert!(
            steps.iter().any(|s| s.starts_with("run /bin/true")),
            "{steps:?}"
        );
    }

    #[test]
    fn a_chip_that_comes_back_without_its_driver_escalates() {
        // Enumerated again but the driver's probe failed (no `driver` link): not back.
        let t = Tree::new(
            "platform/fe2c0000.mmc",
            "platform",
            Some("dwmmc_rockchip"),
            false,
        );
        let (r, steps) = run(&t, &cfg("/bin/true", true));
        let e = format!("{:#}", r.unwrap_err());
        assert!(
            e.contains("did not reappear after the host rebind and the module reload"),
            "{e}"
        );
        assert!(
            steps
                .iter()
                .any(|s| s == "chip did not come back with its driver within 200 ms"),
            "{steps:?}"
        );
        let (r, _) = run(&t, &cfg("/bin/true", false));
        let e = format!("{:#}", r.unwrap_err());
        assert!(
            e.contains("did not reappear within 200 ms after rebinding fe2c0000.mmc"),
            "{e}"
        );
    }

    #[test]
    fn dry_run_writes_nothing() {
        let t = Tree::new(
            "platform/fe2c0000.mmc",
            "platform",
            Some("dwmmc_rockchip"),
            true,
        );
        let mut steps = Vec::new();
        let opts = Options {
            dry_run: true,
            require_root: true,
        };
        reset(t.root(), &cfg("/bin/false", true), &opts, &mut |s| {
            steps.push(s.to_string())
        })
        .unwrap();
        let d = t.root().join("sys/bus/platform/drivers/dwmmc_rockchip");
        assert_eq!(fs::read_to_string(d.join("unbind")).unwrap(), "");
        assert!(
            steps
                .iter()
                .any(|s| s.starts_with("would write fe2c0000.mmc to")),
            "{steps:?}"
        );
        assert_eq!(
            steps.last().unwrap(),
            "would reload module bes2600 if it does not"
        );
        assert!(!t.root().join("run").exists(), "no lock taken");
    }
}
