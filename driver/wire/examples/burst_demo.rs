// SPDX-License-Identifier: GPL-2.0-only
//! Builds a synthetic 16-message RX burst the way the chip lays it out (spec §1.5), splits
//! it with `sdio::Burst`, decodes each message and prints what it found.
//!
//! Run: `cargo run -p bes2600-wire --example burst_demo`

use bes2600_wire::sdio::{round_up_blocks, Burst, MAX_RX_BUF};
use bes2600_wire::wsm::event::{EventId, EventInd};
use bes2600_wire::wsm::rx::{RxFlags, RxInd};
use bes2600_wire::wsm::{self, decode, Decoded, Direction, SeqState, Status};
use bes2600_wire::{align4, Error};

fn main() -> Result<(), Error> {
    let mut burst = vec![0u8; MAX_RX_BUF];
    let mut pos = 0;
    let mut seq = SeqState::new();
    let mut frame = [0u8; 1500];
    for i in 0..16u16 {
        let len = 24 + usize::from(i) * 90; // 24..1374-byte frames: every padding case
        for (j, b) in frame[..len].iter_mut().enumerate() {
            *b = (j as u8) ^ (i as u8);
        }
        let n = if i == 7 {
            wsm::emit(
                &EventInd {
                    id: EventId::BssRegained,
                    data: 0,
                },
                0,
                &mut burst[pos..],
            )?
        } else {
            let rx = RxInd {
                status: Status::Success,
                channel: 6,
                rxed_rate: 14 + (i % 8) as u8,
                rcpi: 120,
                flags: RxFlags(RxFlags::MATCHING_BSSID),
                frame: &frame[..len],
            };
            wsm::emit(&rx, 0, &mut burst[pos..])?
        };
        seq.stamp_msg(&mut burst[pos..pos + n])?;
        pos += align4(n);
    }
    let transfer = round_up_blocks(pos);
    println!(
        "burst: {pos} bytes of messages, {transfer}-byte read ({} blocks)",
        transfer / 512
    );

    let mut rx_seq = SeqState::new();
    let (mut frames, mut events, mut msgs) = (0, 0, 0);
    for (i, m) in Burst::new(&burst[..transfer]).enumerate() {
        let m = m?;
        msgs += 1;
        let (id, body) = wsm::split(m)?;
        rx_seq.check_rx(id)?;
        let what = match decode(id, body, Direction::ToHost)? {
            Decoded::Rx(rx) => {
                frames += 1;
                format!(
                    "RX indication, rate {:2}, {:4}-byte frame, rssi {} dBm",
                    rx.rxed_rate,
                    rx.frame.len(),
                    bes2600_wire::wsm::rx::rssi_dbm(rx.rcpi)
                )
            }
            Decoded::Event(e) => {
                events += 1;
                format!("event {:?}", e.id)
            }
            other => format!("{other:?}"),
        };
        println!(
            "msg {i:2}: id {:#06x} seq {} len {:4}  {what}",
            id.0,
            id.seq(),
            m.len()
        );
    }
    println!(
        "split {msgs} messages: {frames} RX frames, {events} event(s), sequence numbers in order"
    );
    Ok(())
}
