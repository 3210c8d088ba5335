//! Command tags: what the kernel module passes with a command so that its confirm
//! ([`crate::CmdDone::tag`]) finds the requester again.

/// Bit that marks a key command; the low 16 bits carry the request's generation.
const KEY_BIT: u32 = 1 << 16;

/// The requester of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// A hardware scan (`hw_scan`).
    Scan,
    /// A join after `bss_info_changed` gave a BSSID.
    Join,
    /// A reset (leaving the BSS).
    Reset,
    /// Stopping a running scan (`cancel_hw_scan`).
    StopScan,
    /// A key command (`set_key`) of the given generation, which its waiter compares.
    Key(u16),
}

impl Tag {
    /// The tag as the engine carries it.
    pub const fn encode(self) -> u32 {
        match self {
            Tag::Scan => 1,
            Tag::Join => 2,
            Tag::Reset => 3,
            Tag::StopScan => 4,
            Tag::Key(gen) => KEY_BIT | gen as u32,
        }
    }

    /// The requester of a confirm's tag, or `None` for a tag no requester uses (the
    /// engine's own start-up commands, for instance).
    pub const fn decode(tag: u32) -> Option<Self> {
        if tag & !0xFFFF == KEY_BIT {
            // CAST: masked to 16 bits.
            return Some(Tag::Key((tag & 0xFFFF) as u16));
        }
        match tag {
            1 => Some(Tag::Scan),
            2 => Some(Tag::Join),
            3 => Some(Tag::Reset),
            4 => Some(Tag::StopScan),
            _ => None,
        }
    }
}
