//! A small seeded PRNG (SplitMix64) so every simulation run is reproducible from its seed.

/// SplitMix64: tiny, fast and good enough for fault dice and hostile bytes (no crates in the
/// no_std core).
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// Creates a generator from a seed; the same seed always gives the same sequence.
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// Returns the next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a value in `0..n` (0 when `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Multiply-shift keeps the bias negligible without a division loop.
        let r = self.next_u64() >> 32;
        (r * (n & 0xFFFF_FFFF)) >> 32
    }

    /// Returns `true` with probability `ppm` parts per million.
    pub fn chance_ppm(&mut self, ppm: u32) -> bool {
        ppm != 0 && self.below(1_000_000) < u64::from(ppm)
    }

    /// Fills `buf` with random bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            let n = chunk.len();
            chunk.copy_from_slice(&v[..n]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_bounds_hold() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let mut c = Rng::new(8);
        let va: [u64; 4] = core::array::from_fn(|_| a.next_u64());
        let vb: [u64; 4] = core::array::from_fn(|_| b.next_u64());
        let vc: [u64; 4] = core::array::from_fn(|_| c.next_u64());
        assert_eq!(va, vb);
        assert_ne!(va, vc);
        for _ in 0..10_000 {
            assert!(a.below(13) < 13);
        }
        assert_eq!(a.below(0), 0);
        assert!(!a.chance_ppm(0));
        assert!(a.chance_ppm(1_000_000));
    }
}
