//! Test harness: runs the real `bes2600-smoke` binary, as a user or an init system would.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// The binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bes2600-smoke"))
}

/// A TCP port free on 127.0.0.1 at the time of the call.
pub fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free TCP port")
}

/// A UDP port free on 0.0.0.0 at the time of the call.
pub fn free_udp_port() -> u16 {
    UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("free UDP port")
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

/// Writes an executable shell script.
pub fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = write(dir, name, &format!("#!/bin/sh\n{body}\n"));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// A child process whose stderr lines arrive on a channel; killed when dropped.
pub struct Spawned {
    pub child: Child,
    pub lines: Receiver<String>,
    pub seen: Vec<String>,
}

impl Spawned {
    /// Starts `cmd` with stderr captured line by line (stdout captured whole).
    pub fn start(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn bes2600-smoke");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits until a stderr line contains `needle`.
    pub fn wait_for(&mut self, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let hit = line.contains(needle);
                    self.seen.push(line);
                    if hit {
                        return;
                    }
                }
                Err(_) => break,
            }
        }
        panic!(
            "`{needle}` not seen on stderr; got:\n{}",
            self.seen.join("\n")
        );
    }

    /// Waits for the exit and returns (code, stdout, all stderr).
    pub fn finish(mut self) -> (i32, String, String) {
        use std::io::Read;
        let mut out = String::new();
        if let Some(mut s) = self.child.stdout.take() {
            s.read_to_string(&mut out).unwrap();
        }
        let status = self.child.wait().unwrap();
        let mut err = std::mem::take(&mut self.seen);
        err.extend(self.lines.iter());
        (status.code().unwrap_or(-1), out, err.join("\n"))
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` on 127.0.0.1 and waits until it listens; returns it and its port.
pub fn serve_local() -> (Spawned, u16) {
    let port = free_tcp_port();
    let mut cmd = Command::new(bin());
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")]);
    let mut s = Spawned::start(cmd);
    s.wait_for("listening on", Duration::from_secs(10));
    (s, port)
}

/// Runs the binary to completion: (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin())
        .args(args)
        .output()
        .expect("run bes2600-smoke");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Reads a JSON report.
pub fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("JSON report written");
    serde_json::from_str(&text).expect("valid JSON")
}

/// The verdict's cause codes.
pub fn causes(report: &serde_json::Value) -> Vec<String> {
    report["verdict"]["causes"]
        .as_array()
        .expect("causes")
        .iter()
        .map(|c| c["code"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// Median of a test's windows from the JSON.
pub fn median(test: &serde_json::Value) -> f64 {
    test["stats"]["median_bytes_per_s"]
        .as_f64()
        .expect("median")
}

/// The richest plot format of this build: `png` with the `png` feature (tests that exercise
/// the bitmap backend then do), else `svg`.
pub const PLOT_EXT: &str = if cfg!(feature = "png") { "png" } else { "svg" };

/// Checks that a plot file is a real, non-trivial picture; returns its size.
pub fn assert_plot(path: &Path) -> u64 {
    let bytes = std::fs::read(path).expect("plot written");
    match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => {
            let text = String::from_utf8(bytes.clone()).expect("SVG is text");
            assert!(text.starts_with("<svg"), "not an SVG");
            assert!(text.contains("<polyline"), "SVG has no line series");
            assert!(bytes.len() > 5_000, "SVG only {} bytes", bytes.len());
        }
        Some("png") => {
            assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
            assert!(bytes.len() > 5_000, "PNG only {} bytes", bytes.len());
        }
        _ => panic!("unexpected plot type {}", path.display()),
    }
    bytes.len() as u64
}

/// Configuration with every device check off, for hosts without the driver.
pub const NO_CHECKS: &str = "[checks]\nmodule = false\nfirmware = false\ncounters = false\n\
                             interface = false\nscan = false\nassociated = false\n";
