// SPDX-License-Identifier: GPL-2.0-only
//! `bes2600-fw`: verify, install and inspect BES2600 firmware and calibration, report the
//! driver's status, and recover a wedged chip. Parsing and reporting only; the logic lives
//! in `bes2600_fw::cli`.
//!
//! Exit codes: see [`EXIT_CODES`].

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use bes2600_fw::cli::{self, busreset, calib, install, progress, status, verify, watch, Config};
use clap::{Parser, Subcommand};

/// The exit codes, shown by `--help` and in the README.
const EXIT_CODES: &str = "\
Exit codes:
  0  success: every file verified (a published build, or an unknown one under
     --allow-unknown), the set was installed, the command did its work
  1  a check failed: a file is not an image the chip would run in its role, or
     not a published build; `install` refused the set and wrote nothing;
     `calib check` found errors
  2  an error: bad usage, a file or directory that cannot be read, an I/O failure
     (after which `install` has left the installed set as it was)";

/// Verify, install and inspect BES2600 (BEST2002) Wi-Fi firmware; report driver status and
/// recover a wedged chip.
#[derive(Debug, Parser)]
#[command(
    name = "bes2600-fw",
    version,
    propagate_version = true,
    after_help = EXIT_CODES
)]
struct Args {
    /// Configuration file [default: <sysroot>/etc/bes2600/fw.toml, optional]
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Root of the sysfs/debugfs/firmware tree to read (for tests and images)
    #[arg(long, global = true, value_name = "DIR", default_value = "/")]
    sysroot: PathBuf,
    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    json: bool,
    /// More log output (repeat for debug)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Check firmware images: structure, role, and whether each is a published vendor build
    /// (spec §2.1-2.2)
    #[command(after_help = EXIT_CODES)]
    Verify {
        /// Image files
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Accept a well-formed image that is not a published build (with a warning)
        #[arg(long)]
        allow_unknown: bool,
    },
    /// Verify a firmware set and install it all or nothing under the firmware directory
    #[command(after_help = EXIT_CODES)]
    Install {
        /// Directory holding best2002_fw_*.bin (and optionally bes2600_factory.txt)
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        /// Install into this root instead of / (e.g. an image staging tree)
        #[arg(long, value_name = "DIR", default_value = "/")]
        root: PathBuf,
        /// Accept well-formed images that are not published builds (with a warning)
        #[arg(long)]
        allow_unknown: bool,
    },
    /// Factory calibration file (bes2600_factory.txt or the 72-byte record)
    Calib {
        #[command(subcommand)]
        cmd: CalibCmd,
    },
    /// Driver status: module, firmware version, interface, counters, recovery events
    Status,
    /// Unbind and rebind the chip's SDIO host controller (module reload as escalation)
    BusReset {
        /// Print the steps without doing anything
        #[arg(long)]
        dry_run: bool,
    },
    /// Listen for the driver's recovery uevents and apply rate-limited bus resets
    Watch {
        /// Log decisions but do not reset
        #[arg(long)]
        dry_run: bool,
        /// Read events from a file (blank-line separated blocks) instead of netlink
        #[arg(long, value_name = "FILE")]
        events_from: Option<PathBuf>,
    },
    /// Decode an SDIO bus trace (virtual card or hardware capture; driver/vsdio/README.md)
    Trace {
        /// Trace file
        file: PathBuf,
    },
    /// Write a synthetic firmware set (documented format, no vendor code) for tests
    Synth {
        /// Output directory
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum CalibCmd {
    /// Decode and print the values [default: search the vendor and distro paths]
    Show {
        /// Calibration file
        file: Option<PathBuf>,
    },
    /// Validate; exit 1 on errors (and on warnings with --strict)
    Check {
        /// Calibration file
        file: Option<PathBuf>,
        /// Treat sanity warnings as failures
        #[arg(long)]
        strict: bool,
    },
    /// Convert text to the 72-byte record or back (written atomically)
    Convert {
        /// Input (text or record; detected)
        input: PathBuf,
        /// Output file
        output: PathBuf,
    },
}

/// How a command ended when it did not fail outright.
enum Outcome {
    Ok,
    CheckFailed,
    /// Reported in the output already (e.g. an unreadable file among several).
    Error,
}

fn main() -> ExitCode {
    let args = Args::parse();
    init_logging(&args);
    match run(&args) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::CheckFailed) => ExitCode::from(1),
        Ok(Outcome::Error) => ExitCode::from(2),
        Err(e) => {
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            if e.downcast_ref::<install::Refused>().is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::from(2)
            }
        }
    }
}

