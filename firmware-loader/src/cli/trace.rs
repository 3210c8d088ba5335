// SPDX-License-Identifier: GPL-2.0-only
//! `bes2600-fw trace`: decodes a BES2600 SDIO bus trace, one line per command, as the
//! virtual card of the QEMU e2e records it (`driver/vsdio/README.md` "Bus trace") or as a
//! PineTab2 owner captures it on hardware in the same format:
//!
//! ```text
//! <ns> CMD52 arg=0x<8 hex> resp=0x<2 hex>
//! <ns> CMD53 arg=0x<8 hex> blksz=<n> blocks=<n> bytes=<n> [head=<8 hex>]
//! <ns> GPIO <name>=<0|1>
//! <ns> RESET
//! ```
//!
//! Each line becomes the time since the previous one, the decoded fields, the bring-up
//! phase (enumeration, probe, download, wifi-start, firmware) and, where a CMD53's `head`
//! holds a WSM or boot-ROM header, the message.
//!
//! `GPIO wake=<0|1>` is the host-to-chip wake line (`wakeup-gpios`, spec §1.8) at its logical
//! level. The vendor asserts it before enabling function 1 and waits 10 ms
//! (C:bes2600_sdio.c:1858, 1378-1382): the first function-1 CMD53 says how long the line had
//! been up, or that it was low (a sleeping MCU does not answer). A trace without GPIO lines
//! (a capture that did not record the line) says nothing about it.

use std::fmt::Write as _;

use bes2600_wire::wsm::WSM_MSG_ID_MASK;

/// The bring-up phase a command belongs to, inferred from the commands before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The MMC core identifies the card (CCCR, CIS).
    Enumeration,
    /// The driver enables function 1.
    Probe,
    /// Boot-ROM download (spec §2.3-2.5).
    Download,
    /// WIFI_ACTIVATE sent, waiting for the firmware (spec §1.9, §3.1).
    WifiStart,
    /// The WSM firmware runs: RX bursts and TX slots (spec §1.3-1.7).
    Firmware,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Enumeration => "enumeration",
            Phase::Probe => "probe",
            Phase::Download => "download",
            Phase::WifiStart => "wifi-start",
            Phase::Firmware => "firmware",
        }
    }
}

/// What a whole trace held.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Lines decoded.
    pub lines: usize,
    /// CMD52 / CMD53 lines.
    pub cmd52: usize,
    /// CMD53 lines.
    pub cmd53: usize,
    /// Lines that failed (` err=`).
    pub errors: usize,
    /// Lines that did not parse.
    pub unparsed: usize,
    /// GPIO lines.
    pub gpio: usize,
    /// Whether the wake line was asserted at the first function-1 CMD53 (`None`: no such
    /// CMD53, or no wake line in the trace before it).
    pub wake_before_first_cmd53: Option<bool>,
}

/// Decodes trace lines in order.
#[derive(Debug)]
pub struct Decoder {
    phase: Phase,
    last_ns: Option<u64>,
    /// The wake line's level and since when (`None`: not in the trace yet).
    wake: Option<(bool, u64)>,
    /// The wake line's state at the first function-1 CMD53, once there was one.
    first_cmd53_wake: Option<Option<bool>>,
}

impl Default for Decoder {
    fn default() -> Self {
        Self {
            phase: Phase::Enumeration,
            last_ns: None,
            wake: None,
            first_cmd53_wake: None,
        }
    }
}

fn field<'a>(words: &[&'a str], key: &str) -> Option<&'a str> {
    words.iter().find_map(|w| w.strip_prefix(key))
}

fn hex_u32(s: &str) -> Option<u32> {
    u32::from_str_radix(s.strip_prefix("0x")?, 16).ok()
}

fn fn1_reg_name(addr: u32, phase: Phase) -> &'static str {
    let download = matches!(phase, Phase::Download | Phase::Probe);
    match addr {
        0x000 if download => "REPLY_LEN_LO",
        0x001 if download => "REPLY_LEN_HI",
        0x000 => "RX_STATUS",
        0x001 => "RX_LEN_CTRL",
        0x108 => "SLAVE_RX_BUF_CNT",
        0x109 => "SLAVE_RX_BUF_LEN_LO",
        0x10A => "SLAVE_RX_BUF_LEN_HI",
        0x10C => "SLAVE_STATUS",
        0x120 => "HOST_INT_LO",
        0x121 => "HOST_INT_HI",
        0x124 => "AP_WAKEUP_CFG",
        _ => "?",
    }
}

