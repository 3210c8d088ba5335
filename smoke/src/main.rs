//! `bes2600-smoke`: command line of the boot-time Wi-Fi smoke test.
//!
//! Exit codes: 0 pass, 1 fail (the verdict names the cause), 2 error (bad configuration, a local
//! resource unavailable, an output that cannot be written).
#![forbid(unsafe_code)]

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Context;
use bes2600_smoke::config::{Config, PeerKind, TestKind, DEFAULT_CONTROL_PORT};
use bes2600_smoke::listener::Listener;
use bes2600_smoke::report::{mb_per_s, Check, CheckStatus, TestOutcome};
use bes2600_smoke::verdict::Outcome;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

/// Default configuration file on the device.
const DEFAULT_CONFIG: &str = "/etc/bes2600/smoke.toml";

/// `--plot`'s help: which formats this build writes.
#[cfg(feature = "png")]
const PLOT_HELP: &str = "Write the throughput plot here (.svg or .png)";
#[cfg(not(feature = "png"))]
const PLOT_HELP: &str = "Write the throughput plot here (.svg; .png needs a build with the `png` \
                         cargo feature: cargo build -p bes2600-smoke --features png)";

#[derive(Parser, Debug)]
#[command(
    version,
    about = "BES2600 boot-time Wi-Fi smoke test and its throughput peer"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check the driver, the radio and the link, measure throughput if a peer is set, judge it
    /// (exit 0 pass, 1 fail, 2 error).
    Run(RunArgs),
    /// Be the peer of `run` on another host of the LAN (or another network namespace).
    Serve(ServeArgs),
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Configuration file (built-in defaults if the default path does not exist).
    #[arg(short, long, value_name = "FILE", default_value = DEFAULT_CONFIG)]
    config: PathBuf,
    /// Root under which /proc, /sys and debugfs are read (tests use a fake tree).
    #[arg(long, value_name = "DIR", default_value = "/")]
    sysroot: PathBuf,
    /// Peer: HOST[:PORT], `sim` for the simulated chip's stream, or `none` (no throughput).
    #[arg(long, value_name = "ADDR")]
    peer: Option<String>,
    /// What the peer runs: `serve` (bes2600-smoke serve) or `iperf3` (iperf3 -s).
    #[arg(long, value_name = "KIND")]
    peer_kind: Option<PeerKind>,
    /// Interface under test (overrides [interface] name).
    #[arg(short, long, value_name = "IF")]
    interface: Option<String>,
    /// Seconds of traffic per measurement (overrides [test] duration_s).
    #[arg(short, long, value_name = "S")]
    duration: Option<u64>,
    /// Measurements, comma-separated: tcp-rx,tcp-tx,udp-rx,udp-tx (overrides [test] tests).
    #[arg(short, long, value_name = "LIST", value_delimiter = ',')]
    tests: Option<Vec<TestKind>>,
    /// Write the JSON report here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    #[arg(long, value_name = "FILE", help = PLOT_HELP)]
    plot: Option<PathBuf>,
    /// Print only the verdict line.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// Address to listen on for control connections.
    #[arg(short, long, value_name = "ADDR", default_value_t = SocketAddr::from(([0, 0, 0, 0], DEFAULT_CONTROL_PORT)))]
    listen: SocketAddr,
    /// Exit after this many measurements (default: serve forever).
    #[arg(long, value_name = "N")]
    sessions: Option<usize>,
}

/// Progress: a bar per measurement on a terminal, log lines otherwise (e.g. the journal).
struct Progress {
    tty: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Progress {
    fn new() -> Self {
        Self {
            tty: std::io::stderr().is_terminal(),
            bar: Mutex::new(None),
        }
    }
}

impl Listener for Progress {
    fn check(&self, c: &Check) {
        match c.status {
            CheckStatus::Pass => tracing::info!("check {}: ok: {}", c.name, c.detail),
            CheckStatus::Skipped => tracing::info!("check {}: skipped: {}", c.name, c.detail),
            CheckStatus::Fail => tracing::error!("check {}: FAILED: {}", c.name, c.detail),
        }
    }

