//! hwsim-medium: a medium for mac80211_hwsim over its generic netlink interface, as
//! wmediumd is, for the QEMU e2e (issues 16 and 18).
//!
//! - `bridge`: forwards every frame a hwsim radio transmits to the other radios and, with
//!   `--air`, to the simulated BES2600's air endpoint; frames the chip transmits go to the
//!   radios; TX status (acknowledged when the unicast receiver exists) goes back to both.
//! - `inject`: the medium plus the simulated AP's downlink UDP stream injected into one radio.
//! - `udp-send`: the uplink sender (stream payload format) for the station side.
//! - `neigh`: a permanent neighbour entry, so the uplink needs no ARP answer.
#![forbid(unsafe_code)]

mod genl;
mod hwsim;
mod inject;
mod medium;
mod neigh;
mod run;
mod sock;
mod udp_send;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand};

use hwsim::Mac;

#[derive(Parser)]
#[command(
    version,
    about = "mac80211_hwsim medium, bridge to the simulated BES2600's air, stream injector"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Register as the medium and carry frames between hwsim radios (and the chip's air).
    Bridge {
        /// The simulated chip's air endpoint (e.g. /sys/kernel/debug/bes2600_vsdio/air).
        #[arg(long)]
        air: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Register as the medium and inject the downlink UDP stream into one radio.
    Inject {
        /// The station interface's MAC address (addr1 of the frames).
        #[arg(long, value_parser = parse_mac)]
        sta: Mac,
        /// The BSSID (the AP's interface address, or the IBSS's BSSID).
        #[arg(long, value_parser = parse_mac)]
        bssid: Mac,
        /// The receiving radio's hwsim address [default: --sta with bit 0x40 of the first
        /// octet set, hwsim's second address of a radio with a default MAC].
        #[arg(long, value_parser = parse_mac)]
        radio: Option<Mac>,
        /// Addressing of the injected frames.
        #[arg(long, value_enum, default_value = "ap")]
        mode: inject::Mode,
        /// IBSS transmitter address [default: --bssid].
        #[arg(long, value_parser = parse_mac)]
        transmitter: Option<Mac>,
        /// UDP payload bytes per datagram (the simulated chip's stream uses 1400).
        #[arg(long, default_value_t = 1400)]
        payload: usize,
        /// Frames per burst (the simulated chip's A-MPDU: 4).
        #[arg(long, default_value_t = 4)]
        burst: u32,
        /// Air rate of the 802.11 frames in kbit/s, paced as the simulated chip paces its
        /// stream; 0 saturates.
        #[arg(long, default_value_t = 20_000)]
        rate_kbps: u64,
        /// Channel frequency in MHz given with each frame [default: the radio's channel].
        #[arg(long)]
        freq: Option<u32>,
        #[command(flatten)]
        common: Common,
    },
    /// Send the uplink UDP stream (stream payload format) and print one JSON line.
    UdpSend {
        /// Destination address:port.
        #[arg(long)]
        dst: SocketAddr,
        /// UDP payload bytes per datagram.
        #[arg(long, default_value_t = 1400)]
        payload: usize,
        /// Seconds to send.
        #[arg(long, default_value_t = 10.0)]
        secs: f64,
        /// UDP payload rate in kbit/s; 0 saturates.
        #[arg(long, default_value_t = 0)]
        rate_kbps: u64,
    },
    /// Add a permanent neighbour entry (the guest's busybox `ip` cannot).
    Neigh {
        /// Interface.
        #[arg(long)]
        dev: String,
        /// IPv4 address.
        #[arg(long)]
        ip: std::net::Ipv4Addr,
        /// Its link-layer address.
        #[arg(long, value_parser = parse_mac)]
        mac: Mac,
    },
}

#[derive(Args)]
struct Common {
    /// A radio's hwsim address known before it transmits (repeatable).
    #[arg(long = "known-radio", value_parser = parse_mac)]
    radios: Vec<Mac>,
    /// Acknowledge and drop (do not forward) data frames to this UDP port: the uplink sink.
    #[arg(long)]
    sink_udp_port: Option<u16>,
    /// Signal reported to receivers, dBm.
    #[arg(long, default_value_t = -50, allow_negative_numbers = true)]
    signal: i32,
    /// Stop after this many seconds [default: run until killed].
    #[arg(long)]
    secs: Option<f64>,
    /// Rewrite this file with the counters (JSON) every second and at the end.
    #[arg(long)]
    stats: Option<PathBuf>,
}

fn parse_mac(s: &str) -> Result<Mac> {
    let mut m = [0u8; 6];
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        bail!("{s}: want six hex octets separated by ':'");
    }
    for (o, p) in m.iter_mut().zip(parts) {
        *o = u8::from_str_radix(p, 16).map_err(|e| anyhow::anyhow!("{s}: {e}"))?;
    }
    Ok(m)
}

fn opts(c: Common, air: Option<PathBuf>) -> run::Opts {
    run::Opts {
        air,
        radios: c.radios,
        sink_udp_port: c.sink_udp_port,
        signal_dbm: c.signal,
        secs: c.secs,
        stats: c.stats,
    }
}

fn main() -> Result<()> {
    match Cli::parse().cmd {
        Cmd::Bridge { air, common } => {
            let st = run::run(&opts(common, air), None)?;
            println!("{}", run::stats_json(&st));
        }
        Cmd::Inject {
            sta,
            bssid,
            radio,
            mode,
            transmitter,
            payload,
            burst,
            rate_kbps,
            freq,
            common,
        } => {
            let radio = radio.unwrap_or({
                let mut r = sta;
                r[0] |= 0x40;
                r
            });
            let cfg = inject::Config {
                radio,
                sta,
                bssid,
                transmitter,
                mode,
                payload,
                burst,
                rate_kbps,
                freq,
                signal_dbm: common.signal,
            };
            let inj = inject::Injector::new(cfg)?;
            let st = run::run(&opts(common, None), Some(inj))?;
            println!("{}", run::stats_json(&st));
        }
        Cmd::UdpSend {
            dst,
            payload,
            secs,
            rate_kbps,
        } => {
            let s = udp_send::run(dst, payload, secs, rate_kbps)?;
            println!(
                "{{\"datagrams\":{},\"bytes\":{},\"errors\":{},\"blocked\":{},\"seconds\":{:.3}}}",
                s.datagrams, s.bytes, s.errors, s.blocked, s.seconds
            );
        }
        Cmd::Neigh { dev, ip, mac } => neigh::run(&dev, ip, &mac)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_parse_and_bad_ones_are_refused() {
        assert_eq!(
            parse_mac("42:00:00:00:01:0a").unwrap(),
            [0x42, 0, 0, 0, 1, 0x0a]
        );
        assert!(parse_mac("42:00:00:00:01").is_err());
        assert!(parse_mac("42:00:00:00:01:zz").is_err());
        assert!(parse_mac("42:00:00:00:01:100").is_err());
    }

    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