fn fn0_reg_name(addr: u32) -> &'static str {
    match addr {
        0x00 => "CCCR_REV",
        0x02 => "IOE",
        0x03 => "IOR",
        0x04 => "IEN",
        0x05 => "INT_PENDING",
        0x06 => "ABORT",
        0x07 => "BUS_IF",
        0x08 => "CAPS",
        0x10 | 0x11 => "FN0_BLKSZ",
        0x13 => "SPEED",
        0x110 | 0x111 => "FN1_BLKSZ",
        0x100..=0x1FF => "FBR1",
        0x1000..=0x17FFF => "CIS",
        _ => "CCCR",
    }
}

/// HOST_INT low-byte commands (spec §1.4.1).
fn host_int_names(v: u32) -> String {
    const BITS: [(u32, &str); 7] = [
        (1 << 1, "AP_WAKEUP_CFG"),
        (1 << 2, "MCU_DEACTIVATE"),
        (1 << 3, "MCU_ACTIVATE"),
        (1 << 4, "WIFI_DEACTIVATE"),
        (1 << 5, "WIFI_ACTIVATE"),
        (1 << 6, "WIFI_DEBUG"),
        (1 << 7, "BT_DEACTIVATE"),
    ];
    let names: Vec<&str> = BITS
        .iter()
        .filter(|(b, _)| v & b != 0)
        .map(|(_, n)| *n)
        .collect();
    names.join("|")
}

fn wsm_name(id: u16) -> &'static str {
    match id {
        0x0004 => "transmit",
        0x0005 => "read-mib",
        0x0006 => "write-mib",
        0x0007 => "start-scan",
        0x0008 => "stop-scan",
        0x0009 => "configuration",
        0x000A => "reset",
        0x000B => "join",
        0x000C => "add-key",
        0x000D => "remove-key",
        0x0010 => "set-pm",
        0x0011 => "set-bss-params",
        0x0012 => "set-tx-queue-params",
        0x0013 => "set-edca-params",
        0x0404..=0x043F => "confirm",
        0x0801 => "startup",
        0x0804 => "receive",
        0x0805 => "event",
        0x0806 => "scan-complete",
        0x0800 => "exception",
        _ => "wsm",
    }
}

fn rom_name(t: u8) -> &'static str {
    match t {
        0xB0 => "REPLY",
        0xB1 => "INFO",
        0xB2 => "DATA",
        0xB3 => "END",
        0xB4 => "RUN",
        _ => "frame",
    }
}

impl Decoder {
    /// The phase after the lines seen so far.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Whether the wake line was asserted at the first function-1 CMD53 so far (`None`: no
    /// such CMD53 yet, or the trace had no wake line before it).
    pub fn wake_before_first_cmd53(&self) -> Option<bool> {
        self.first_cmd53_wake.flatten()
    }

    fn gpio(&mut self, ns: u64, words: &[&str]) -> Option<String> {
        let (name, level) = words.get(2)?.split_once('=')?;
        let up = match level {
            "0" => false,
            "1" => true,
            _ => return None,
        };
        if name != "wake" {
            return Some(format!("GPIO {name} = {level}"));
        }
        self.wake = Some((up, ns));
        Some(if up {
            "GPIO wake = 1 (wake line asserted: the chip's MCU may run)".to_string()
        } else {
            "GPIO wake = 0 (wake line released: the chip's MCU may sleep)".to_string()
        })
    }

