//! Generic netlink framing: the netlink header (`struct nlmsghdr`, 16 bytes), the generic
//! netlink header (`struct genlmsghdr`, 4 bytes) and attributes (`struct nlattr`, 4 bytes +
//! payload, 4-byte aligned), as in include/uapi/linux/netlink.h and genetlink.h.
//!
//! Building writes into a growable buffer that can hold several messages (the kernel
//! processes every message of one `send`, which lets the injector batch a burst). Parsing
//! checks every length the kernel reports before slicing: a message or attribute whose
//! length is short, or runs past the buffer, is an error, never a panic.

use thiserror::Error;

/// Byte ranges of `struct nlmsghdr` (native endian; the guest and the kernel agree).
mod nlmsg {
    use std::ops::Range;
    pub const LEN: Range<usize> = 0..4;
    pub const TYPE: Range<usize> = 4..6;
    pub const FLAGS: Range<usize> = 6..8;
    pub const SEQ: Range<usize> = 8..12;
    pub const PID: Range<usize> = 12..16;
}
/// Length of `struct nlmsghdr`.
pub const NLMSG_HDRLEN: usize = nlmsg::PID.end;
/// Length of `struct genlmsghdr` (cmd, version, reserved u16).
pub const GENL_HDRLEN: usize = 4;
/// Length of `struct nlattr` (len u16, type u16).
pub const NLA_HDRLEN: usize = 4;

