//! A small seeded generator (SplitMix64) for request ids, jitter and
//! multipart boundaries. The session never draws from a global RNG: the
//! driver hands it a seed, so a simulation replays exactly.

/// Deterministic pseudo-random numbers from a 32-byte seed.
#[derive(Clone, Debug)]
pub(crate) struct SeededRng {
    state: u64,
}

impl SeededRng {
    pub(crate) fn new(seed: [u8; 32]) -> Self {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        for chunk in seed.chunks_exact(8) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            state ^= u64::from_le_bytes(b);
            state = state.rotate_left(23).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        }
        Self { state }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn bytes16(&mut self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        out[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        out
    }

    /// A uniformly spread fraction in `[0, 1)`.
    pub(crate) fn fraction(&mut self) -> f64 {
        // 53 random bits: the precision of an f64 mantissa.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut a = SeededRng::new([3; 32]);
        let mut b = SeededRng::new([3; 32]);
        let mut c = SeededRng::new([4; 32]);
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
        assert!((0..1000)
            .map(|_| a.fraction())
            .all(|f| (0.0..1.0).contains(&f)));
    }
}