fn init_logging(args: &Args) {
    let base = match (&args.cmd, args.verbose) {
        (_, 2..) => "debug",
        (Cmd::Watch { .. }, _) | (_, 1) => "info",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(base));
    let fmt = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    // Under systemd the journal stamps each line itself.
    if std::env::var_os("JOURNAL_STREAM").is_some() {
        fmt.without_time().init();
    } else {
        fmt.init();
    }
}

fn load_config(args: &Args) -> Result<Config> {
    match &args.config {
        Some(p) => Config::load(p, false),
        None => Config::load(&cli::under(&args.sysroot, cli::config::DEFAULT_PATH), true),
    }
}

fn json(out: &mut dyn Write, v: &impl serde::Serialize) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, v)?;
    writeln!(out)?;
    Ok(())
}

fn run(args: &Args) -> Result<Outcome> {
    let cfg = load_config(args)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match &args.cmd {
        Cmd::Verify {
            files,
            allow_unknown,
        } => {
            let policy = verify::Policy {
                allow_unknown: *allow_unknown,
            };
            let reports: Vec<_> = files
                .iter()
                .map(|f| verify::verify_file(f, policy))
                .collect();
            if args.json {
                json(&mut out, &reports)?;
            } else {
                for r in &reports {
                    verify::print_text(r, &mut out)?;
                }
            }
            Ok(if reports.iter().any(|r| r.unreadable) {
                Outcome::Error
            } else if reports.iter().all(|r| r.ok) {
                Outcome::Ok
            } else {
                Outcome::CheckFailed
            })
        }
        Cmd::Install {
            from,
            root,
            allow_unknown,
        } => {
            let mut l = progress::Progress::stderr(args.json);
            let opts = install::Options {
                policy: verify::Policy {
                    allow_unknown: *allow_unknown,
                },
                ..Default::default()
            };
            let done = install::install(from, root, &cfg.firmware.dir, &opts, &mut l)?;
            if args.json {
                json(&mut out, &done)?;
            } else {
                for i in &done {
                    writeln!(out, "installed {} ({} bytes)", i.path.display(), i.size)?;
                }
            }
            Ok(Outcome::Ok)
        }
        Cmd::Calib { cmd } => run_calib(args, cmd, &mut out),
        Cmd::Status => {
            let s = status::read(&args.sysroot, &cfg.reset.module);
            if args.json {
                json(&mut out, &s)?;
            } else {
                status::print_text(&s, &mut out)?;
            }
            Ok(Outcome::Ok)
        }
        Cmd::BusReset { dry_run } => {
            let opts = busreset::Options {
                dry_run: *dry_run,
                require_root: true,
            };
            let mut steps = Vec::new();
            let r = busreset::reset(&args.sysroot, &cfg.reset, &opts, &mut |s| {
                tracing::info!("{s}");
                steps.push(s.to_string());
            });
            if args.json {
                json(
                    &mut out,
                    &serde_json::json!({ "steps": steps, "ok": r.is_ok() }),
                )?;
            } else {
                for s in &steps {
                    writeln!(out, "{s}")?;
                }
            }
            r.map(|()| Outcome::Ok)
        }
        Cmd::Watch {
            dry_run,
            events_from,
        } => run_watch(args, &cfg, *dry_run, events_from.as_deref()),
        Cmd::Trace { file } => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let mut dec = String::new();
            let sum = cli::trace::decode(&text, &mut dec);
            write!(out, "{dec}")?;
            writeln!(
                out,
                "{} lines: {} CMD52, {} CMD53, {} failed, {} unparsed",
                sum.lines, sum.cmd52, sum.cmd53, sum.errors, sum.unparsed
            )?;
            Ok(Outcome::Ok)
        }
        Cmd::Synth { out: dir } => {
            let files = bes2600_fw::synth::write_set(dir)?;
            for f in &files {
                writeln!(out, "wrote {}", f.display())?;
            }
            Ok(Outcome::Ok)
        }
    }
}

