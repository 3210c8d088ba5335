//! The download state machine against the simulated boot ROM, with every fault the ROM
//! model can inject. Time is simulated: nothing here sleeps.

// The boot ROM model lives in the sim crate; it has no dependencies, so it is included
// directly and this test does not depend on the rest of the simulated chip.
#[allow(dead_code)]
#[path = "../../driver/sim/src/bootrom.rs"]
mod bootrom;

use bes2600_fw::calib::RECORD_LEN;
use bes2600_fw::crc::HostCrc;
use bes2600_fw::download::*;
use bes2600_fw::image::{Image, Kind};
use bes2600_fw::proto::{self, ReplyError};
use bes2600_fw::synth;
use bootrom::{BootRom, Faults};
use proptest::prelude::*;

const MS: u64 = 1_000_000;

/// The frames the host put on the bus: (type, seq, payload_len, bus write length).
type Log = Vec<(u8, u8, u16, usize)>;

struct Harness {
    rom: BootRom,
    now: u64,
    log: Log,
    /// Fail the bus access with this index (0-based count of all accesses).
    fail_access: Option<u32>,
    /// Fail the CMD53 read of the DPD blob.
    fail_dpd_read: bool,
    /// Clear the DPD CRC fault once this many DPD blobs were read (a calibration that
    /// goes right the next time).
    heal_dpd_after: Option<u32>,
    accesses: u32,
    /// Steps of the current run (a guard against a loader that never ends).
    steps: u32,
}

impl Harness {
    fn new(cfg: bootrom::Config) -> Self {
        Harness {
            rom: BootRom::new(cfg),
            now: 0,
            log: Vec::new(),
            fail_access: None,
            fail_dpd_read: false,
            heal_dpd_after: None,
            accesses: 0,
            steps: 0,
        }
    }

    fn bus_fails(&mut self) -> bool {
        let n = self.accesses;
        self.accesses += 1;
        self.fail_access == Some(n)
    }

    /// Runs the loader to completion through the shared driving loop (`download::drive`,
    /// the one the kernel module and the simulator harness use), performing each access on
    /// the ROM.
    fn run<C: bes2600_fw::Crc32>(&mut self, l: &mut Loader<'_, C>) -> Action {
        let mut reply = vec![0u8; DPD_LEN];
        self.steps = 0;
        match drive(l, self, &mut reply) {
            Ok(o) => Action::Done(o),
            Err(DriveError::Failed(e)) => Action::Failed(e),
            Err(DriveError::Stopped) => panic!("loader did not finish"),
        }
    }
}

/// The ROM as `drive` sees the bus. Fault injection counts accesses as the C driver's
/// transfers: the buffer-info read (its first register), each frame write, each reply read.
impl Port for Harness {
    fn read_reg8(&mut self, addr: u32) -> Result<u8, BusFault> {
        if addr == REG_SLAVE_RX_BUF_CNT && self.bus_fails() {
            return Err(BusFault);
        }
        Ok(self.rom.read_reg8(addr))
    }
    fn write_data(&mut self, addr: u32, f: &[u8]) -> Result<(), BusFault> {
        let len = f.len();
        // Spec errata 9: the CMD53 address of a download write is its byte count.
        assert_eq!(addr as usize, len, "CMD53 address is the transfer length");
        let plen = u16::from_le_bytes([f[2], f[3]]);
        let flen = 4 + usize::from(plen);
        assert_eq!(
            len,
            flen.max(512).div_ceil(512) * 512,
            "bus write is whole 512-byte blocks"
        );
        assert!(f[flen..].iter().all(|&b| b == 0), "padding is zeroed");
        self.log.push((f[0], f[1], plen, len));
        if self.bus_fails() {
            return Err(BusFault);
        }
        self.rom.write(f).map_err(|_| BusFault)
    }
    fn read_data(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), BusFault> {
        assert_eq!(
            addr as usize,
            buf.len(),
            "CMD53 address is the transfer length"
        );
        let dpd_fault = self.fail_dpd_read && buf.len() == DPD_LEN;
        if self.bus_fails() || dpd_fault || self.rom.read(buf).is_err() {
            return Err(BusFault);
        }
        if self.heal_dpd_after == Some(self.rom.stats().dpd_reads) {
            self.rom.faults_mut().dpd_bad_crc = false;
        }
        Ok(())
    }
    fn now_ns(&mut self) -> u64 {
        self.now
    }
    fn sleep_until(&mut self, until_ns: u64) {
        assert!(until_ns >= self.now);
        self.now = until_ns;
        self.rom.advance(self.now);
    }
    fn wait_irq(&mut self, deadline_ns: u64) -> bool {
        loop {
            if self.rom.irq_pending() {
                return true;
            }
            if self.now >= deadline_ns {
                return false;
            }
            self.now = (self.now + 10 * MS).min(deadline_ns);
            self.rom.advance(self.now);
        }
    }
    /// A loader that never ends is a test failure, not a hang.
    fn should_stop(&mut self) -> bool {
        self.steps += 1;
        self.steps > 1_000_000
    }
}

