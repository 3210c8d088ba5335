//! Property tests: the chip model and the frame parsers never panic on arbitrary input, and
//! the stream frame round-trips.

use bes2600_engine::Bus;
use bes2600_sim::net::{classify, parse_stream, stream_frame, stream_frame_len};
use bes2600_sim::{FaultConfig, SimChip, SimConfig, TrafficConfig};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Advance(u32),
    ReadReg(u16),
    WriteReg(u16, u8),
    Read(u32, u16),
    Write(u32, Vec<u8>),
    Reset,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u32..5_000_000).prop_map(Op::Advance),
        (0u16..0x200).prop_map(Op::ReadReg),
        (0u16..0x200, any::<u8>()).prop_map(|(r, v)| Op::WriteReg(r, v)),
        (any::<u32>(), 0u16..30_000).prop_map(|(a, n)| Op::Read(a, n)),
        (
            any::<u32>(),
            proptest::collection::vec(any::<u8>(), 0..3000)
        )
            .prop_map(|(a, b)| Op::Write(a, b)),
        Just(Op::Reset),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bus_traffic_never_panics_and_stays_accounted(
        ops in proptest::collection::vec(op(), 1..200),
        hostile in 0u32..200_000,
        seed in any::<u64>(),
    ) {
        let cfg = SimConfig {
            traffic: TrafficConfig::SATURATION,
            faults: FaultConfig { hostile_ppm: hostile, crc_ppm: hostile / 4, corrupt_len_ppm: hostile / 4, cmd_timeout_ppm: 0 },
            seed,
            ..SimConfig::default()
        };
        let mut c = Box::new(SimChip::new(cfg));
        let mut now = 0u64;
        let mut buf = vec![0u8; 30_000];
        // Wi-Fi up so that the firmware and the generator are live.
        c.write_reg8(0x121, 0).unwrap();
        c.write_reg8(0x120, 0x21).unwrap();
        for o in ops {
            match o {
                Op::Advance(d) => { now += u64::from(d); c.advance(now); }
                Op::ReadReg(r) => { let _ = c.read_reg8(u32::from(r)); }
                Op::WriteReg(r, v) => { let _ = c.write_reg8(u32::from(r), v); }
                Op::Read(a, n) => { let _ = c.read_data(a, &mut buf[..usize::from(n)]); }
                Op::Write(a, b) => { let _ = c.write_data(a, &b); }
                Op::Reset => { let _ = c.reset(); }
            }
            prop_assert!(c.counters().accounted());
            prop_assert!(c.outstanding() <= c.config().num_inp_ch_bufs);
        }
    }

    #[test]
    fn stream_frames_round_trip(seq in any::<u64>(), gen in any::<u64>(), len in 20usize..1500) {
        let mut f = vec![0u8; stream_frame_len(len)];
        let n = stream_frame(&mut f, &[2, 0, 0, 0, 0, 2], len, seq, gen, 1).unwrap();
        prop_assert_eq!(n, f.len());
        let d = parse_stream(&f).unwrap();
        prop_assert_eq!((d.seq, d.gen_ns, d.payload_len), (seq, gen, len));
    }

    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = classify(&bytes);
        let _ = parse_stream(&bytes);
    }
}
