// SPDX-License-Identifier: GPL-2.0-only
//! `/etc/bes2600/fw.toml`: paths, bus-reset and watch settings. Every key is optional.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// Default location of the configuration file.
pub const DEFAULT_PATH: &str = "/etc/bes2600/fw.toml";

/// The whole configuration file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Firmware locations.
    pub firmware: Firmware,
    /// Bus reset.
    pub reset: Reset,
    /// The uevent watcher.
    pub watch: Watch,
}

/// `[firmware]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Firmware {
    /// Where the images live (spec §2.1).
    pub dir: String,
}

impl Default for Firmware {
    fn default() -> Self {
        Firmware {
            dir: "/lib/firmware/bes2600".into(),
        }
    }
}

/// `[reset]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Reset {
    /// Lock file that keeps two resets from overlapping.
    pub lock_file: String,
    /// Platform device of the SDIO host when the chip is not enumerated (PineTab2
    /// `sdmmc1: mmc@fe2c0000`, spec §6.1).
    pub fallback_host: String,
    /// Platform driver of that host.
    pub fallback_driver: String,
    /// Wait between unbind and bind.
    pub rebind_delay_ms: u64,
    /// How long to wait for the chip to reappear after bind.
    pub reappear_timeout_ms: u64,
    /// Reload the module when the chip does not come back.
    pub escalate_module_reload: bool,
    /// The kernel module name.
    pub module: String,
    /// The modprobe program.
    pub modprobe: String,
}

impl Default for Reset {
    fn default() -> Self {
        Reset {
            lock_file: "/run/bes2600-fw/reset.lock".into(),
            fallback_host: "fe2c0000.mmc".into(),
            fallback_driver: "dwmmc_rockchip".into(),
            rebind_delay_ms: 500,
            reappear_timeout_ms: 10_000,
            escalate_module_reload: true,
            module: "bes2600".into(),
            modprobe: "/sbin/modprobe".into(),
        }
    }
}

/// `[watch]`: rate-limited recovery (DESIGN §4: 3 events in 60 s by default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Watch {
    /// Causes that count towards a reset (`BES2600_CAUSE` values).
    pub causes: Vec<String>,
    /// Events within `window_secs` that trigger a reset.
    pub threshold: u32,
    /// The sliding window.
    pub window_secs: u64,
    /// Minimum time between two resets.
    pub min_interval_secs: u64,
    /// Resets allowed per hour; beyond it the watcher only logs.
    pub max_resets_per_hour: u32,
}

impl Default for Watch {
    fn default() -> Self {
        Watch {
            causes: ["fw_hang", "cmd_timeout", "bus_error", "connection_loss"]
                .map(String::from)
                .to_vec(),
            threshold: 3,
            window_secs: 60,
            min_interval_secs: 120,
            max_resets_per_hour: 4,
        }
    }
}

impl Config {
    /// Loads `path`; a missing file gives the defaults only when `optional`.
    ///
    /// # Errors
    ///
    /// Unreadable or invalid TOML, with the path.
    pub fn load(path: &Path, optional: bool) -> Result<Config> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if optional && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Config::default())
            }
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read config {}", path.display()))
            }
        };
        let cfg: Config =
            toml::from_str(&text).with_context(|| format!("invalid config {}", path.display()))?;
        if cfg.watch.threshold == 0 {
            return Err(super::noted(
                format!("invalid config {}: watch.threshold is 0", path.display()),
                &["set it to 1 or more (default 3)"],
            ));
        }
        Ok(cfg)
    }

    /// The firmware directory under a sysroot.
    pub fn firmware_dir(&self, sysroot: &Path) -> PathBuf {
        super::under(sysroot, &self.firmware.dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_default_config_parses_to_the_defaults() {
        let text = include_str!("../../config/fw.toml");
        let cfg: Config = toml::from_str(text).unwrap();
        assert_eq!(cfg, Config::default());
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<Config>("[watch]\nthreshhold = 3\n").is_err());
    }
}
