// SPDX-License-Identifier: GPL-2.0-only
//! Building the next boot-ROM frame of a session (spec §2.3-2.4).

use super::{Action, Cause, Loader, Next, Op, Phase, DPD_LEN, PRE_DOWNLOAD_REGS};
use crate::crc::Crc32;
use crate::proto::{self, Frame};

impl<C: Crc32> Loader<'_, C> {
    /// Builds and sends the next frame of the session, given the reported L.
    pub(super) fn send(&mut self, now_ns: u64, max_len: u16) -> Action {
        // Frames are padded to whole 512-byte blocks, so the buffer's whole blocks bound
        // the frame as much as L does.
        let cap = self.tx.len() / proto::MIN_WRITE_LEN * proto::MIN_WRITE_LEN;
        let s = self.sess;
        let reg_bytes;
        let frame = match s.next {
            Next::Info => {
                // An L that cannot even carry INFO is an error, not the silent success C
                // returns (spec errata 5).
                if proto::check_info_room(max_len).is_err() {
                    return self.fail(now_ns, Cause::FrameLenTooSmall(max_len));
                }
                Frame::Info {
                    seq: s.seq,
                    total_len: u32::try_from(s.total).unwrap_or(u32::MAX),
                    dest_addr: s.addr,
                }
            }
            Next::Data => {
                // L must be a multiple of 4 that leaves room for data (spec §2.4 step 3).
                let Ok(chunk) = proto::data_chunk_len(max_len, usize::MAX) else {
                    return self.fail(now_ns, Cause::BadFrameLen(max_len));
                };
                let chunk = chunk.min(cap - proto::DATA_OVERHEAD);
                let data = if let Op::Reg(i) = s.op {
                    reg_bytes = PRE_DOWNLOAD_REGS[usize::from(i & 1)].1.to_le_bytes();
                    &reg_bytes[..]
                } else {
                    let all = match s.op {
                        Op::Factory => self.fw.factory.unwrap_or(&[]),
                        Op::Boot => self.fw.boot.map(|b| b.code()).unwrap_or(&[]),
                        Op::DpdWrite => self.dpd.get(..DPD_LEN).unwrap_or(&[]),
                        _ => self.fw.stage2.code(),
                    };
                    let end = s.offset.saturating_add(chunk).min(all.len());
                    all.get(s.offset..end).unwrap_or(&[])
                };
                self.sess.chunk = data.len();
                Frame::Data {
                    seq: s.seq,
                    addr: s.addr.wrapping_add(u32::try_from(s.offset).unwrap_or(0)),
                    data,
                }
            }
            Next::End => Frame::End {
                seq: s.seq,
                crc32: s.crc,
            },
            Next::Run => Frame::Run {
                seq: s.seq,
                exec_addr: s.addr,
            },
        };
        // Zero padding: C sends leftover buffer contents there (spec errata).
        let Ok(padded) = frame.emit_padded(self.tx) else {
            return self.fatal(Cause::UnexpectedEvent);
        };
        self.frame_len = padded;
        // Every frame put on the bus consumes a sequence number, whatever its fate.
        self.sess.sent_seq = s.seq;
        self.sess.seq = s.seq.wrapping_add(1);
        self.phase = Phase::Sending;
        Action::Send { len: padded }
    }
}
