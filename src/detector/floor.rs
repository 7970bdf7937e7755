//! The steady background under a key: a dial tone (350 + 440 Hz), a hum or any other
//! steady sound that was there before the key and goes on under it. Its energy does not
//! belong to the key, but neither does it make the key less of a key, so the purity check
//! of a new key does not count it (up to half the window's energy).
//!
//! While no tone is in progress, the window energies are watched in blocks of
//! [`BLOCK`] windows (64 ms): a block whose energy stays within [`STEADY`] of its minimum
//! sets the background to that minimum. A block within [`STILL`] whose minimum is the
//! background's (within [`SAME`] either way) keeps it: the background is still there. One
//! block that is neither but whose minimum stays at least [`KEEP`] of the background
//! (something on top of the same background: a key starting, or the end of one) keeps it
//! too, once until the next such block or the next tone; any other block clears it.
//! Speech and music are rarely steady for 64 ms, so under them the background is mostly
//! zero; where music holds a chord, the check that uses the background also asks that the
//! background lie outside the DTMF frequencies and that the key's tones be new (see
//! `Checker::judge`).

/// Windows per block (one per 4 ms tick: 64 ms).
const BLOCK: u8 = 16;
/// Largest max / min window energy of a block that sets the background: 2 dB.
const STEADY: f32 = 1.585;
/// Largest max / min window energy of a block that keeps the background without setting
/// it, when its minimum is the background's (within [`SAME`]): 3 dB. Two steady tones
/// f₁, f₂ beat, and a 16 ms window's energy moves with the beat by ±|sinc(Δf·16 ms)| of
/// the pair's mean: the US dial tone (350 + 440 Hz) spans 1.9–2.0 dB from block to block,
/// so about every other block of it misses [`STEADY`].
const STILL: f32 = 2.0;
/// Agreement of a [`STILL`] block's minimum with the background, either way (±0.25 dB).
const SAME: f32 = 0.944;
/// Smallest block minimum, as a fraction of the background, that keeps it (−1 dB).
const KEEP: f32 = 0.8;

/// The background tracker.
#[derive(Clone, Copy, Debug)]
pub(super) struct Floor {
    min: f32,
    max: f32,
    n: u8,
    /// The block's largest window power at each DTMF frequency (quantised, see
    /// `log_powers`), and the background's.
    bins_max: [u8; 8],
    bins: [u8; 8],
    /// Whether the background was kept through a block that was not steady.
    kept: bool,
    /// The steady background's window energy (0: none).
    value: f32,
}

impl Floor {
    pub(super) const NEW: Floor = Floor {
        min: f32::INFINITY,
        max: 0.0,
        n: 0,
        bins_max: [0; 8],
        bins: [0; 8],
        kept: false,
        value: 0.0,
    };

    /// A window with no tone in progress, of `energy`.
    #[inline(always)]
    pub(super) fn idle(&mut self, energy: f32) {
        self.min = self.min.min(energy);
        self.max = self.max.max(energy);
        self.n += 1;
        if self.n == BLOCK {
            let (mut value, mut kept, mut bins) = (self.value, false, self.bins);
            if self.max <= STEADY * self.min {
                value = self.min;
                bins = self.bins_max;
            } else if self.max <= STILL * self.min
                && self.min >= SAME * self.value
                && self.min * SAME <= self.value
            {
                // The background, still there: kept, and the one-block allowance renewed.
            } else if self.kept || self.min < KEEP * self.value {
                value = 0.0;
            } else {
                kept = true;
            }
            *self = Floor {
                bins,
                kept,
                value,
                ..Floor::NEW
            };
        }
    }

    /// A tick with a tone in progress (no window of it is the background's): the block
    /// after the tone, which holds its end, may keep the background again.
    #[inline(always)]
    pub(super) fn busy(&mut self) {
        self.kept = false;
    }

    /// Whether the block so far is steady (only then are its windows' powers at the eight
    /// frequencies wanted: a block that is not steady never becomes the background).
    #[inline(always)]
    pub(super) fn steady_so_far(&self) -> bool {
        self.max <= STEADY * self.min
    }

    /// A window with no tone in progress whose quantised powers at the eight frequencies
    /// are `bins` (the background's own share of them).
    #[inline(always)]
    pub(super) fn idle_bins(&mut self, bins: &[u8; 8]) {
        for (m, &b) in self.bins_max.iter_mut().zip(bins) {
            *m = (*m).max(b);
        }
    }

    /// The background's largest window power at DTMF frequency `k` (|X|², table units).
    #[inline]
    pub(super) fn bin_power(&self, k: usize) -> f32 {
        super::phasor::power_of(self.bins[k])
    }

    /// The steady background's window energy (0 when there is none).
    #[inline(always)]
    pub(super) fn value(&self) -> f32 {
        self.value
    }
}
