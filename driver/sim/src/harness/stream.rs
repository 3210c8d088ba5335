//! Validation of the downlink UDP stream (contracts.md): in order, lost, duplicated,
//! reordered, by the sequence number in each datagram.

/// What a receiver saw of the stream.
#[derive(Clone, Default)]
pub struct StreamStats {
    /// Datagrams received (including duplicates).
    pub received: u64,
    /// Distinct sequence numbers received.
    pub unique: u64,
    /// Datagrams that arrived with exactly the next expected sequence number.
    pub in_order: u64,
    /// Datagrams whose sequence number was already seen.
    pub duplicates: u64,
    /// Datagrams that arrived after a later one (filled a gap).
    pub reordered: u64,
    /// Highest sequence number seen plus one.
    pub next_expected: u64,
    /// Bytes of UDP payload received.
    pub payload_bytes: u64,
    seen: Vec<u64>,
}

impl core::fmt::Debug for StreamStats {
    // The seen-bitmap is omitted: it is megabytes in a soak.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StreamStats")
            .field("received", &self.received)
            .field("unique", &self.unique)
            .field("in_order", &self.in_order)
            .field("duplicates", &self.duplicates)
            .field("reordered", &self.reordered)
            .field("lost", &self.lost())
            .field("next_expected", &self.next_expected)
            .field("payload_bytes", &self.payload_bytes)
            .finish()
    }
}

impl StreamStats {
    /// Records one datagram.
    pub fn record(&mut self, seq: u64, payload_len: usize) {
        self.received += 1;
        let word = usize::try_from(seq / 64).unwrap_or(usize::MAX);
        if word >= self.seen.len() {
            if word > (1 << 28) {
                // An absurd sequence number (hostile data): count it, never allocate for it.
                self.duplicates += 1;
                return;
            }
            self.seen.resize(word + 1, 0);
        }
        let Some(w) = self.seen.get_mut(word) else {
            return;
        };
        let bit = 1u64 << (seq % 64);
        if *w & bit != 0 {
            self.duplicates += 1;
            return;
        }
        *w |= bit;
        self.unique += 1;
        self.payload_bytes += payload_len as u64;
        if seq == self.next_expected {
            self.in_order += 1;
        } else if seq < self.next_expected {
            self.reordered += 1;
        }
        self.next_expected = self.next_expected.max(seq + 1);
    }

    /// Sequence numbers below `next_expected` never received.
    pub fn lost(&self) -> u64 {
        self.next_expected - self.unique
    }
}