    /// Decodes one line; `None` for a line that is not a trace line.
    pub fn line(&mut self, line: &str) -> Option<String> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (&ns_s, &kind) = (words.first()?, words.get(1)?);
        let ns: u64 = ns_s.parse().ok()?;
        let delta = self.last_ns.map_or(0, |l| ns.saturating_sub(l) / 1000);
        self.last_ns = Some(ns);
        let body = match kind {
            "CMD52" => self.cmd52(&words)?,
            "CMD53" => self.cmd53(ns, &words)?,
            "RESET" => {
                self.phase = Phase::Enumeration;
                "power-up / reset".to_string()
            }
            "GPIO" => self.gpio(ns, &words)?,
            other => format!("{other} arg={}", field(&words, "arg=").unwrap_or("?")),
        };
        let err = field(&words, "err=").map_or(String::new(), |e| format!(" ERROR {e}"));
        Some(format!(
            "{ns} +{delta}us [{}] {body}{err}",
            self.phase.name()
        ))
    }

    fn cmd52(&mut self, words: &[&str]) -> Option<String> {
        let arg = hex_u32(field(words, "arg=")?)?;
        let resp = hex_u32(field(words, "resp=")?)?;
        let write = arg >> 31 != 0;
        let func = (arg >> 28) & 7;
        let addr = (arg >> 9) & 0x1_FFFF;
        let val = arg & 0xFF;
        if func == 0 && write && addr == 0x02 && val & 0x02 != 0 {
            self.phase = Phase::Probe;
        }
        if func == 1 && self.phase == Phase::Probe {
            self.phase = Phase::Download;
        }
        let name = if func == 1 {
            fn1_reg_name(addr, self.phase)
        } else {
            fn0_reg_name(addr)
        };
        let mut s = if write {
            format!("CMD52 W fn{func} 0x{addr:03X} {name} = 0x{val:02X}")
        } else {
            format!("CMD52 R fn{func} 0x{addr:03X} {name} -> 0x{resp:02X}")
        };
        if func == 1 && write && addr == 0x120 {
            let _ = write!(s, " ({})", host_int_names(val));
            if val & (1 << 5) != 0 {
                self.phase = Phase::WifiStart;
            }
        }
        if func == 1 && !write && addr == 0x001 && self.phase == Phase::Firmware {
            let units = resp & 0x7F;
            let _ = write!(s, " ({} B, toggle {})", units * 512, resp >> 7);
        }
        Some(s)
    }

    fn cmd53(&mut self, ns: u64, words: &[&str]) -> Option<String> {
        let arg = hex_u32(field(words, "arg=")?)?;
        let blksz: u32 = field(words, "blksz=")?.parse().ok()?;
        let blocks: u32 = field(words, "blocks=")?.parse().ok()?;
        let write = arg >> 31 != 0;
        let func = (arg >> 28) & 7;
        let block = arg & (1 << 27) != 0;
        let addr = (arg >> 9) & 0x1_FFFF;
        let len = addr & 0xFFFF;
        let toggle = (addr >> 16) & 1;
        let head = field(words, "head=").and_then(|h| {
            let b: Vec<u8> = (0..h.len() / 2)
                .filter_map(|i| u8::from_str_radix(h.get(2 * i..2 * i + 2)?, 16).ok())
                .collect();
            (b.len() == 4).then_some(b)
        });
        if self.phase == Phase::Probe {
            self.phase = Phase::Download;
        }
        let mode = if block { "block" } else { "byte" };
        let dir = if write { "W" } else { "R" };
        let mut s =
            format!("CMD53 {dir} fn{func} {mode} {blocks}x{blksz} len={len} toggle={toggle}");
        if func == 1 && self.first_cmd53_wake.is_none() {
            self.first_cmd53_wake = Some(self.wake.map(|(up, _)| up));
            match self.wake {
                Some((true, since)) => {
                    let _ = write!(
                        s,
                        " (first fn1 CMD53: wake line up for {} us)",
                        ns.saturating_sub(since) / 1000
                    );
                }
                Some((false, _)) => s.push_str(" (first fn1 CMD53: WAKE LINE LOW)"),
                None => {}
            }
        } else if func == 1 && matches!(self.wake, Some((false, _))) {
            s.push_str(" (wake line low)");
        }
        if self.phase == Phase::Firmware || self.phase == Phase::WifiStart {
            let _ = write!(s, " slot_code={}", len & 3);
        }
        match (head, self.phase) {
            // The DPD calibration blob read back from the boot image (spec §2.5).
            (Some(_), Phase::Download) if !write && len as usize == crate::download::DPD_LEN => {
                s.push_str(" dpd blob");
            }
            (Some(h), Phase::Download) => {
                let _ = write!(
                    s,
                    " boot-rom {} seq={} len={}",
                    rom_name(h[0]),
                    h[1],
                    u16::from_le_bytes([h[2], h[3]])
                );
            }
            (Some(h), Phase::WifiStart | Phase::Firmware) => {
                let mlen = u16::from_le_bytes([h[0], h[1]]);
                let id = u16::from_le_bytes([h[2], h[3]]);
                if mlen >= 4 {
                    let msg = id & WSM_MSG_ID_MASK;
                    let _ = write!(s, " wsm 0x{msg:04X} {} len={mlen}", wsm_name(msg));
                    if msg == 0x0801 {
                        self.phase = Phase::Firmware;
                    }
                }
            }
            _ => {}
        }
        Some(s)
    }
}