struct Set {
    boot: Vec<u8>,
    signal: Vec<u8>,
    nosignal: Vec<u8>,
    btrf: Vec<u8>,
    factory: [u8; RECORD_LEN],
}

fn set() -> Set {
    Set {
        boot: synth::default_image(Kind::Boot),
        signal: synth::default_image(Kind::Signal),
        nosignal: synth::default_image(Kind::Nosignal),
        btrf: synth::default_image(Kind::Btrf),
        factory: synth::factory().to_record(&HostCrc),
    }
}

fn fw<'a>(s: &'a Set, mode: Mode, factory: bool) -> Firmware<'a> {
    let stage2 = match mode {
        Mode::Signal => &s.signal,
        Mode::Nosignal => &s.nosignal,
        Mode::Btrf => &s.btrf,
    };
    Firmware {
        boot: Some(Image::parse(&s.boot, &HostCrc).unwrap()),
        stage2: Image::parse(stage2, &HostCrc).unwrap(),
        factory: factory.then_some(&s.factory[..]),
    }
}

fn rom_cfg(faults: Faults) -> bootrom::Config {
    bootrom::Config {
        max_frame_len: 2048,
        faults,
        ..bootrom::Config::default()
    }
}

/// Runs one bring-up; returns the final action, the harness and the DPD buffer.
fn bring_up(
    mode: Mode,
    factory: bool,
    faults: Faults,
    fail_access: Option<u32>,
) -> (Action, Harness, Vec<u8>) {
    let mut h = Harness::new(rom_cfg(faults));
    h.fail_access = fail_access;
    bring_up_on(h, Config::default(), mode, factory)
}

/// Runs one bring-up on a prepared harness with a loader configuration.
fn bring_up_on(
    mut h: Harness,
    cfg: Config,
    mode: Mode,
    factory: bool,
) -> (Action, Harness, Vec<u8>) {
    let s = set();
    let mut tx = vec![0u8; 32 * 1024];
    let mut dpd = vec![0u8; DPD_LEN];
    let mut l = Loader::new(
        HostCrc,
        cfg,
        mode,
        fw(&s, mode, factory),
        &mut tx,
        &mut dpd,
        false,
    )
    .unwrap();
    let a = h.run(&mut l);
    (a, h, dpd)
}

