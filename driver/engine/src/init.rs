//! In-place construction of the engine, for callers that must not hold it on the stack.

use core::borrow::Borrow;
use core::mem::MaybeUninit;

use bes2600_wire::sdio::{MAX_RX_BUF, MAX_TX_BUF};

use crate::engine::{Bufs, Engine, SDD_MAX, TX_MSG_MAX};
use crate::host::{RxEntry, RxMeta, RX_BATCH_MAX};
use crate::policy::Policy;
use crate::shared::Shared;

impl<S: Borrow<Shared>, const CQ: usize> Engine<S, CQ> {
    /// Writes a new stopped engine (as [`Engine::new`]) into `slot` and returns it.
    ///
    /// The engine is ~60 KiB (two burst buffers); a kernel stack is 16 KiB. Everything here
    /// is inlined into the caller, so the compiler stores the fields straight into `slot`
    /// (a heap allocation) instead of building the value on the stack and copying it: the
    /// kernel module measures the frame of its caller (driver/kmod/README.md).
    #[inline(always)]
    pub fn init_in_place(slot: &mut MaybeUninit<Self>, shared: S, policy: Policy) -> &mut Self {
        slot.write(Self::new(shared, policy))
    }
}

impl Bufs {
    /// All buffers zeroed, as a constant: written into the engine's place with one memset
    /// (no stack temporary) by [`Engine::init_in_place`].
    pub(crate) const ZERO: Bufs = Bufs {
        rx: [0; MAX_RX_BUF],
        tx: [0; MAX_TX_BUF],
        held: [0; TX_MSG_MAX],
        entries: [const {
            RxEntry {
                range: 0..0,
                meta: RxMeta {
                    if_id: 0,
                    status: 0,
                    channel: 0,
                    rate: 0,
                    rcpi: 0,
                    flags: 0,
                },
            }
        }; RX_BATCH_MAX],
        sdd: [0; SDD_MAX],
    };
}