/// Decodes a whole trace into `out`, one line per input line.
pub fn decode(text: &str, out: &mut String) -> Summary {
    let mut d = Decoder::default();
    let mut sum = Summary::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match d.line(line) {
            Some(s) => {
                sum.lines += 1;
                sum.cmd52 += usize::from(line.contains(" CMD52 "));
                sum.cmd53 += usize::from(line.contains(" CMD53 "));
                sum.errors += usize::from(line.contains(" err="));
                sum.gpio += usize::from(line.contains(" GPIO "));
                out.push_str(&s);
            }
            None => {
                sum.unparsed += 1;
                out.push_str("? ");
                out.push_str(line);
            }
        }
        out.push('\n');
    }
    sum.wake_before_first_cmd53 = d.wake_before_first_cmd53();
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_bring_up() {
        let t = "\
100 CMD52 arg=0x88000402 resp=0x02
200 CMD52 arg=0x10021000 resp=0x01
300 CMD53 arg=0x94040000 blksz=512 blocks=1 bytes=512 head=b1000800
400 CMD53 arg=0x1c76281e blksz=512 blocks=30 bytes=15360 head=00000000
500 CMD52 arg=0x90024021 resp=0x21
600 CMD53 arg=0x14040000 blksz=512 blocks=1 bytes=512 head=18000108
700 CMD52 arg=0x10000200 resp=0x83
800 RESET
";
        let mut out = String::new();
        let sum = decode(t, &mut out);
        assert_eq!(sum.lines, 8);
        assert_eq!(sum.unparsed, 0);
        let l: Vec<&str> = out.lines().collect();
        assert!(
            l[0].contains("[probe] CMD52 W fn0 0x002 IOE = 0x02"),
            "{}",
            l[0]
        );
        assert!(
            l[1].contains("[download]") && l[1].contains("SLAVE_RX_BUF_CNT"),
            "{}",
            l[1]
        );
        assert!(l[2].contains("byte 1x512 len=512") && l[2].contains("boot-rom INFO"));
        assert!(
            l[3].contains("block 30x512 len=15124") && l[3].contains("dpd blob"),
            "{}",
            l[3]
        );
        assert!(l[4].contains("WIFI_ACTIVATE"), "{}", l[4]);
        assert!(l[5].contains("wsm 0x0801 startup len=24"), "{}", l[5]);
        assert!(
            l[6].contains("[firmware]") && l[6].contains("(1536 B, toggle 1)"),
            "{}",
            l[6]
        );
        assert!(l[7].contains("power-up"));
    }

    #[test]
    fn errors_and_junk_are_counted() {
        let mut out = String::new();
        let sum = decode(
            "1 CMD53 arg=0x94000000 blksz=512 blocks=1 bytes=512 err=-5\nhello\n",
            &mut out,
        );
        assert_eq!((sum.errors, sum.unparsed), (1, 1));
        assert!(out.contains("ERROR -5"));
    }

    #[test]
    fn wake_line_before_the_first_function_1_cmd53() {
        let t = "\
100 CMD52 arg=0x88000402 resp=0x02
1000000 GPIO wake=1
11000000 CMD53 arg=0x94040000 blksz=512 blocks=1 bytes=512 head=b1000800
12000000 GPIO wake=0
13000000 CMD53 arg=0x14040000 blksz=512 blocks=1 bytes=512 head=b0000800
";
        let mut out = String::new();
        let sum = decode(t, &mut out);
        assert_eq!((sum.lines, sum.gpio, sum.unparsed), (5, 2, 0));
        assert_eq!(sum.wake_before_first_cmd53, Some(true));
        let l: Vec<&str> = out.lines().collect();
        assert!(l[1].contains("wake line asserted"), "{}", l[1]);
        assert!(l[2].contains("wake line up for 10000 us"), "{}", l[2]);
        assert!(l[3].contains("wake line released"), "{}", l[3]);
        assert!(l[4].contains("(wake line low)"), "{}", l[4]);
    }

    #[test]
    fn a_driver_that_never_wakes_the_chip_is_named() {
        let t = "\
1 GPIO wake=0
2 CMD53 arg=0x94040000 blksz=512 blocks=1 bytes=512 err=-110
";
        let mut out = String::new();
        let sum = decode(t, &mut out);
        assert_eq!(sum.wake_before_first_cmd53, Some(false));
        assert!(out.contains("WAKE LINE LOW"), "{out}");
        // A capture without the line says nothing about it.
        let sum = decode(
            "2 CMD53 arg=0x94040000 blksz=512 blocks=1 bytes=512\n",
            &mut out,
        );
        assert_eq!(sum.wake_before_first_cmd53, None);
        assert!(decode("3 GPIO wake=x\n", &mut out).unparsed == 1);
    }
}
