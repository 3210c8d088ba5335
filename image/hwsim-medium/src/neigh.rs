//! A permanent neighbour entry (`ip neigh replace IP lladdr MAC dev DEV nud permanent`) over
//! rtnetlink: the guest's busybox `ip` cannot add one. The uplink measurement sends to a peer
//! address no host owns (the medium or the simulated chip sinks the frames), so the station
//! must not depend on an ARP answer.

use std::net::Ipv4Addr;
use std::os::fd::AsRawFd;

use anyhow::{bail, Context, Result};
use nix::errno::Errno;
use nix::sys::socket::{
    bind, recv, send, socket, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol,
    SockType,
};

use crate::genl::{self, Builder, NLMSG_ERROR, NLM_F_ACK, NLM_F_REQUEST};
use crate::hwsim::Mac;

/// `RTM_NEWNEIGH`.
const RTM_NEWNEIGH: u16 = 28;
/// `NLM_F_CREATE | NLM_F_REPLACE`.
const NLM_F_CREATE_REPLACE: u16 = 0x400 | 0x100;
/// `NDA_DST`.
const NDA_DST: u16 = 1;
/// `NDA_LLADDR`.
const NDA_LLADDR: u16 = 2;
/// `NUD_PERMANENT`.
const NUD_PERMANENT: u16 = 0x80;
/// `AF_INET`.
const AF_INET: u8 = 2;

/// The request: `struct ndmsg` {family u8, pad u8, pad u16, ifindex i32, state u16, flags u8,
/// type u8} and the two attributes.
pub fn put_neigh(b: &mut Builder, seq: u32, ifindex: i32, ip: Ipv4Addr, mac: &Mac) {
    let mut nd = [0u8; 12];
    nd[0] = AF_INET;
    nd[4..8].copy_from_slice(&ifindex.to_ne_bytes());
    nd[8..10].copy_from_slice(&NUD_PERMANENT.to_ne_bytes());
    b.begin_raw(
        RTM_NEWNEIGH,
        NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE_REPLACE,
        seq,
        &nd,
    )
    .attr(NDA_DST, &ip.octets())
    .attr(NDA_LLADDR, mac)
    .end();
}

/// Installs the entry on interface `dev`.
pub fn run(dev: &str, ip: Ipv4Addr, mac: &Mac) -> Result<()> {
    let idx = std::fs::read_to_string(format!("/sys/class/net/{dev}/ifindex"))
        .with_context(|| format!("no interface {dev}"))?;
    let ifindex: i32 = idx.trim().parse().context("ifindex")?;
    let fd = socket(
        AddressFamily::Netlink,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkRoute,
    )
    .context("rtnetlink socket")?;
    bind(fd.as_raw_fd(), &NetlinkAddr::new(0, 0)).context("rtnetlink bind")?;
    let mut b = Builder::new();
    put_neigh(&mut b, 1, ifindex, ip, mac);
    send(fd.as_raw_fd(), b.bytes(), MsgFlags::empty()).context("rtnetlink send")?;
    let mut buf = vec![0u8; 8192];
    loop {
        let n = recv(fd.as_raw_fd(), &mut buf, MsgFlags::empty()).context("rtnetlink recv")?;
        for m in genl::messages(buf.get(..n).unwrap_or(&[])) {
            let m = m.context("malformed rtnetlink answer")?;
            if m.ty == NLMSG_ERROR && m.seq == 1 {
                return match m.error_code().context("short NLMSG_ERROR")? {
                    0 => Ok(()),
                    e => bail!("RTM_NEWNEIGH refused: {}", Errno::from_raw(-e)),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_layout() {
        let mut b = Builder::new();
        let mac = [0x02, 0, 0, 0, 0, 0];
        put_neigh(&mut b, 1, 7, Ipv4Addr::new(192, 0, 2, 1), &mac);
        let m = genl::messages(b.bytes()).next().unwrap().unwrap();
        assert_eq!(m.ty, RTM_NEWNEIGH);
        assert_eq!(m.flags, NLM_F_REQUEST | NLM_F_ACK | 0x500);
        assert_eq!(m.payload[0], AF_INET);
        assert_eq!(i32::from_ne_bytes(m.payload[4..8].try_into().unwrap()), 7);
        assert_eq!(
            u16::from_ne_bytes(m.payload[8..10].try_into().unwrap()),
            0x80
        );
        let a: Vec<_> = genl::attrs(&m.payload[12..])
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            a,
            vec![(NDA_DST, &[192u8, 0, 2, 1][..]), (NDA_LLADDR, &mac[..])]
        );
    }
}