fn failed(a: Action) -> Error {
    match a {
        Action::Failed(e) => e,
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn done(a: Action) -> Outcome {
    match a {
        Action::Done(o) => o,
        other => panic!("expected success, got {other:?}"),
    }
}

#[test]
fn signal_bring_up_with_fresh_dpd() {
    let (a, h, dpd) = bring_up(Mode::Signal, true, Faults::default(), None);
    let o = done(a);
    assert_eq!(o.dpd, DpdSource::Fresh);
    assert!(o.factory_sent);
    assert_eq!(
        (o.retries, o.reg_write_failures, o.max_frame_len),
        (0, 0, 2048)
    );
    let b = h.rom.booted().expect("stage 2 runs");
    assert_eq!(b.entry, bes2600_fw::image::ENTRY_SIGNAL);
    assert_eq!(b.exec_addr, synth::LOAD_ADDR);
    assert!(b.factory_loaded && b.dpd_loaded);
    assert_eq!(h.rom.reg_writes(), &PRE_DOWNLOAD_REGS);
    assert_eq!(
        &dpd[..],
        &h.rom.dpd_blob()[..],
        "the caller's DPD cache holds the blob"
    );
    assert_eq!(
        h.rom.dpd_written().unwrap(),
        h.rom.dpd_blob(),
        "and it was sent back"
    );
    assert_eq!(h.rom.factory().unwrap(), &set().factory);
    // Calibration (2 s, overlapping the boot image's post-RUN sleep) plus the stage-2
    // post-RUN sleep (0.5 s) took at least this long.
    assert!(h.now >= 2500 * MS, "{}", h.now);
    // Each session's seq starts at 0 and counts up; chunks are L - 8 bytes.
    let infos: Vec<u8> = h.log.iter().filter(|f| f.0 == 0xB1).map(|f| f.1).collect();
    assert_eq!(infos, vec![0, 0, 0, 0, 0, 0]);
    assert!(h
        .log
        .iter()
        .filter(|f| f.0 == 0xB2)
        .all(|f| f.2 <= 2048 - 4));
    assert!(h.log.iter().any(|f| f.0 == 0xB2 && f.2 == 2048 - 4));
    assert_eq!(h.log.iter().filter(|f| f.0 == 0xB4).count(), 2);
    assert_eq!(o.frames_sent as usize, h.log.len());
}

#[test]
fn cached_dpd_skips_the_boot_image() {
    let s = set();
    let (_, first, blob) = bring_up(Mode::Signal, false, Faults::default(), None);
    let mut h = Harness::new(rom_cfg(Faults::default()));
    let mut tx = vec![0u8; 4096];
    let mut dpd = blob.clone();
    let mut l = Loader::new(
        HostCrc,
        Config::default(),
        Mode::Signal,
        fw(&s, Mode::Signal, false),
        &mut tx,
        &mut dpd,
        true,
    )
    .unwrap();
    let o = done(h.run(&mut l));
    assert_eq!(o.dpd, DpdSource::Cached);
    assert!(!o.factory_sent);
    assert_eq!(h.rom.stats().dpd_reads, 0, "no calibration");
    assert_eq!(h.rom.dpd_written().unwrap()[..], blob[..]);
    assert!(h.rom.booted().unwrap().dpd_loaded);
    assert!(h.now < first.now, "no 2 s calibration wait");
}

#[test]
fn btrf_and_nosignal_modes() {
    let (a, h, _) = bring_up(Mode::Btrf, false, Faults::default(), None);
    assert_eq!(done(a).dpd, DpdSource::None);
    let b = h.rom.booted().unwrap();
    assert_eq!(b.entry, bes2600_fw::image::ENTRY_NOSIGNAL_BTRF);
    assert!(!b.dpd_loaded && !b.factory_loaded);
    assert_eq!(
        h.log.iter().filter(|f| f.0 == 0xB4).count(),
        1,
        "one image only"
    );
    let (a, h, _) = bring_up(Mode::Nosignal, true, Faults::default(), None);
    assert_eq!(done(a).dpd, DpdSource::Fresh);
    assert_eq!(
        h.rom.booted().unwrap().entry,
        bes2600_fw::image::ENTRY_NOSIGNAL_BTRF
    );
    assert_eq!(Mode::from_fw_type(7), Mode::Signal);
    assert_eq!(Mode::from_fw_type(2), Mode::Btrf);
}

#[test]
fn crc_mismatch_is_retried_then_fatal() {
    let f = Faults {
        crc_mismatch: 1,
        ..Faults::default()
    };
    let (a, h, _) = bring_up(Mode::Signal, false, f, None);
    assert_eq!(done(a).retries, 1);
    assert!(h.rom.booted().is_some());
    // The retry continues the seq of the failed attempt (spec errata 5).
    let infos: Vec<u8> = h.log.iter().filter(|f| f.0 == 0xB1).map(|f| f.1).collect();
    assert_eq!(infos[2], 0);
    assert!(infos[3] > 0, "{infos:?}");

    let f = Faults {
        crc_mismatch: 3,
        ..Faults::default()
    };
    let e = failed(bring_up(Mode::Signal, false, f, None).0);
    assert_eq!(e.stage, Stage::BootImage);
    assert_eq!(
        e.cause,
        Cause::Reply(ReplyError::Status(bootrom::status::CRC_MISMATCH))
    );
    assert_eq!(e.attempts, 3);
    assert_eq!(e.cause.errno(), -200);
}

#[test]
fn error_replies_are_retried_then_fatal() {
    let f = Faults {
        error_reply: 2,
        error_reply_type: proto::msg::DATA,
        ..Faults::default()
    };
    // The register writes' DATA frames take the first two errors; they are ignored.
    let (a, _, _) = bring_up(Mode::Signal, true, f, None);
    let o = done(a);
    assert_eq!((o.reg_write_failures, o.retries), (2, 0));

    let f = Faults {
        error_reply: 5,
        error_reply_type: proto::msg::RUN,
        ..Faults::default()
    };
    let e = failed(bring_up(Mode::Signal, true, f, None).0);
    assert_eq!((e.stage, e.attempts), (Stage::BootImage, 3));
    assert_eq!(
        e.cause,
        Cause::Reply(ReplyError::Status(bootrom::status::INJECTED))
    );

    let f = Faults {
        error_reply: 1,
        error_reply_type: proto::msg::INFO,
        ..Faults::default()
    };
    let (a, _, _) = bring_up(Mode::Btrf, true, f, None);
    assert_eq!(done(a).reg_write_failures, 1);
}

#[test]
fn timeouts_are_retried_then_fatal() {
    let f = Faults {
        no_reply: 1,
        no_reply_type: proto::msg::END,
        ..Faults::default()
    };
    let (a, h, _) = bring_up(Mode::Btrf, true, f, None);
    assert_eq!(done(a).retries, 1, "factory END timed out once");
    assert!(h.now >= 1000 * MS);

    let f = Faults {
        no_reply: 3,
        no_reply_type: proto::msg::RUN,
        ..Faults::default()
    };
    let (a, h, _) = bring_up(Mode::Btrf, false, f, None);
    let e = failed(a);
    assert_eq!(
        (e.stage, e.cause, e.attempts),
        (Stage::Stage2Image, Cause::Timeout, 3)
    );
    assert_eq!(e.cause.errno(), -110);
    assert!(h.now >= 3000 * MS, "three 1 s reply timeouts");
}

#[test]
fn reply_length_register_is_polled_five_times() {
    // Four zero reads of the reply length are absorbed by the re-reads.
    let f = Faults {
        zero_reply_len_reads: 4,
        ..Faults::default()
    };
    let (a, _, _) = bring_up(Mode::Btrf, true, f, None);
    let o = done(a);
    assert_eq!((o.retries, o.reg_write_failures), (0, 0));
    // Five make the first register write give up (ignored); ten also fail the factory
    // write once, which is then retried.
    let f = Faults {
        zero_reply_len_reads: 10,
        ..Faults::default()
    };
    let (a, _, _) = bring_up(Mode::Btrf, true, f, None);
    let o = done(a);
    assert_eq!((o.reg_write_failures, o.retries), (2, 0));
    let f = Faults {
        zero_reply_len_reads: 15,
        ..Faults::default()
    };
    let (a, _, _) = bring_up(Mode::Btrf, true, f, None);
    assert_eq!(done(a).retries, 1);
    let f = Faults {
        zero_reply_len_reads: 100,
        ..Faults::default()
    };
    let e = failed(bring_up(Mode::Btrf, true, f, None).0);
    assert_eq!(
        (e.stage, e.cause, e.attempts),
        (Stage::Factory, Cause::NoReplyLength, 3)
    );
}

#[test]
fn zero_buffer_count_is_polled_then_ignored_like_c() {
    let s = set();
    let mut h = Harness::new(bootrom::Config {
        buf_count: 0,
        ..rom_cfg(Faults::default())
    });
    let mut tx = vec![0u8; 4096];
    let mut dpd = vec![0u8; DPD_LEN];
    let mut l = Loader::new(
        HostCrc,
        Config::default(),
        Mode::Btrf,
        fw(&s, Mode::Btrf, false),
        &mut tx,
        &mut dpd,
        false,
    )
    .unwrap();
    let o = done(h.run(&mut l));
    let frames = u64::from(o.frames_sent);
    assert_eq!(
        u64::from(o.buf_count_zero),
        frames,
        "every frame waited out the poll"
    );
    // Each frame polled every 50 ms for 1 s first (spec §2.3 step 1, intended behaviour).
    assert!(
        h.now >= frames * 1000 * MS,
        "{} ns for {frames} frames",
        h.now
    );
}

#[test]
fn wrong_seq_in_reply_is_refused() {
    // The first reply goes to a register write (ignored); the second one (reg 1 INFO)
    // also; make the third and later, which belong to the boot image, fail too.
    let f = Faults {
        wrong_seq: 20,
        ..Faults::default()
    };
    let e = failed(bring_up(Mode::Signal, false, f, None).0);
    assert!(matches!(e.cause, Cause::Reply(ReplyError::BadSeq)), "{e:?}");
    assert_eq!(e.cause.errno(), -202);
}

#[test]
fn frame_length_limits() {
    let s = set();
    for (l, want) in [
        (12u16, Cause::FrameLenTooSmall(12)),
        (8, Cause::FrameLenTooSmall(8)),
    ] {
        let mut h = Harness::new(bootrom::Config {
            max_frame_len: l,
            ..rom_cfg(Faults::default())
        });
        let mut tx = vec![0u8; 4096];
        let mut dpd = vec![0u8; DPD_LEN];
        let mut ld = Loader::new(
            HostCrc,
            Config::default(),
            Mode::Btrf,
            fw(&s, Mode::Btrf, false),
            &mut tx,
            &mut dpd,
            false,
        )
        .unwrap();
        let e = failed(h.run(&mut ld));
        assert_eq!((e.stage, e.cause), (Stage::Stage2Image, want));
        assert!(
            h.log.iter().all(|f| f.0 != 0xB1),
            "nothing sent with L <= 12"
        );
    }
    // L = 18 carries INFO but is not a multiple of 4 at DATA time.
    let mut h = Harness::new(bootrom::Config {
        max_frame_len: 18,
        ..rom_cfg(Faults::default())
    });
    let mut tx = vec![0u8; 4096];
    let mut dpd = vec![0u8; DPD_LEN];
    let mut ld = Loader::new(
        HostCrc,
        Config::default(),
        Mode::Btrf,
        fw(&s, Mode::Btrf, false),
        &mut tx,
        &mut dpd,
        false,
    )
    .unwrap();
    let e = failed(h.run(&mut ld));
    assert_eq!(e.cause, Cause::BadFrameLen(18));
    assert!(h.log.iter().all(|f| f.0 != 0xB2));
    // A small transmit buffer caps the chunk below L.
    let mut h = Harness::new(bootrom::Config {
        max_frame_len: 0xFFFC,
        ..rom_cfg(Faults::default())
    });
    let mut tx = vec![0u8; 1024];
    let mut ld = Loader::new(
        HostCrc,
        Config::default(),
        Mode::Btrf,
        fw(&s, Mode::Btrf, false),
        &mut tx,
        &mut dpd,
        false,
    )
    .unwrap();
    done(h.run(&mut ld));
    assert!(h.log.iter().all(|f| f.3 <= 1024));
}

#[test]
fn dpd_faults() {
    let e = failed(
        bring_up(
            Mode::Signal,
            false,
            Faults {
                dpd_bad_crc: true,
                ..Faults::default()
            },
            None,
        )
        .0,
    );
    assert_eq!(e.stage, Stage::DpdCalibration);
    assert!(matches!(e.cause, Cause::DpdCrc { .. }));

    let (a, h, _) = bring_up(
        Mode::Signal,
        false,
        Faults {
            dpd_never_ready: true,
            ..Faults::default()
        },
        None,
    );
    let e = failed(a);
    assert_eq!(
        (e.stage, e.cause),
        (Stage::DpdCalibration, Cause::DpdTimeout)
    );
    assert!(h.now >= 15_000 * MS);

    let e = failed(
        bring_up(
            Mode::Signal,
            false,
            Faults {
                dpd_len_override: 0x100,
                ..Faults::default()
            },
            None,
        )
        .0,
    );
    assert_eq!(e.cause, Cause::DpdLength(0x100));
}

#[test]
fn bus_errors() {
    // Access 0 is the very first buffer-info read: not retried (spec errata 5).
    let e = failed(bring_up(Mode::Signal, true, Faults::default(), Some(0)).0);
    assert_eq!(
        (e.stage, e.cause, e.attempts),
        (Stage::RegWrite, Cause::Bus, 1)
    );
    // A later failure inside an image is retried.
    let (a, _, _) = bring_up(Mode::Btrf, false, Faults::default(), Some(20));
    let o = done(a);
    assert_eq!(o.retries + u32::from(o.reg_write_failures), 1);
}

#[test]
fn bus_error_on_the_dpd_read_is_fatal() {
    let s = set();
    let mut h = Harness::new(rom_cfg(Faults::default()));
    h.fail_dpd_read = true;
    let mut tx = vec![0u8; 4096];
    let mut dpd = vec![0u8; DPD_LEN];
    let mut l = Loader::new(
        HostCrc,
        Config::default(),
        Mode::Signal,
        fw(&s, Mode::Signal, false),
        &mut tx,
        &mut dpd,
        false,
    )
    .unwrap();
    let e = failed(h.run(&mut l));
    assert_eq!(
        (e.stage, e.cause, e.attempts),
        (Stage::DpdCalibration, Cause::Bus, 1)
    );
    assert!(
        h.log.iter().all(|f| f.0 != 0xB1 || f.2 == 8),
        "no frame after the failure"
    );
    assert_eq!(
        h.log.iter().filter(|f| f.0 == 0xB4).count(),
        1,
        "only the boot image ran"
    );
}

#[test]
fn unexpected_events_fail_cleanly() {
    let s = set();
    let mut tx = vec![0u8; 4096];
    let mut dpd = vec![0u8; DPD_LEN];
    let mut l = Loader::new(
        HostCrc,
        Config::default(),
        Mode::Btrf,
        fw(&s, Mode::Btrf, false),
        &mut tx,
        &mut dpd,
        false,
    )
    .unwrap();
    assert_eq!(l.start(0), Action::ReadRxBufInfo);
    let a = l.step(0, Event::Irq);
    assert_eq!(failed(a).cause, Cause::UnexpectedEvent);
    assert_eq!(l.step(0, Event::Sent), a, "terminal actions repeat");
}

#[test]
fn setup_is_validated() {
    let s = set();
    let mut tx = vec![0u8; 4096];
    let mut dpd = vec![0u8; DPD_LEN];
    let mut f = fw(&s, Mode::Signal, false);
    f.boot = None;
    assert_eq!(
        Loader::new(
            HostCrc,
            Config::default(),
            Mode::Signal,
            f,
            &mut tx,
            &mut dpd,
            false
        )
        .err(),
        Some(SetupError::MissingBootImage)
    );
    let mut f = fw(&s, Mode::Signal, false);
    f.stage2 = Image::parse(&s.boot, &HostCrc).unwrap();
    assert_eq!(
        Loader::new(
            HostCrc,
            Config::default(),
            Mode::Signal,
            f,
            &mut tx,
            &mut dpd,
            false
        )
        .err(),
        Some(SetupError::WrongImage(Kind::Signal))
    );
    let mut f = fw(&s, Mode::Signal, false);
    f.boot = Some(Image::parse(&s.signal, &HostCrc).unwrap());
    assert_eq!(
        Loader::new(
            HostCrc,
            Config::default(),
            Mode::Signal,
            f,
            &mut tx,
            &mut dpd,
            false
        )
        .err(),
        Some(SetupError::WrongImage(Kind::Boot))
    );
    let mut small = vec![0u8; 100];
    assert_eq!(
        Loader::new(
            HostCrc,
            Config::default(),
            Mode::Btrf,
            fw(&s, Mode::Btrf, false),
            &mut small,
            &mut dpd,
            false
        )
        .err(),
        Some(SetupError::TxBufferTooSmall(100))
    );
    let mut f = fw(&s, Mode::Btrf, false);
    f.factory = Some(&s.factory[..10]);
    assert_eq!(
        Loader::new(
            HostCrc,
            Config::default(),
            Mode::Btrf,
            f,
            &mut tx,
            &mut dpd,
            false
        )
        .err(),
        Some(SetupError::BadFactoryLen(10))
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any valid L and image size downloads intact: the ROM's END CRC check passes and the
    /// DATA frames cover the image exactly.
    #[test]
    fn any_valid_frame_length_downloads(l4 in 4u16..1200, words in 6usize..3000, seed in any::<u32>()) {
        let l = l4 * 4;
        let btrf = synth::image(Kind::Btrf, words * 4, seed);
        let img = Image::parse(&btrf, &HostCrc).unwrap();
        let mut h = Harness::new(bootrom::Config { max_frame_len: l, ..rom_cfg(Faults::default()) });
        let mut tx = vec![0u8; 8192];
        let mut dpd = vec![];
        let f = Firmware { boot: None, stage2: img, factory: None };
        let mut ld = Loader::new(HostCrc, Config::default(), Mode::Btrf, f, &mut tx, &mut dpd, false).unwrap();
        let o = done(h.run(&mut ld));
        prop_assert_eq!(o.retries, 0);
        prop_assert!(h.rom.booted().is_some());
        let data: usize = h.log.iter().filter(|f| f.0 == 0xB2).map(|f| usize::from(f.2) - 4).sum();
        prop_assert_eq!(data, img.code().len() + 2 * 4, "image plus two 4-byte register writes");
    }
}

/// Runs a signal bring-up whose first `bad` DPD blobs fail their CRC, with `calibrations`
/// boot-image runs allowed.
fn dpd_retry_run(bad: Option<u32>, calibrations: u8) -> (Action, Harness, Vec<u8>) {
    let mut h = Harness::new(rom_cfg(Faults {
        dpd_bad_crc: true,
        ..Faults::default()
    }));
    h.heal_dpd_after = bad;
    let cfg = Config {
        dpd_calibrations: calibrations,
        ..Config::default()
    };
    bring_up_on(h, cfg, Mode::Signal, true)
}

/// RUN frames the host sent: how often an image was started.
fn runs(h: &Harness) -> usize {
    h.log.iter().filter(|f| f.0 == proto::msg::RUN).count()
}

/// issue 19 (from issue 5): a bad DPD blob is calibrated again with a fresh boot image.
#[test]
fn issue_19_dpd_retried_with_a_fresh_boot_image() {
    let (a, h, dpd) = dpd_retry_run(Some(1), 2);
    let o = done(a);
    assert_eq!((o.dpd, o.dpd_retries, o.retries), (DpdSource::Fresh, 1, 1));
    assert_eq!(h.rom.stats().dpd_reads, 2, "two calibrations");
    assert_eq!(runs(&h), 3, "boot, boot again, stage 2");
    assert_eq!(&dpd[..], &h.rom.dpd_blob()[..], "the good blob is cached");
    let b = h.rom.booted().unwrap();
    assert!(b.dpd_loaded && b.factory_loaded);

    // Bad every time: two calibrations, then the CRC error, attempts = calibrations.
    let e = failed(dpd_retry_run(None, 2).0);
    assert_eq!(e.stage, Stage::DpdCalibration);
    assert!(matches!(e.cause, Cause::DpdCrc { .. }));
    assert_eq!(e.attempts, 2);

    // One calibration is the vendor behaviour: no retry.
    let (a, h, _) = dpd_retry_run(Some(1), 1);
    assert_eq!(failed(a).attempts, 1);
    assert_eq!(h.rom.stats().dpd_reads, 1);
}