    fn test_started(&self, name: &str, windows: usize) {
        tracing::info!("{name}: measuring for {windows} s");
        if self.tty {
            let bar = ProgressBar::new(windows as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{prefix:>7} [{bar:30}] {pos}/{len} s  {msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(name.to_owned());
            if let Ok(mut b) = self.bar.lock() {
                *b = Some(bar);
            }
        }
    }

    fn window(&self, name: &str, index: usize, bytes: u64) {
        match self.bar.lock().ok().as_ref().and_then(|b| b.as_ref()) {
            Some(bar) => {
                bar.set_message(mb_per_s(bytes));
                bar.inc(1);
            }
            None => tracing::debug!("{name}: window {index}: {}", mb_per_s(bytes)),
        }
    }

    fn test_finished(&self, t: &TestOutcome) {
        if let Some(bar) = self.bar.lock().ok().and_then(|mut b| b.take()) {
            bar.finish_and_clear();
        }
        match &t.stats {
            Some(s) => tracing::info!(
                "{}: median {}, worst {}, {} zero windows",
                t.name,
                mb_per_s(s.median_bytes_per_s),
                mb_per_s(s.worst_bytes_per_s),
                s.zero_windows
            ),
            None => tracing::warn!("{}: not measured: {}", t.name, t.errors.join("; ")),
        }
    }

    fn note(&self, message: &str) {
        tracing::info!("{message}");
    }

    fn warning(&self, message: &str) {
        tracing::warn!("{message}");
    }
}

fn load_config(args: &RunArgs) -> anyhow::Result<Config> {
    let mut cfg =
        if args.config.as_path() == std::path::Path::new(DEFAULT_CONFIG) && !args.config.exists() {
            tracing::info!("{DEFAULT_CONFIG} not found: using built-in defaults");
            Config::default()
        } else {
            Config::load(&args.config)?
        };
    if let Some(p) = &args.peer {
        cfg.peer.address = p.clone();
    }
    if let Some(k) = args.peer_kind {
        cfg.peer.kind = k;
    }
    if let Some(i) = &args.interface {
        cfg.interface.name = i.clone();
    }
    if let Some(d) = args.duration {
        cfg.test.duration_s = d;
    }
    if let Some(t) = &args.tests {
        cfg.test.tests = t.iter().map(ToString::to_string).collect();
    }
    cfg.validate()
        .with_context(|| "invalid settings after command-line overrides")?;
    Ok(cfg)
}

fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let cfg = load_config(args)?;
    // A plot this build cannot write is an error before the run, not after it.
    if let Some(path) = &args.plot {
        bes2600_smoke::plot::format(path)?;
    }
    let progress = Progress::new();
    let report = bes2600_smoke::run::run(&cfg, &args.sysroot, &progress)?;
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write JSON report {}", path.display()))?;
    }
    if let Some(path) = &args.plot {
        let text = bes2600_smoke::plot::plot(
            &report,
            path,
            &cfg.plot.fonts,
            cfg.thresholds.min_median_bytes_per_s,
        )?;
        if !text {
            tracing::warn!("no font found in [plot] fonts: the plot has no text");
        }
    }
    let summary = report.summary();
    let text = if args.quiet {
        summary
            .lines()
            .find(|l| l.starts_with("verdict:"))
            .map(|l| format!("{l}\n"))
            .unwrap_or_default()
    } else {
        summary
    };
    // A closed stdout (`| head`) must not turn a verdict into a panic; the exit code stands.
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(e).context("cannot write the summary");
        }
        _ => {}
    }
    Ok(match report.verdict.result {
        Outcome::Pass => ExitCode::SUCCESS,
        Outcome::Fail => ExitCode::from(1),
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    // The journal stamps every line itself.
    if std::env::var_os("JOURNAL_STREAM").is_some() {
        fmt.without_time().init();
    } else {
        fmt.init();
    }
    let result = match &cli.command {
        Command::Run(args) => run(args),
        Command::Serve(args) => {
            let progress = Progress::new();
            bes2600_smoke::serve::serve(args.listen, args.sessions, &progress)
                .with_context(|| format!("cannot serve on {}", args.listen))
                .map(|()| ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::from(2)
    })
}