fn run_calib(args: &Args, cmd: &CalibCmd, out: &mut dyn Write) -> Result<Outcome> {
    let pick = |f: &Option<PathBuf>| match f {
        Some(p) => Ok(p.clone()),
        None => calib::locate(&args.sysroot),
    };
    match cmd {
        CalibCmd::Show { file } => {
            let l = calib::load(&pick(file)?)?;
            if args.json {
                json(
                    out,
                    &serde_json::json!({ "file": l, "values": factory_json(&l.factory) }),
                )?;
            } else {
                calib::print_text(&l, out)?;
            }
            Ok(Outcome::Ok)
        }
        CalibCmd::Check { file, strict } => {
            let l = calib::load(&pick(file)?)?;
            let fail = *strict && !l.warnings.is_empty();
            if args.json {
                json(out, &serde_json::json!({ "file": l, "ok": !fail }))?;
            } else {
                for w in &l.warnings {
                    writeln!(out, "warning: {}: {w}", l.path.display())?;
                }
                writeln!(
                    out,
                    "{}: {} ({} fields)",
                    l.path.display(),
                    if fail { "FAILED" } else { "ok" },
                    l.fields
                )?;
            }
            Ok(if fail {
                Outcome::CheckFailed
            } else {
                Outcome::Ok
            })
        }
        CalibCmd::Convert { input, output } => {
            for w in calib::load(input)?.warnings {
                eprintln!("warning: {}: {w}", input.display());
            }
            let f = calib::convert(input, output)?;
            writeln!(out, "wrote {} ({f:?})", output.display())?;
            Ok(Outcome::Ok)
        }
    }
}

fn factory_json(f: &bes2600_fw::calib::Factory) -> serde_json::Value {
    serde_json::json!({
        "magic": f.magic, "version": f.version, "crc": f.crc, "iQ_offset": f.iq_offset,
        "freq_cal": f.freq_cal, "freq_cal_flags": f.freq_cal_flags, "tx_power_ch": f.tx_power_ch,
        "tx_power_type": f.tx_power_type, "temperature": f.temperature,
        "tx_power_ch_5G": f.tx_power_ch_5g, "tx_power_flags_5G": f.tx_power_flags_5g,
        "temperature_5G": f.temperature_5g, "bt_tx_power": f.bt_tx_power, "select_efuse": f.select_efuse,
    })
}

fn run_watch(
    args: &Args,
    cfg: &Config,
    dry_run: bool,
    events_from: Option<&Path>,
) -> Result<Outcome> {
    let mut src: Box<dyn watch::EventSource> = match events_from {
        Some(p) => {
            let f = std::fs::File::open(p)
                .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", p.display()))?;
            Box::new(watch::FileSource::new(std::io::BufReader::new(f)))
        }
        None => Box::new(watch::Netlink::open()?),
    };
    let mut policy = watch::Policy::new(cfg.watch.clone());
    let t0 = std::time::Instant::now();
    tracing::info!(
        threshold = cfg.watch.threshold,
        window_secs = cfg.watch.window_secs,
        "watching for recovery uevents"
    );
    let n = watch::run(
        &mut *src,
        &mut policy,
        &mut || t0.elapsed().as_secs(),
        &mut || {
            let opts = busreset::Options {
                dry_run,
                require_root: true,
            };
            busreset::reset(&args.sysroot, &cfg.reset, &opts, &mut |s| {
                tracing::info!("bus-reset: {s}")
            })
        },
    )?;
    tracing::info!(resets = n, "event source ended");
    Ok(Outcome::Ok)
}
