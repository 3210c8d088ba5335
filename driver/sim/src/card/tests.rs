//! Host tests of the card: enumeration as the MMC core does it, the contract checks, power
//! cycles, and each injected fault as it reaches the bus.

use super::*;
use crate::chip::Fault;
use contract::RULES;

fn cmd52(write: bool, func: u32, addr: u32, val: u8) -> u32 {
    u32::from(write) << 31 | func << 28 | addr << 9 | u32::from(val)
}

fn cmd53(write: bool, block: bool, addr: u32, count: u32) -> u32 {
    u32::from(write) << 31 | 1 << 28 | u32::from(block) << 27 | 1 << 26 | addr << 9 | count
}

/// Powers up and runs the MMC core's SDIO init: CMD5 (probe, then with the OCR), CMD3, CMD7,
/// 4-bit bus, function 1 enabled with 512-byte blocks and its interrupt.
fn enumerated() -> Card {
    let mut c = Card::new(SimConfig {
        start_in_firmware: false,
        ..SimConfig::default()
    });
    assert!(c.set_power(true));
    assert_eq!(
        c.command(8, 0x1AA),
        Err(CardError::Timeout),
        "SDIO-only: no CMD8"
    );
    let ocr = c.command(5, 0).unwrap();
    assert_eq!(ocr >> 28 & 7, 1, "one function");
    assert_ne!(c.command(5, ocr & 0x00FF_FFFF).unwrap() & 1 << 31, 0);
    assert_eq!(c.command(3, 0).unwrap() >> 16, u32::from(RCA));
    c.command(7, u32::from(RCA) << 16).unwrap();
    c.command(52, cmd52(true, 0, 0x07, 0x02)).unwrap();
    c.command(52, cmd52(true, 0, 0x110, 0x00)).unwrap();
    c.command(52, cmd52(true, 0, 0x111, 0x02)).unwrap();
    c.command(52, cmd52(true, 0, 0x02, 0x02)).unwrap();
    c.command(52, cmd52(true, 0, 0x04, 0x03)).unwrap();
    // The driver's probe: the wake line up, then the vendor's 10 ms (C:bes2600_sdio.c:1858).
    wake_up(&mut c);
    c
}

/// Asserts the wake line at the card's current time and lets the MCU settle.
fn wake_up(c: &mut Card) {
    let t = c.chip().now_ns();
    assert!(c.set_wake(true, t));
    c.advance(t + WAKE_SETTLE_NS);
}

fn read_fn0(c: &mut Card, addr: u32) -> u8 {
    (c.command(52, cmd52(false, 0, addr, 0)).unwrap() & 0xFF) as u8
}

#[test]
fn cis_names_the_bes2600() {
    let mut c = enumerated();
    let ptr = |c: &mut Card, base| {
        u32::from(read_fn0(c, base))
            | u32::from(read_fn0(c, base + 1)) << 8
            | u32::from(read_fn0(c, base + 2)) << 16
    };
    // Walk the common CIS for MANFID as the MMC core does.
    let mut p = ptr(&mut c, 0x09);
    let (mut vendor, mut device) = (0, 0);
    loop {
        let code = read_fn0(&mut c, p);
        if code == 0xFF {
            break;
        }
        let link = u32::from(read_fn0(&mut c, p + 1));
        if code == 0x20 {
            vendor = u16::from_le_bytes([read_fn0(&mut c, p + 2), read_fn0(&mut c, p + 3)]);
            device = u16::from_le_bytes([read_fn0(&mut c, p + 4), read_fn0(&mut c, p + 5)]);
        }
        p += 2 + link;
    }
    assert_eq!((vendor, device), (VENDOR, DEVICE));
    // Function 1's FUNCE: type 1, 42 bytes, 512-byte blocks.
    let f = ptr(&mut c, 0x109);
    assert_eq!(read_fn0(&mut c, f + 4), 0x22);
    assert_eq!(read_fn0(&mut c, f + 5), 42);
    assert_eq!(read_fn0(&mut c, f + 6), 1);
    assert_eq!(read_fn0(&mut c, f + 6 + 13), 2);
    assert_eq!(read_fn0(&mut c, f + 6 + 42), 0xFF);
    // CCCR: multi-block, version within what the MMC core accepts.
    assert_ne!(read_fn0(&mut c, 0x08) & 0x02, 0);
    assert!(read_fn0(&mut c, 0x00) & 0x0F <= 3);
}

#[test]
fn download_frame_with_address_zero_fails_and_counts() {
    let mut c = enumerated();
    let mut frame = [0u8; 512];
    let r = c
        .cmd53(cmd53(true, false, 0, 0), 512, 1, &mut frame)
        .unwrap();
    assert_ne!(r & r5::ERROR, 0);
    assert_eq!(c.violations().get(Rule::ByteModeAddressIsLength), 1);
}