/// `NLMSG_ERROR`: an error, or an acknowledgement when the code is 0.
pub const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`: end of a dump.
pub const NLMSG_DONE: u16 = 3;
/// `NLM_F_REQUEST`.
pub const NLM_F_REQUEST: u16 = 1;
/// `NLM_F_ACK`.
pub const NLM_F_ACK: u16 = 4;
/// The generic netlink controller's fixed family id (`GENL_ID_CTRL`).
pub const GENL_ID_CTRL: u16 = 0x10;
/// `CTRL_CMD_GETFAMILY`.
pub const CTRL_CMD_GETFAMILY: u8 = 3;
/// `CTRL_ATTR_FAMILY_ID` (u16).
pub const CTRL_ATTR_FAMILY_ID: u16 = 1;
/// `CTRL_ATTR_FAMILY_NAME` (NUL-terminated string).
pub const CTRL_ATTR_FAMILY_NAME: u16 = 2;
/// The attribute type without the `NLA_F_NESTED`/`NLA_F_NET_BYTEORDER` flag bits.
const NLA_TYPE_MASK: u16 = 0x3fff;

/// Why bytes from the kernel were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Error {
    /// Fewer bytes than a header needs.
    #[error("truncated header")]
    Truncated,
    /// A length field smaller than its header or running past the buffer.
    #[error("bad length field")]
    BadLength,
    /// An attribute the caller requires is missing.
    #[error("missing attribute {0}")]
    Missing(u16),
    /// An attribute whose payload has the wrong size for its type.
    #[error("attribute {0} has the wrong size")]
    AttrSize(u16),
}

const fn align4(n: usize) -> usize {
    (n + 3) & !3
}

fn ne16(b: &[u8]) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(..2)?.try_into().ok()?))
}

fn ne32(b: &[u8]) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(..4)?.try_into().ok()?))
}

/// Builds one or more generic netlink messages into one buffer.
#[derive(Debug, Default)]
pub struct Builder {
    buf: Vec<u8>,
    /// Start of the message being built.
    start: usize,
}

impl Builder {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets every message (keeps the allocation).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.start = 0;
    }

    /// Starts a message: netlink header for `family` and generic header with `cmd`.
    pub fn begin(&mut self, family: u16, flags: u16, seq: u32, cmd: u8, version: u8) -> &mut Self {
        self.start = self.buf.len();
        self.buf.extend_from_slice(&0u32.to_ne_bytes()); // length, set by `end`
        self.buf.extend_from_slice(&family.to_ne_bytes());
        self.buf.extend_from_slice(&flags.to_ne_bytes());
        self.buf.extend_from_slice(&seq.to_ne_bytes());
        self.buf.extend_from_slice(&0u32.to_ne_bytes()); // port id: the kernel fills it in
        self.buf.extend_from_slice(&[cmd, version, 0, 0]);
        self
    }

    /// Starts a message of another netlink protocol: header, then `fixed` (e.g. rtnetlink's
    /// `struct ndmsg`) in place of the generic netlink header.
    pub fn begin_raw(&mut self, ty: u16, flags: u16, seq: u32, fixed: &[u8]) -> &mut Self {
        self.start = self.buf.len();
        self.buf.extend_from_slice(&0u32.to_ne_bytes());
        self.buf.extend_from_slice(&ty.to_ne_bytes());
        self.buf.extend_from_slice(&flags.to_ne_bytes());
        self.buf.extend_from_slice(&seq.to_ne_bytes());
        self.buf.extend_from_slice(&0u32.to_ne_bytes());
        self.buf.extend_from_slice(fixed);
        self.buf.resize(align4(self.buf.len()), 0);
        self
    }

    /// Appends one attribute, padded to 4 bytes.
    ///
    /// # Panics
    /// If `data` is longer than an attribute can be (65531 bytes): callers pass 802.11
    /// frames and fixed-size fields, all far shorter.
    pub fn attr(&mut self, ty: u16, data: &[u8]) -> &mut Self {
        let len = u16::try_from(NLA_HDRLEN + data.len()).expect("netlink attribute too long");
        self.buf.extend_from_slice(&len.to_ne_bytes());
        self.buf.extend_from_slice(&ty.to_ne_bytes());
        self.buf.extend_from_slice(data);
        self.buf.resize(align4(self.buf.len()), 0);
        self
    }

    /// Appends a u32 attribute.
    pub fn attr_u32(&mut self, ty: u16, v: u32) -> &mut Self {
        self.attr(ty, &v.to_ne_bytes())
    }

    /// Appends a u64 attribute.
    pub fn attr_u64(&mut self, ty: u16, v: u64) -> &mut Self {
        self.attr(ty, &v.to_ne_bytes())
    }

    /// Appends a NUL-terminated string attribute.
    pub fn attr_str(&mut self, ty: u16, s: &str) -> &mut Self {
        let mut v = Vec::with_capacity(s.len() + 1);
        v.extend_from_slice(s.as_bytes());
        v.push(0);
        self.attr(ty, &v)
    }

    /// Finishes the current message: writes its length.
    pub fn end(&mut self) -> &mut Self {
        let len = u32::try_from(self.buf.len() - self.start).unwrap_or(u32::MAX);
        self.buf[self.start + nlmsg::LEN.start..self.start + nlmsg::LEN.end]
            .copy_from_slice(&len.to_ne_bytes());
        self
    }

    /// The bytes of every finished message.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }
}

/// One netlink message out of a received buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msg<'a> {
    /// `nlmsg_type`: a family id, or `NLMSG_ERROR`/`NLMSG_DONE`/`NLMSG_NOOP`.
    pub ty: u16,
    /// `nlmsg_flags`.
    pub flags: u16,
    /// `nlmsg_seq`.
    pub seq: u32,
    /// `nlmsg_pid`.
    pub pid: u32,
    /// Everything after the netlink header, within `nlmsg_len`.
    pub payload: &'a [u8],
}

impl<'a> Msg<'a> {
    /// The generic netlink command and the attribute bytes, for a family message.
    pub fn genl(&self) -> Result<(u8, &'a [u8]), Error> {
        let cmd = *self.payload.first().ok_or(Error::Truncated)?;
        let attrs = self.payload.get(GENL_HDRLEN..).ok_or(Error::Truncated)?;
        Ok((cmd, attrs))
    }

    /// The error code of an `NLMSG_ERROR` message (0 is an acknowledgement, else -errno).
    pub fn error_code(&self) -> Result<i32, Error> {
        ne32(self.payload).map(|v| v as i32).ok_or(Error::Truncated)
    }
}

/// Iterates over the netlink messages in a received buffer. A malformed length ends the
/// iteration with one `Err`.
pub fn messages(buf: &[u8]) -> Messages<'_> {
    Messages { rest: buf }
}

/// Iterator returned by [`messages`].
#[derive(Debug)]
pub struct Messages<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Messages<'a> {
    type Item = Result<Msg<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let b = self.rest;
        let Some(h) = b.get(..NLMSG_HDRLEN) else {
            self.rest = &[];
            return Some(Err(Error::Truncated));
        };
        let (Some(len), Some(ty), Some(flags), Some(seq), Some(pid)) = (
            ne32(&h[nlmsg::LEN]),
            ne16(&h[nlmsg::TYPE]),
            ne16(&h[nlmsg::FLAGS]),
            ne32(&h[nlmsg::SEQ]),
            ne32(&h[nlmsg::PID]),
        ) else {
            self.rest = &[];
            return Some(Err(Error::Truncated));
        };
        let len = len as usize;
        if len < NLMSG_HDRLEN || len > b.len() {
            self.rest = &[];
            return Some(Err(Error::BadLength));
        }
        let payload = &b[NLMSG_HDRLEN..len];
        self.rest = b.get(align4(len)..).unwrap_or(&[]);
        Some(Ok(Msg {
            ty,
            flags,
            seq,
            pid,
            payload,
        }))
    }
}

/// Iterates over `(type, payload)` of the attributes in `buf`. A malformed length ends the
/// iteration with one `Err`.
pub fn attrs(buf: &[u8]) -> Attrs<'_> {
    Attrs { rest: buf }
}

/// Iterator returned by [`attrs`].
#[derive(Debug)]
pub struct Attrs<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Result<(u16, &'a [u8]), Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let b = self.rest;
        let (Some(len), Some(ty)) = (ne16(b), b.get(2..).and_then(ne16)) else {
            self.rest = &[];
            return Some(Err(Error::Truncated));
        };
        let len = usize::from(len);
        if len < NLA_HDRLEN || len > b.len() {
            self.rest = &[];
            return Some(Err(Error::BadLength));
        }
        self.rest = b.get(align4(len)..).unwrap_or(&[]);
        Some(Ok((ty & NLA_TYPE_MASK, &b[NLA_HDRLEN..len])))
    }
}

/// A u16 attribute payload.
pub fn get_u16(ty: u16, v: &[u8]) -> Result<u16, Error> {
    let a: [u8; 2] = v.try_into().map_err(|_| Error::AttrSize(ty))?;
    Ok(u16::from_ne_bytes(a))
}

/// A u32 attribute payload.
pub fn get_u32(ty: u16, v: &[u8]) -> Result<u32, Error> {
    let a: [u8; 4] = v.try_into().map_err(|_| Error::AttrSize(ty))?;
    Ok(u32::from_ne_bytes(a))
}

/// A u64 attribute payload.
pub fn get_u64(ty: u16, v: &[u8]) -> Result<u64, Error> {
    let a: [u8; 8] = v.try_into().map_err(|_| Error::AttrSize(ty))?;
    Ok(u64::from_ne_bytes(a))
}

/// The request for a family's id: `CTRL_CMD_GETFAMILY` with its name.
pub fn put_get_family(b: &mut Builder, seq: u32, name: &str) {
    b.begin(
        GENL_ID_CTRL,
        NLM_F_REQUEST | NLM_F_ACK,
        seq,
        CTRL_CMD_GETFAMILY,
        1,
    )
    .attr_str(CTRL_ATTR_FAMILY_NAME, name)
    .end();
}

/// The family id out of the controller's `CTRL_CMD_NEWFAMILY` answer attributes.
pub fn parse_family_id(attr_bytes: &[u8]) -> Result<u16, Error> {
    for a in attrs(attr_bytes) {
        let (ty, v) = a?;
        if ty == CTRL_ATTR_FAMILY_ID {
            return get_u16(ty, v);
        }
    }
    Err(Error::Missing(CTRL_ATTR_FAMILY_ID))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_messages_parse_back_with_padding_and_lengths() {
        let mut b = Builder::new();
        b.begin(0x20, NLM_F_REQUEST, 7, 2, 1)
            .attr(3, &[1, 2, 3]) // padded to 8
            .attr_u32(4, 0xdead_beef)
            .end();
        b.begin(0x21, 0, 8, 5, 1).attr_u64(8, u64::MAX - 1).end();
        let bytes = b.bytes();
        // 16 + 4 + (4+3+1) + (4+4) = 36; 16 + 4 + 12 = 32
        assert_eq!(bytes.len(), 36 + 32);
        let msgs: Vec<_> = messages(bytes).collect::<Result<_, _>>().unwrap();
        assert_eq!(msgs.len(), 2);
        assert_eq!(
            (msgs[0].ty, msgs[0].seq, msgs[0].flags),
            (0x20, 7, NLM_F_REQUEST)
        );
        let (cmd, a) = msgs[0].genl().unwrap();
        assert_eq!(cmd, 2);
        let at: Vec<_> = attrs(a).collect::<Result<_, _>>().unwrap();
        assert_eq!(
            at,
            vec![
                (3, &[1u8, 2, 3][..]),
                (4, &0xdead_beefu32.to_ne_bytes()[..])
            ]
        );
        let (cmd, a) = msgs[1].genl().unwrap();
        assert_eq!(cmd, 5);
        let (ty, v) = attrs(a).next().unwrap().unwrap();
        assert_eq!(get_u64(ty, v), Ok(u64::MAX - 1));
    }

    #[test]
    fn lengths_that_lie_are_errors_not_panics() {
        let mut b = Builder::new();
        b.begin(0x20, 0, 1, 2, 1).attr_u32(4, 1).end();
        let good = b.bytes().to_vec();
        // Every truncation of a valid message is refused or yields only whole parts.
        for cut in 0..good.len() {
            for m in messages(&good[..cut]) {
                assert!(m.is_err(), "cut {cut} parsed");
            }
        }
        // nlmsg_len larger than the buffer, and smaller than the header.
        let mut big = good.clone();
        big[0..4].copy_from_slice(&1000u32.to_ne_bytes());
        assert_eq!(messages(&big).next(), Some(Err(Error::BadLength)));
        let mut small = good.clone();
        small[0..4].copy_from_slice(&3u32.to_ne_bytes());
        assert_eq!(messages(&small).next(), Some(Err(Error::BadLength)));
        // An attribute claiming more bytes than remain, and one shorter than its header.
        let mut a = good.clone();
        a[20..22].copy_from_slice(&200u16.to_ne_bytes());
        let (_, ab) = messages(&a).next().unwrap().unwrap().genl().unwrap();
        assert_eq!(attrs(ab).next(), Some(Err(Error::BadLength)));
        a[20..22].copy_from_slice(&2u16.to_ne_bytes());
        let (_, ab) = messages(&a).next().unwrap().unwrap().genl().unwrap();
        assert_eq!(attrs(ab).next(), Some(Err(Error::BadLength)));
        // Fixed-size getters refuse other sizes.
        assert_eq!(get_u32(9, &[1, 2, 3]), Err(Error::AttrSize(9)));
        assert_eq!(get_u16(9, &[1, 2, 3]), Err(Error::AttrSize(9)));
    }

    #[test]
    fn family_request_and_answer() {
        let mut b = Builder::new();
        put_get_family(&mut b, 3, "MAC80211_HWSIM");
        let m = messages(b.bytes()).next().unwrap().unwrap();
        assert_eq!((m.ty, m.flags), (GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK));
        let (cmd, a) = m.genl().unwrap();
        assert_eq!(cmd, CTRL_CMD_GETFAMILY);
        let (ty, v) = attrs(a).next().unwrap().unwrap();
        assert_eq!((ty, v), (CTRL_ATTR_FAMILY_NAME, &b"MAC80211_HWSIM\0"[..]));
        // The controller's answer: name, then id (nested flag bits are masked off).
        let mut r = Builder::new();
        r.begin(GENL_ID_CTRL, 0, 3, 1, 2)
            .attr_str(CTRL_ATTR_FAMILY_NAME, "MAC80211_HWSIM")
            .attr(CTRL_ATTR_FAMILY_ID, &0x1du16.to_ne_bytes())
            .end();
        let m = messages(r.bytes()).next().unwrap().unwrap();
        assert_eq!(parse_family_id(m.genl().unwrap().1), Ok(0x1d));
        assert_eq!(
            parse_family_id(&[]),
            Err(Error::Missing(CTRL_ATTR_FAMILY_ID))
        );
    }

    #[test]
    fn error_message_code() {
        // NLMSG_ERROR: i32 error then the echoed request header.
        let mut p = (-22i32).to_ne_bytes().to_vec();
        let mut req = Builder::new();
        req.begin(0x1d, NLM_F_REQUEST, 42, 2, 1).end();
        p.extend_from_slice(req.bytes());
        let m = Msg {
            ty: NLMSG_ERROR,
            flags: 0,
            seq: 0,
            pid: 0,
            payload: &p,
        };
        assert_eq!(m.error_code(), Ok(-22));
        let short = Msg {
            payload: &p[..3],
            ..m
        };
        assert_eq!(short.error_code(), Err(Error::Truncated));
    }
}
