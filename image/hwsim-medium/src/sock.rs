//! The generic netlink socket (through `nix`, so this crate has no `unsafe`): family
//! resolution, request/acknowledge, batched sends and non-blocking receives.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use anyhow::{bail, Context, Result};
use nix::errno::Errno;
use nix::sys::socket::{
    bind, recv, send, setsockopt, socket, sockopt, AddressFamily, MsgFlags, NetlinkAddr, SockFlag,
    SockProtocol, SockType,
};

use crate::genl::{self, Builder, NLMSG_DONE, NLMSG_ERROR};

/// Socket buffer size: hwsim drops a frame it cannot queue to the medium, so the receive
/// buffer must absorb a burst while the medium is scheduled out (the QEMU guest is slow).
const SOCK_BUF: usize = 8 << 20;

/// An open generic netlink socket with one resolved family.
pub struct Nl {
    fd: OwnedFd,
    family: u16,
    seq: u32,
    rx: Vec<u8>,
}

impl Nl {
    /// Opens the socket and resolves `family_name`.
    pub fn open(family_name: &str) -> Result<Self> {
        let fd = socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkGeneric,
        )
        .context("netlink socket")?;
        bind(fd.as_raw_fd(), &NetlinkAddr::new(0, 0)).context("netlink bind")?;
        // FORCE needs CAP_NET_ADMIN (the medium has it, REGISTER needs it too); else the
        // plain option, capped by net.core.rmem_max.
        if setsockopt(&fd, sockopt::RcvBufForce, &SOCK_BUF).is_err() {
            let _ = setsockopt(&fd, sockopt::RcvBuf, &SOCK_BUF);
        }
        if setsockopt(&fd, sockopt::SndBufForce, &SOCK_BUF).is_err() {
            let _ = setsockopt(&fd, sockopt::SndBuf, &SOCK_BUF);
        }
        let mut nl = Self {
            fd,
            family: genl::GENL_ID_CTRL,
            seq: 1,
            rx: vec![0u8; 1 << 16],
        };
        let mut b = Builder::new();
        let seq = nl.next_seq();
        genl::put_get_family(&mut b, seq, family_name);
        let answer = nl.request(&b, seq).with_context(|| {
            format!("generic netlink family {family_name} (is the module loaded?)")
        })?;
        nl.family = genl::parse_family_id(&answer).context("controller answer")?;
        Ok(nl)
    }

    /// The resolved family id.
    pub fn family(&self) -> u16 {
        self.family
    }

    /// A fresh sequence number.
    pub fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// The descriptor, for poll().
    pub fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Sends the single request in `b` (built with `NLM_F_ACK`) and waits for its answer:
    /// returns the attribute bytes of a data answer, or empty on a bare acknowledgement.
    pub fn request(&mut self, b: &Builder, seq: u32) -> Result<Vec<u8>> {
        self.send(b.bytes())?;
        let mut data = Vec::new();
        loop {
            let n = recv(self.fd.as_raw_fd(), &mut self.rx, MsgFlags::empty())
                .context("netlink recv")?;
            let buf = self.rx.get(..n).unwrap_or(&[]);
            for m in genl::messages(buf) {
                let m = m.context("malformed netlink answer")?;
                if m.seq != seq {
                    continue;
                }
                match m.ty {
                    NLMSG_ERROR => {
                        let code = m.error_code().context("short NLMSG_ERROR")?;
                        if code != 0 {
                            bail!("kernel refused: {}", Errno::from_raw(-code));
                        }
                        return Ok(data);
                    }
                    NLMSG_DONE => return Ok(data),
                    _ => {
                        let (_, attrs) = m.genl().context("short generic netlink answer")?;
                        data = attrs.to_vec();
                    }
                }
            }
        }
    }

    /// Sends a buffer of one or more whole messages.
    pub fn send(&self, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let n = send(self.fd.as_raw_fd(), bytes, MsgFlags::empty()).context("netlink send")?;
        if n != bytes.len() {
            bail!("netlink send: {n} of {} bytes", bytes.len());
        }
        Ok(())
    }

    /// Receives one datagram without blocking: `Ok(None)` when nothing is queued,
    /// `Err(Errno::ENOBUFS)` when the kernel dropped messages for lack of buffer.
    pub fn try_recv(&mut self) -> Result<Option<&[u8]>, Errno> {
        match recv(self.fd.as_raw_fd(), &mut self.rx, MsgFlags::MSG_DONTWAIT) {
            Ok(n) => Ok(self.rx.get(..n)),
            Err(Errno::EAGAIN) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