#[test]
fn conforming_reads_pass_the_contract() {
    let mut c = enumerated();
    // Boot ROM: 8-byte read with address 8 (nothing pending: the ROM refuses, no violation).
    let mut b = [0u8; 8];
    let _ = c.cmd53(cmd53(false, false, 8, 8), 8, 1, &mut b).unwrap();
    assert_eq!(c.violations().total(), 0);
    // Function 1 registers answer once enabled.
    assert_eq!(
        c.command(52, cmd52(false, 1, 0x108, 0)).unwrap() & r5::ERROR,
        0
    );
}

#[test]
fn disabled_function_is_a_violation() {
    let mut c = enumerated();
    c.command(52, cmd52(true, 0, 0x02, 0)).unwrap();
    let r = c.command(52, cmd52(false, 1, 0x108, 0)).unwrap();
    assert_ne!(r & r5::ERROR, 0);
    assert_eq!(c.violations().get(Rule::FuncEnabled), 1);
}

#[test]
fn power_cycle_forgets_the_interface_and_can_fail() {
    let mut c = enumerated();
    c.set_power(false);
    assert_eq!(c.command(5, 0), Err(CardError::Timeout));
    c.inject(CardFault::ResetFailure);
    assert!(c.set_power(true));
    assert_eq!(c.command(5, 0), Err(CardError::Timeout));
    c.set_power(false);
    assert!(c.set_power(true));
    assert!(c.command(5, 0x00FF_8000).is_ok());
    assert_eq!(read_fn0(&mut c, 0x02), 0, "IOE cleared by the power cycle");
    assert_eq!(c.counters().power_ups, 3);
}

#[test]
fn injected_crc_and_timeout_hit_the_next_cmd53_once() {
    let mut c = enumerated();
    let mut b = [0u8; 8];
    c.inject(CardFault::Crc);
    assert_eq!(
        c.cmd53(cmd53(false, false, 8, 8), 8, 1, &mut b),
        Err(CardError::Crc)
    );
    c.inject(CardFault::Timeout);
    assert_eq!(
        c.cmd53(cmd53(false, false, 8, 8), 8, 1, &mut b),
        Err(CardError::Timeout)
    );
    assert!(c.cmd53(cmd53(false, false, 8, 8), 8, 1, &mut b).is_ok());
    assert_eq!(c.counters().faults_fired, 2);
}

#[test]
fn host_int_low_byte_alone_is_a_violation() {
    let mut c = Card::new(SimConfig::default());
    c.set_power(true);
    c.command(5, 0x00FF_8000).unwrap();
    c.command(52, cmd52(true, 0, 0x07, 0x02)).unwrap();
    c.command(52, cmd52(true, 0, 0x02, 0x02)).unwrap();
    wake_up(&mut c);
    c.command(52, cmd52(true, 1, 0x120, 0x21)).unwrap();
    assert_eq!(c.violations().get(Rule::HostIntOrder), 1);
    c.command(52, cmd52(true, 1, 0x121, 0x00)).unwrap();
    c.command(52, cmd52(true, 1, 0x120, 0x21)).unwrap();
    assert_eq!(c.violations().total(), 1);
}

/// An enumerated card whose chip starts in its WSM firmware (the sim shortcut), with Wi-Fi
/// activated through HOST_INT as the driver does, and `ms` of card time run.
fn firmware_card(ms: u64) -> Card {
    let mut c = Card::new(SimConfig::default());
    assert!(c.set_power(true));
    c.command(5, 0x00FF_8000).unwrap();
    c.command(3, 0).unwrap();
    c.command(7, u32::from(RCA) << 16).unwrap();
    c.command(52, cmd52(true, 0, 0x07, 0x02)).unwrap();
    c.command(52, cmd52(true, 0, 0x02, 0x02)).unwrap();
    c.command(52, cmd52(true, 0, 0x04, 0x03)).unwrap();
    wake_up(&mut c);
    let t = c.chip().now_ns();
    // DOORBELL | WIFI_ACTIVATE (spec §3.1), high byte first.
    c.command(52, cmd52(true, 1, 0x121, 0x00)).unwrap();
    c.command(52, cmd52(true, 1, 0x120, 0x21)).unwrap();
    c.advance(t + ms * 1_000_000);
    c
}

