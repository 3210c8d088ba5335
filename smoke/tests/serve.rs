//! The `serve` peer as a device sees it: it validates requests and survives bad clients.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use bes2600_smoke::config::{Direction, Proto};
use bes2600_smoke::proto::{Control, Reply, Request, Start, VERSION};
use common::*;

fn start(version: u32, duration_ms: u64) -> Request {
    Request::Start(Start {
        version,
        proto: Proto::Tcp,
        direction: Direction::Rx,
        duration_ms,
        tail_ms: 0,
        rate_bytes_per_s: 0,
        datagram_bytes: 1400,
        udp_port: None,
    })
}

fn ask(port: u16, req: &Request) -> Reply {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut c = Control::new(s).unwrap();
    c.send(req).unwrap();
    c.recv(Instant::now() + Duration::from_secs(5)).unwrap()
}

#[test]
fn peer_refuses_bad_requests_with_a_reason_and_keeps_serving() {
    let (serve, port) = serve_local();
    // Garbage first: the peer drops that client and carries on.
    let mut raw = TcpStream::connect(("127.0.0.1", port)).unwrap();
    raw.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    drop(raw);
    match ask(port, &start(VERSION + 1, 1000)) {
        Reply::Error { message } => assert!(message.contains("protocol version"), "{message}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    match ask(port, &start(VERSION, 1500)) {
        Reply::Error { message } => assert!(message.contains("whole seconds"), "{message}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    match ask(port, &start(VERSION, 1000)) {
        Reply::Ready { data_port } => assert_ne!(data_port, 0),
        other => panic!("expected ready, got {other:?}"),
    }
    drop(serve);
}
