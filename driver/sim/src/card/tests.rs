//! Host tests of the card: enumeration as the MMC core does it, the contract checks, and
//! power cycles.

use super::*;

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
    c
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
    c.command(52, cmd52(true, 1, 0x120, 0x21)).unwrap();
    assert_eq!(c.violations().get(Rule::HostIntOrder), 1);
    c.command(52, cmd52(true, 1, 0x121, 0x00)).unwrap();
    c.command(52, cmd52(true, 1, 0x120, 0x21)).unwrap();
    assert_eq!(c.violations().total(), 1);
}