#[test]
fn card_hang_silences_every_command_until_a_power_cycle() {
    let mut c = firmware_card(10);
    assert!(c.irq_asserted(), "the startup indication is pending");
    c.inject(CardFault::Hang);
    assert_eq!(c.counters().fired.hang, 1);
    assert_eq!(
        c.command(52, cmd52(false, 1, 0x108, 0)),
        Err(CardError::Timeout)
    );
    assert_eq!(
        c.command(52, cmd52(false, 0, 0x02, 0)),
        Err(CardError::Timeout)
    );
    let mut b = [0u8; 8];
    assert_eq!(
        c.cmd53(cmd53(false, false, 8, 8), 8, 1, &mut b),
        Err(CardError::Timeout)
    );
    assert!(!c.irq_asserted(), "a hung card raises no interrupt");
    assert_eq!(c.counters().unanswered, 3);
    // A second hang while hung is not a second fault.
    c.inject(CardFault::Hang);
    assert_eq!(c.counters().fired.hang, 1);
    // The driver's mmc_hw_reset: a power cycle, then the MMC core's re-initialisation.
    c.set_power(false);
    assert!(c.set_power(true));
    assert!(c.command(5, 0x00FF_8000).is_ok());
    assert_eq!(c.command(3, 0).unwrap() >> 16, u32::from(RCA));
    assert_eq!(c.counters().faults_fired, 1);
    assert_eq!(c.violations().total(), 0);
}

#[test]
fn an_unpowered_card_cannot_hang() {
    let mut c = Card::new(SimConfig::default());
    c.inject(CardFault::Hang);
    assert_eq!(c.counters().fired.hang, 0);
    assert!(c.set_power(true));
    assert!(c.command(5, 0).is_ok());
}

#[test]
fn reset_failure_counts_when_the_power_up_fails() {
    let mut c = enumerated();
    c.inject(CardFault::ResetFailure);
    assert_eq!(c.counters().fired.reset_failure, 0, "queued, not fired");
    c.set_power(false);
    c.set_power(true);
    assert_eq!(c.counters().fired.reset_failure, 1);
    assert_eq!(c.command(5, 0), Err(CardError::Timeout));
    assert_eq!(c.counters().unanswered, 1);
}

#[test]
fn lost_interrupt_is_withheld_for_its_period_then_raised() {
    let mut c = firmware_card(10);
    assert!(c.irq_asserted());
    let t = c.chip().now_ns();
    c.inject(CardFault::LostIrq { ms: 5 });
    assert!(!c.irq_asserted());
    c.advance(t + 4_000_000);
    assert!(!c.irq_asserted());
    assert_eq!(
        c.counters().fired.lost_irq,
        1,
        "one quiet period, counted once"
    );
    c.advance(t + 5_000_000);
    assert!(c.irq_asserted(), "the level interrupt is raised again");
    assert_eq!(c.counters().fired.lost_irq, 1);
}

#[test]
fn lost_interrupt_with_nothing_pending_has_not_fired() {
    let mut c = enumerated();
    c.inject(CardFault::LostIrq { ms: 5 });
    assert!(!c.irq_asserted());
    assert_eq!(c.counters().fired.lost_irq, 0);
}

/// Reads function 1's register `addr` with CMD52.
fn read_fn1(c: &mut Card, addr: u32) -> u8 {
    let r = c.command(52, cmd52(false, 1, addr, 0)).unwrap();
    assert_eq!(r & r5::ERROR, 0);
    (r & 0xFF) as u8
}

#[test]
fn corrupted_length_reaches_the_host_once() {
    let mut c = firmware_card(10);
    c.inject(CardFault::Chip(Fault::CorruptLength));
    let units = |v: u8| usize::from(v & crate::regs::RX_LEN_UNITS_MASK);
    let bad = read_fn1(&mut c, crate::regs::RX_LEN_CTRL);
    assert!(
        units(bad) * crate::regs::RX_LEN_UNIT > crate::regs::MAX_BURST,
        "{bad:#x}"
    );
    assert_eq!(c.counters().rx_len_out_of_range, 1);
    // Read again, as a careful host does: the real announcement of the startup indication.
    let good = read_fn1(&mut c, crate::regs::RX_LEN_CTRL);
    assert_eq!(units(good), 1, "{good:#x}");
    assert_eq!(c.counters().rx_len_out_of_range, 1);
}

#[test]
fn inject_codes_map_to_distinct_faults_and_leave_the_slot_codes_to_the_host() {
    use super::debugfs::{fault_of_code, LOST_IRQ_MS};
    let mut seen = Vec::new();
    for code in 0..=20 {
        match (code, fault_of_code(code)) {
            (1..=9 | 12, Some(f)) => {
                assert!(!seen.contains(&f), "code {code} repeats {f:?}");
                seen.push(f);
            }
            (0 | 10 | 11 | 13.., None) => {}
            (code, f) => panic!("code {code}: {f:?}"),
        }
    }
    assert_eq!(
        fault_of_code(7),
        Some(CardFault::LostIrq { ms: LOST_IRQ_MS })
    );
    assert_eq!(fault_of_code(12), Some(CardFault::Hang));
    assert_eq!(fault_of_code(5), Some(CardFault::Crc));
}

