// SPDX-License-Identifier: GPL-2.0-only
//! Renders the debugfs files of contracts.md into a caller-provided buffer.

use core::fmt::{self, Write};

use crate::device::Device;
use crate::ffi::DbgFile;

/// A `fmt::Write` over a byte slice that stops (without error) when full.
pub(crate) struct SliceWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> SliceWriter<'a> {
    /// Writes from the start of `buf`.
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// Bytes written.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

impl Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.buf.len().saturating_sub(self.len);
        let n = s.len().min(room);
        if let (Some(dst), Some(src)) = (
            self.buf.get_mut(self.len..self.len + n),
            s.as_bytes().get(..n),
        ) {
            dst.copy_from_slice(src);
            self.len += n;
        }
        if n < s.len() {
            Err(fmt::Error)
        } else {
            Ok(())
        }
    }
}

/// Fills `out` with file `which`; returns the length.
pub(crate) fn render(dev: &Device, which: DbgFile, out: &mut [u8]) -> usize {
    let mut w = SliceWriter::new(out);
    match which {
        DbgFile::Counters => {
            let snap = dev.shared.snapshot();
            snap.for_each(|prefix, name, v| {
                let _ = writeln!(w, "{}{} {}", prefix, name, v);
            });
            for (name, v) in [
                ("hw_keys_installed", &dev.keys_installed),
                ("hw_keys_removed", &dev.keys_removed),
                ("rx_hw_decrypted", &dev.rx_decrypted),
            ] {
                let _ = writeln!(
                    w,
                    "{} {}",
                    name,
                    v.load(core::sync::atomic::Ordering::Relaxed)
                );
            }
        }
        DbgFile::FwVersion => {
            // "<file version> (<running firmware>)", as the vendor's version line.
            dev.with_fw_label(|file, running| {
                let file = match core::str::from_utf8(file) {
                    Ok(f) if !f.is_empty() => f.trim_end_matches('\0'),
                    _ => "no firmware file",
                };
                let running = core::str::from_utf8(running).unwrap_or("unknown");
                let _ = writeln!(w, "{} ({})", file, running);
            });
        }
        DbgFile::Recovery => {
            dev.shared.recovery_log.for_each(|ev| {
                let secs = ev.time_ns.saturating_sub(dev.load_ns) / 1_000_000_000;
                let _ = writeln!(w, "{} {} {}", secs, ev.cause.name(), ev.count);
            });
        }
    }
    w.len()
}
