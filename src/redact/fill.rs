//! What replaces a span's samples: silence, or comfort noise at the level of the signal
//! before the span; and the power average that level comes from.

use super::config::Fill;
use super::span::Core;

impl Core {
    /// The replacement for the sample at `self.pos` (whose value is `x`), if any.
    #[inline]
    pub(super) fn emit(&mut self, x: i16) -> Option<i16> {
        let p = self.pos;
        self.pos += 1;
        while self.spans.front().is_some_and(|&(_, e)| e <= p) {
            self.spans.pop_front();
        }
        let inside = self.spans.iter().any(|&(s, e)| s <= p && p < e);
        if !inside {
            self.amp = None;
            let v = f32::from(x);
            self.power += (v * v - self.power) * self.alpha;
            return None;
        }
        Some(match self.fill {
            Fill::Silence => 0,
            Fill::Noise => {
                let amp = *self.amp.get_or_insert(self.power.sqrt() * self.gain);
                // Uniform in [−√3, √3): unit variance.
                let u = (splitmix(self.seed ^ p) >> 40) as f32 / (1u64 << 24) as f32;
                let n = (u * 2.0 - 1.0) * 1.732_050_8 * amp;
                n.round().clamp(-32768.0, 32767.0) as i16
            }
        })
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
