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
    /// Platform device name (written to unbind/bind), e.g. `fe2c0000.mmc`.
    pub name: String,
    /// Its platform driver, e.g. `dwmmc_rockchip`. `None` when the host was found through
    /// the chip but no driver is bound to its device (a host registered without a platform
    /// driver, as the test-only virtual host `bes2600-vsdio`): it cannot be unbound, and the
    /// reset goes straight to the module reload.
    pub driver: Option<String>,
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

/// Finds the host controller: from the chip's sysfs path (`…/<host>/mmc_host/mmcN/…`, the
/// PineTab2's `fe2c0000.mmc` or the virtual `bes2600-vsdio`) and the `driver` link of that
/// device, or the configured fallback when the chip is not enumerated.
pub fn find_host(sysroot: &Path, cfg: &Reset) -> Host {
    let chip = find_chip(sysroot);
    let from_chip = chip.as_ref().and_then(|c| {
        let real = fs::canonicalize(c).ok()?;
        let parts: Vec<_> = real.components().collect();
        let i = parts.iter().position(|p| p.as_os_str() == "mmc_host")?;
        let platdev: PathBuf = parts.get(..i)?.iter().collect();
        let name = platdev.file_name()?.to_string_lossy().into_owned();
        let driver = fs::read_link(platdev.join("driver"))
            .ok()
            .and_then(|l| l.file_name().map(|n| n.to_string_lossy().into_owned()));
        Some((name, driver))
    });
    let (name, driver) =
        from_chip.unwrap_or_else(|| (cfg.fallback_host.clone(), Some(cfg.fallback_driver.clone())));
    Host { name, driver, chip }
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
    let rebound = match &host.driver {
        Some(driver) => {
            rebind(sysroot, cfg, opts, &host.name, driver, log)?;
            true
        }
        None => {
            log(&format!(
                "host {} has no driver bound: it cannot be unbound and bound again",
                host.name
            ));
            false
        }
    };
    if opts.dry_run {
        if rebound {
            log(&format!(
                "would wait up to {} ms for the chip to reappear",
                cfg.reappear_timeout_ms
            ));
        }
        if cfg.escalate_module_reload {
            log(&format!(
                "would reload module {}{}",
                cfg.module,
                if rebound { " if it does not" } else { "" }
            ));
        }
        return Ok(());
    }
    if rebound && wait_for_chip(sysroot, Duration::from_millis(cfg.reappear_timeout_ms)) {
        log("chip is back");
        return Ok(());
    }
    if !cfg.escalate_module_reload {
        let what = if rebound {
            format!(
                "chip did not reappear within {} ms after rebinding {}",
                cfg.reappear_timeout_ms, host.name
            )
        } else {
            format!("host {} cannot be rebound (no driver bound)", host.name)
        };
        return Err(noted(
            what,
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
    if wait_for_chip(sysroot, Duration::from_millis(cfg.reappear_timeout_ms)) {
        log("chip is back after the module reload");
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

/// Writes the host's device name to its driver's `unbind`, waits, then to `bind`.
fn rebind(
    sysroot: &Path,
    cfg: &Reset,
    opts: &Options,
    name: &str,
    driver: &str,
    log: &mut dyn FnMut(&str),
) -> Result<()> {
    let prefix = if opts.dry_run { "would " } else { "" };
    let drv = under(sysroot, &format!("/sys/bus/platform/drivers/{driver}"));
    for (i, op) in ["unbind", "bind"].into_iter().enumerate() {
        let path = drv.join(op);
        log(&format!("{prefix}write {name} to {}", path.display()));
        if !opts.dry_run {
            fs::write(&path, name)
                .with_context(|| format!("cannot write {name} to {}", path.display()))?;
        }
        if i == 0 {
            log(&format!("{prefix}wait {} ms", cfg.rebind_delay_ms));
            if !opts.dry_run {
                std::thread::sleep(Duration::from_millis(cfg.rebind_delay_ms));
            }
        }
    }
    Ok(())
}

fn wait_for_chip(sysroot: &Path, timeout: Duration) -> bool {
    let t0 = Instant::now();
    loop {
        if find_chip(sysroot).is_some() {
            return true;
        }
        if t0.elapsed() >= timeout {
            return false;
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