#[test]
fn contract_text_names_each_fault_as_it_fired() {
    let mut c = firmware_card(10);
    let mut b = [0u8; 8];
    c.inject(CardFault::Crc);
    let _ = c.cmd53(cmd53(false, false, 8, 8), 8, 1, &mut b);
    c.inject(CardFault::Timeout);
    let _ = c.cmd53(cmd53(false, false, 8, 8), 8, 1, &mut b);
    c.inject(CardFault::Crc);
    let _ = c.cmd53(cmd53(false, false, 8, 8), 8, 1, &mut b);
    let mut text = String::new();
    super::debugfs::render(&mut c, &mut text).unwrap();
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k)?.strip_prefix(' ')?.parse::<u64>().ok())
    };
    assert_eq!(get("fault_crc"), Some(2));
    assert_eq!(get("fault_timeout"), Some(1));
    assert_eq!(get("fault_hang"), Some(0));
    assert_eq!(get("faults_fired"), Some(3));
    assert_eq!(get("contract_violations"), Some(0));
    assert_eq!(
        text.lines().filter(|l| l.starts_with("rule ")).count(),
        RULES
    );
}

/// The wake line (issue 14 §2, spec errata 10): a host that never asserts it, or does not
/// wait for the MCU, gets no answer from function 1, and each attempt names the rule.
#[test]
fn function_1_is_silent_until_the_wake_line_has_settled() {
    let mut c = Card::new(SimConfig {
        start_in_firmware: false,
        ..SimConfig::default()
    });
    assert!(c.set_power(true));
    c.command(5, 0x00FF_8000).unwrap();
    c.command(3, 0).unwrap();
    c.command(7, u32::from(RCA) << 16).unwrap();
    c.command(52, cmd52(true, 0, 0x07, 0x02)).unwrap();
    c.command(52, cmd52(true, 0, 0x02, 0x02)).unwrap();
    // Enumeration and function 0 need no wake line: the SDIO interface answers.
    assert_eq!(read_fn0(&mut c, 0x02), 0x02);
    let mut b = [0u8; 8];
    // Line low: no answer to CMD52 on function 1 nor to CMD53.
    assert_eq!(
        c.command(52, cmd52(false, 1, 0x108, 0)),
        Err(CardError::Timeout)
    );
    assert_eq!(
        c.cmd53(cmd53(false, false, 8, 8), 8, 1, &mut b),
        Err(CardError::Timeout)
    );
    assert_eq!(c.violations().get(Rule::WakeAsserted), 2);
    // Asserted but not yet settled: still asleep.
    assert!(c.set_wake(true, 1_000_000));
    assert!(!c.set_wake(true, 2_000_000), "same level: no edge");
    c.advance(1_000_000 + WAKE_SETTLE_NS - 1);
    assert_eq!(
        c.cmd53(cmd53(false, false, 8, 8), 8, 1, &mut b),
        Err(CardError::Timeout)
    );
    // Settled: the boot ROM answers.
    c.advance(1_000_000 + WAKE_SETTLE_NS);
    assert!(c.cmd53(cmd53(false, false, 8, 8), 8, 1, &mut b).is_ok());
    assert_eq!(
        c.command(52, cmd52(false, 1, 0x108, 0)).unwrap() & r5::ERROR,
        0
    );
    // Released: asleep again at once; a power cycle does not raise the line.
    assert!(c.set_wake(false, 20_000_000));
    c.set_power(false);
    assert!(c.set_power(true));
    assert!(!c.wake());
    c.command(5, 0x00FF_8000).unwrap();
    c.command(3, 0).unwrap();
    c.command(7, u32::from(RCA) << 16).unwrap();
    c.command(52, cmd52(true, 0, 0x07, 0x02)).unwrap();
    c.command(52, cmd52(true, 0, 0x02, 0x02)).unwrap();
    assert_eq!(
        c.cmd53(cmd53(false, false, 8, 8), 8, 1, &mut b),
        Err(CardError::Timeout)
    );
    let k = c.counters();
    assert_eq!((k.wake_edges, k.asleep_unanswered), (2, 4));
    assert_eq!(c.violations().get(Rule::WakeAsserted), 4);
    assert_eq!(c.violations().total(), 4, "nothing else broken");
    let mut text = String::new();
    super::debugfs::render(&mut c, &mut text).unwrap();
    assert!(text.contains("rule wake_asserted 4\n"), "{text}");
    assert!(text.contains("wake_line 0\n"), "{text}");
}
