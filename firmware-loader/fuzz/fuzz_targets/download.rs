//! The download state machine never panics on arbitrary chip answers: every register
//! value, reply length and reply byte comes from the fuzzer.
#![no_main]

use bes2600_fw::download::{Action, Config, Event, Firmware, Loader, Mode, DPD_LEN};
use bes2600_fw::image::Image;
use bes2600_fw::Crc32;
use libfuzzer_sys::fuzz_target;

struct Sum;
impl Crc32 for Sum {
    fn crc32(&self, data: &[u8]) -> u32 {
        data.iter().fold(0u32, |a, &b| a.rotate_left(5) ^ u32::from(b))
    }
}

fn image(entry: u32) -> [u8; 64] {
    let mut f = [0x11u8; 64];
    f[..4].copy_from_slice(&entry.to_le_bytes());
    f[12..16].copy_from_slice(&0x2000_0168u32.to_le_bytes());
    f[60..].copy_from_slice(&0x2000_0168u32.to_le_bytes());
    f
}

fuzz_target!(|data: &[u8]| {
    let mut it = data.iter().copied();
    let mut byte = || it.next();
    let boot = image(0x0020_15D5);
    let sig = image(0x0020_0769);
    let fw = Firmware {
        boot: Image::parse(&boot, &Sum).ok(),
        stage2: match Image::parse(&sig, &Sum) {
            Ok(i) => i,
            Err(_) => return,
        },
        factory: None,
    };
    let mut tx = [0u8; 1024];
    let mut dpd = [0u8; DPD_LEN];
    let mut reply = [0u8; DPD_LEN];
    let Ok(mut l) = Loader::new(Sum, Config::default(), Mode::Signal, fw, &mut tx, &mut dpd, false) else {
        return;
    };
    let mut now = 0u64;
    let mut act = l.start(now);
    for _ in 0..10_000 {
        now += 1_000_000;
        let Some(sel) = byte() else { return };
        let ev = match (act, sel % 8) {
            (Action::Done(_) | Action::Failed(_), _) => return,
            (_, 0) => Event::BusError,
            (Action::ReadRxBufInfo, _) => {
                let (a, b, c) = (byte().unwrap_or(1), byte().unwrap_or(0), byte().unwrap_or(4));
                Event::RxBufInfo { count: a, max_len: u16::from_le_bytes([b, c]) }
            }
            (Action::Send { len }, _) => {
                assert!(len >= 512 && len <= 1024);
                Event::Sent
            }
            (Action::Sleep { .. }, _) => Event::Slept,
            (Action::WaitIrq { .. }, s) => if s & 1 == 0 { Event::Irq } else { Event::Timeout },
            (Action::ReadReplyLen, _) => Event::ReplyLen(u16::from_le_bytes([byte().unwrap_or(8), byte().unwrap_or(0)])),
            (Action::ReadReply { len }, _) => {
                for b in reply.iter_mut().take(len.min(64)) {
                    *b = byte().unwrap_or(0);
                }
                Event::Reply(&reply[..len.min(DPD_LEN)])
            }
            (Action::ReadSlaveStatus, _) => Event::SlaveStatus(byte().unwrap_or(0)),
        };
        act = l.step(now, ev);
    }
});
