//! The control protocol between `run` and its `serve` peer: one JSON object per line on a TCP
//! connection, one measurement per connection.
//!
//! ```text
//! run  -> serve  {"type":"start", proto, direction, duration_ms, tail_ms, rate, datagram, udp_port}
//! serve -> run   {"type":"ready","data_port":P}          data flows on a second socket
//! serve -> run   {"type":"window","index":i,"bytes":n}   each second, when the peer receives
//! serve -> run   {"type":"result", ...}                  what the peer sent or received
//! ```
//! The receiver of the data counts the windows, so transmit-direction loss is measured where
//! the data arrives.

use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::config::{Direction, Proto};
use crate::stats::SeqReport;

/// Version of this protocol; a peer answers an unknown version with an error.
pub const VERSION: u32 = 1;
/// Longest control line accepted (a result for a one-hour run is about 80 kB).
const MAX_LINE: usize = 1 << 20;

/// A request from `run` to `serve`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Set up and start one measurement.
    Start(Start),
}

/// Parameters of one measurement, from the device's point of view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Start {
    /// Protocol version ([`VERSION`]).
    pub version: u32,
    /// Transport.
    pub proto: Proto,
    /// `rx`: the peer sends; `tx`: the peer receives.
    pub direction: Direction,
    /// Measured time; the receiver counts this many milliseconds (whole seconds).
    pub duration_ms: u64,
    /// Extra sending time after the measured time, so that the last window stays full.
    pub tail_ms: u64,
    /// Sender rate limit in bytes/s, 0 for none.
    pub rate_bytes_per_s: u64,
    /// UDP payload size.
    pub datagram_bytes: usize,
    /// UDP `rx`: the port the device receives on (at the control connection's address).
    pub udp_port: Option<u16>,
}

/// A message from `serve` to `run`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    /// The data socket is ready at this port of the peer's address.
    Ready {
        /// TCP listening port or UDP receiving port.
        data_port: u16,
    },
    /// One second window closed at the peer (it is the receiver).
    Window {
        /// Window index from 0.
        index: usize,
        /// Bytes received in it.
        bytes: u64,
    },
    /// The measurement is over at the peer.
    Result(PeerResult),
    /// The peer refused or failed the measurement.
    Error {
        /// Why.
        message: String,
    },
}

/// What the peer saw.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PeerResult {
    /// Bytes the peer sent (it was the sender).
    pub sent_bytes: u64,
    /// Bytes the peer received in its windows (it was the receiver).
    pub received_bytes: u64,
    /// The peer's windows (it was the receiver).
    pub windows: Vec<u64>,
    /// UDP sequence analysis (UDP, peer receiving).
    pub udp: Option<SeqReport>,
    /// UDP receive-buffer drops on the peer during the measurement, if it could tell.
    #[serde(default)]
    pub receiver_drops: Option<u64>,
    /// The data connection ended before the measured time was over.
    pub connection_lost: bool,
}

/// Why a control exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// Nothing arrived in time.
    #[error("control connection timed out")]
    Timeout,
    /// The other side closed the connection.
    #[error("control connection closed by the other side")]
    Closed,
    /// A line was not a valid message.
    #[error("bad control message: {0}")]
    Bad(String),
    /// Socket error.
    #[error("control connection: {0}")]
    Io(#[from] std::io::Error),
}

/// One end of a control connection.
#[derive(Debug)]
pub struct Control {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    pending: Vec<u8>,
}

impl Control {
    /// Wraps a connected stream.
    pub fn new(stream: TcpStream) -> std::io::Result<Self> {
        stream.set_nodelay(true)?;
        stream.set_write_timeout(Some(Duration::from_secs(5)))?;
        Ok(Self {
            writer: stream.try_clone()?,
            reader: BufReader::new(stream),
            pending: Vec::new(),
        })
    }

    /// The underlying stream (for addresses).
    pub fn stream(&self) -> &TcpStream {
        &self.writer
    }

    /// Sends one message.
    pub fn send<T: Serialize>(&mut self, msg: &T) -> Result<(), ControlError> {
        let mut line = serde_json::to_vec(msg).map_err(|e| ControlError::Bad(e.to_string()))?;
        line.push(b'\n');
        self.writer.write_all(&line)?;
        Ok(())
    }

    /// Receives one message, waiting until `deadline` at most.
    pub fn recv<T: DeserializeOwned>(&mut self, deadline: Instant) -> Result<T, ControlError> {
        loop {
            if let Some(pos) = self.pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=pos).collect();
                return serde_json::from_slice(&line).map_err(|e| ControlError::Bad(e.to_string()));
            }
            if self.pending.len() > MAX_LINE {
                return Err(ControlError::Bad(format!(
                    "line longer than {MAX_LINE} bytes"
                )));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ControlError::Timeout);
            }
            self.reader.get_ref().set_read_timeout(Some(left))?;
            // read_until keeps what it read before an error in `pending`, so a timeout in the
            // middle of a line loses nothing.
            match self.reader.read_until(b'\n', &mut self.pending) {
                Ok(0) => return Err(ControlError::Closed),
                Ok(_) => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn messages_round_trip_over_a_socket() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let t = std::thread::spawn(move || {
            let (s, _) = l.accept().unwrap();
            let mut c = Control::new(s).unwrap();
            let req: Request = c.recv(Instant::now() + Duration::from_secs(5)).unwrap();
            c.send(&Reply::Ready { data_port: 9 }).unwrap();
            req
        });
        let mut c = Control::new(TcpStream::connect(addr).unwrap()).unwrap();
        let start = Start {
            version: VERSION,
            proto: Proto::Udp,
            direction: Direction::Tx,
            duration_ms: 8000,
            tail_ms: 500,
            rate_bytes_per_s: 1,
            datagram_bytes: 1400,
            udp_port: None,
        };
        c.send(&Request::Start(start.clone())).unwrap();
        let reply: Reply = c.recv(Instant::now() + Duration::from_secs(5)).unwrap();
        assert_eq!(reply, Reply::Ready { data_port: 9 });
        assert_eq!(t.join().unwrap(), Request::Start(start));
        let e = c.recv::<Reply>(Instant::now() + Duration::from_secs(5));
        assert!(matches!(e, Err(ControlError::Closed)), "{e:?}");
    }

    #[test]
    fn recv_times_out_and_rejects_garbage() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut peer = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (s, _) = l.accept().unwrap();
        let mut c = Control::new(s).unwrap();
        let e = c.recv::<Reply>(Instant::now() + Duration::from_millis(50));
        assert!(matches!(e, Err(ControlError::Timeout)), "{e:?}");
        peer.write_all(b"{\"type\":\"window\",\"ind").unwrap();
        let e = c.recv::<Reply>(Instant::now() + Duration::from_millis(50));
        assert!(matches!(e, Err(ControlError::Timeout)), "{e:?}");
        peer.write_all(b"ex\":1,\"bytes\":2}\nnot json\n").unwrap();
        let r: Reply = c.recv(Instant::now() + Duration::from_secs(5)).unwrap();
        assert_eq!(r, Reply::Window { index: 1, bytes: 2 });
        let e = c.recv::<Reply>(Instant::now() + Duration::from_secs(5));
        assert!(matches!(e, Err(ControlError::Bad(_))), "{e:?}");
    }
}
