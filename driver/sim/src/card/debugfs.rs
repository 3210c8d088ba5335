//! What the host module shows of the card: the fault codes its debugfs `inject` file takes
//! and the text of its `contract` file. Kept here, beside the card, so that both are
//! host-tested; the module only passes bytes through.

use core::fmt::{self, Write};

use super::{Card, CardFault};
use crate::chip::Fault;

/// How long the lost-interrupt fault (code 7) holds the line quiet: long enough that a
/// driver which only waits for the interrupt visibly stalls, shorter than the driver's 3 s
/// firmware watchdog (spec §4.3), so a recovery would be a false alarm.
pub const LOST_IRQ_MS: u32 = 1000;

/// debugfs `inject` codes the card itself takes. Codes 10 (card removal) and 11
/// (re-insertion) belong to the slot, which the host glue models (`vsdio_host.c`).
///
/// | code | fault |
/// |---|---|
/// | 1 | firmware hang ([`Fault::Hang`]) |
/// | 2 | one WSM command confirm dropped |
/// | 3 | three BSS-lost events, 0.5 s apart |
/// | 4 | decrypt storm (64 frames) |
/// | 5 | data CRC error on the next CMD53 |
/// | 6 | no response to the next CMD53 |
/// | 7 | interrupt lost for [`LOST_IRQ_MS`] |
/// | 8 | the next RX length announcement (reg 0x001) corrupted |
/// | 9 | the next power-up fails |
/// | 12 | the card's SDIO interface hangs until a power cycle |
pub fn fault_of_code(code: u32) -> Option<CardFault> {
    Some(match code {
        1 => CardFault::Chip(Fault::Hang),
        2 => CardFault::Chip(Fault::CmdTimeouts(1)),
        3 => CardFault::Chip(Fault::ConnectionLoss {
            events: 3,
            spacing_ns: 500_000_000,
        }),
        4 => CardFault::Chip(Fault::DecryptStorm { frames: 64 }),
        5 => CardFault::Crc,
        6 => CardFault::Timeout,
        7 => CardFault::LostIrq { ms: LOST_IRQ_MS },
        8 => CardFault::Chip(Fault::CorruptLength),
        9 => CardFault::ResetFailure,
        12 => CardFault::Hang,
        _ => return None,
    })
}

/// The `contract` file: the violation total, one line per rule, then card and chip
/// counters, one `name value` per line.
///
/// # Errors
///
/// Only the writer's.
pub fn render(card: &mut Card, w: &mut impl Write) -> fmt::Result {
    let v = *card.violations();
    writeln!(w, "contract_violations {}", v.total())?;
    for (rule, n) in v.iter() {
        writeln!(w, "rule {} {}", rule.name(), n)?;
    }
    let c = card.counters();
    writeln!(w, "commands {}", c.commands)?;
    writeln!(w, "cmd53 {}", c.cmd53)?;
    writeln!(w, "power_ups {}", c.power_ups)?;
    writeln!(w, "faults_fired {}", c.faults_fired)?;
    writeln!(w, "fault_crc {}", c.fired.crc)?;
    writeln!(w, "fault_timeout {}", c.fired.timeout)?;
    writeln!(w, "fault_lost_irq {}", c.fired.lost_irq)?;
    writeln!(w, "fault_reset_failure {}", c.fired.reset_failure)?;
    writeln!(w, "fault_hang {}", c.fired.hang)?;
    writeln!(w, "unanswered {}", c.unanswered)?;
    writeln!(w, "rx_len_out_of_range {}", c.rx_len_out_of_range)?;
    writeln!(w, "wake_line {}", u8::from(card.wake()))?;
    writeln!(w, "wake_edges {}", c.wake_edges)?;
    writeln!(w, "asleep_unanswered {}", c.asleep_unanswered)?;
    let s = card.chip().counters();
    writeln!(w, "chip_resets {}", s.resets)?;
    writeln!(w, "chip_sent_to_host {}", s.sent_to_host)?;
    writeln!(w, "chip_dropped_queue_full {}", s.dropped_queue_full)?;
    writeln!(w, "chip_dropped_truncated {}", s.dropped_truncated)?;
    writeln!(w, "chip_dropped_reset {}", s.dropped_reset)?;
    writeln!(w, "chip_empty_reads {}", s.empty_reads)?;
    writeln!(w, "chip_confirms_dropped {}", s.confirms_dropped)?;
    writeln!(w, "chip_sdd_bytes {}", s.sdd_bytes)?;
    writeln!(w, "chip_sdd_refused {}", s.sdd_refused)?;
    writeln!(w, "chip_policies_uploaded {}", s.policies_uploaded)?;
    writeln!(w, "chip_tx_policy_refused {}", s.tx_policy_refused)?;
    writeln!(w, "chip_txed_rates_seen {:#x}", s.txed_rates_seen)?;
    // The rate of the last frame sent (hw number): the bitmap above cannot tell per band
    // that 5 GHz data never went at 1 Mb/s; phase 70 reads this after each band's uplink.
    writeln!(w, "chip_txed_rate_last {}", s.txed_rate_last)?;
    // 802.11 power save (issue 15 §4).
    crate::ps::render(&s, w)?;
    // The firmware's association state (issue 16 §3).
    card.chip().fw_bss().render(w)
}
