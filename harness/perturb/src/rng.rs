//! Layout of the random numbers.
//!
//! Every perturbation draws from one ChaCha20 stream: the key comes from `seed`
//! (`seed_from_u64`), the stream number is the perturbation `index`. The stream's 2^68 words are
//! cut into disjoint segments: step `s` of the chain owns words `[s 2^60, (s + 1) 2^60)`, and
//! within it slot `k` owns `2^36` words from `s 2^60 + k 2^36`. Slot 0 holds a step's scalar
//! draws (an angle, a fraction); bulk draws (the noise of slice `z`) use slot `1 + z`. A step
//! therefore draws the same numbers whatever the other steps do, and each slice its own numbers
//! whatever thread computes it: results are independent of the thread count.

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// The generator of `slot` of chain step `step` for perturbation (`seed`, `index`).
pub(crate) fn step_rng(seed: u64, index: u64, step: usize, slot: u64) -> ChaCha20Rng {
    debug_assert!(step < crate::chain::MAX_STEPS && slot < (1 << 24));
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    rng.set_stream(index);
    rng.set_word_pos(((step as u128) << 60) | (u128::from(slot) << 36));
    rng
}

/// Identifies where a step draws its numbers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Draws {
    pub seed: u64,
    pub index: u64,
    pub step: usize,
}

impl Draws {
    /// The generator of the step's scalar draws.
    pub fn scalars(&self) -> ChaCha20Rng {
        step_rng(self.seed, self.index, self.step, 0)
    }

    /// The generator of bulk slot `k` (0-based) of the step.
    pub fn bulk(&self, k: usize) -> ChaCha20Rng {
        step_rng(self.seed, self.index, self.step, 1 + k as u64)
    }
}

/// A value drawn uniformly from `[-max, max)`; exactly 0 when `max` is 0 (nothing drawn).
pub(crate) fn symmetric(rng: &mut ChaCha20Rng, max: f64) -> f64 {
    if max == 0.0 {
        return 0.0;
    }
    max * (2.0 * rand::Rng::random::<f64>(rng) - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn segments_are_disjoint_and_reproducible() {
        let a: Vec<u32> = (0..8).map(|_| step_rng(7, 3, 1, 0).random()).collect();
        let b: Vec<u32> = (0..8).map(|_| step_rng(7, 3, 1, 0).random()).collect();
        assert_eq!(a, b);
        let first = |seed, index, step, slot| step_rng(seed, index, step, slot).random::<u64>();
        let base = first(7, 3, 1, 0);
        assert_ne!(base, first(7, 4, 1, 0), "index changes the stream");
        assert_ne!(base, first(8, 3, 1, 0), "seed changes the key");
        assert_ne!(base, first(7, 3, 2, 0), "steps own segments");
        assert_ne!(base, first(7, 3, 1, 1), "slots own segments");
        // Slot k of step s starts where a generator positioned by hand does.
        let mut by_hand = ChaCha20Rng::seed_from_u64(7);
        by_hand.set_stream(3);
        by_hand.set_word_pos((1u128 << 60) + (5u128 << 36));
        assert_eq!(by_hand.random::<u64>(), first(7, 3, 1, 5));
        assert_eq!(symmetric(&mut step_rng(1, 1, 0, 0), 0.0), 0.0);
        let mut rng = step_rng(1, 1, 0, 0);
        for _ in 0..100 {
            let v = symmetric(&mut rng, 2.5);
            assert!((-2.5..2.5).contains(&v));
        }
    }
}
