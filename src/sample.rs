//! The sealed sample trait: the detector's core works on 16-bit integers; other sample types
//! convert into them on the way in.

mod sealed {
    pub trait Sealed {}
    impl Sealed for i16 {}
    impl Sealed for f32 {}
}

/// A PCM sample type the detector accepts: `i16` (used as is) or `f32` in [−1, 1]
/// (scaled by 32 768, rounded and saturated; NaN and ±∞ count as silence).
///
/// This trait is sealed: it cannot be implemented outside this crate.
pub trait Sample: sealed::Sealed + Copy {
    /// The sample as a 16-bit integer.
    fn to_i16(self) -> i16;
    /// The slice itself when it already is `&[i16]` (no conversion needed).
    #[doc(hidden)]
    fn as_i16_slice(s: &[Self]) -> Option<&[i16]>;
}

impl Sample for i16 {
    #[inline]
    fn to_i16(self) -> i16 {
        self
    }
    #[inline]
    fn as_i16_slice(s: &[i16]) -> Option<&[i16]> {
        Some(s)
    }
}

impl Sample for f32 {
    #[inline]
    fn to_i16(self) -> i16 {
        // `(self * 32768.0).round()` saturated to i16, without the libm `roundf` call that
        // `round()` is on the baseline x86-64 target (no SSE4.1) and without a saturating
        // float-to-int conversion (which LLVM does one lane at a time): only float and
        // integer lane operations, so a loop of it vectorises. Clamping to the i16 range
        // first changes nothing (the bounds are integers, rounding is monotonic). Adding
        // M = 1.5·2²³ rounds to an integer, half to even (|c| ≤ 2¹⁵ ≪ 2²²), whose value is
        // then the low bits of the sum; the remainder `c − r` is exact, and a tie (±0.5)
        // resolved towards zero is moved away from it, as `round` does. Tested against
        // `round` over the whole f32 range.
        const M: f32 = 12_582_912.0;
        let c = (self * 32768.0).clamp(-32768.0, 32767.0);
        let y = c + M;
        let d = c - (y - M);
        let up = (d == 0.5) & (c > 0.0);
        let down = (d == -0.5) & (c < 0.0);
        let r = (y.to_bits() as i32 - M.to_bits() as i32) + up as i32 - down as i32;
        // NaN and ±∞ count as silence.
        if self.is_finite() {
            r as i16
        } else {
            0
        }
    }
    #[inline]
    fn as_i16_slice(_: &[f32]) -> Option<&[i16]> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn f32_conversion() {
        assert_eq!(0.5f32.to_i16(), 16384);
        assert_eq!(1.0f32.to_i16(), 32767);
        assert_eq!((-1.0f32).to_i16(), -32768);
        assert_eq!(1e30f32.to_i16(), 32767);
        assert_eq!(f32::NAN.to_i16(), 0);
        assert_eq!(f32::INFINITY.to_i16(), 0);
        assert_eq!(f32::NEG_INFINITY.to_i16(), 0);
        assert_eq!(f32::MIN_POSITIVE.to_i16(), 0);
    }

    /// The libm-free conversion equals `(x * 32768.0).round()` saturated to i16 for every
    /// f32: every 61st bit pattern over the whole range, plus the patterns around each
    /// half-integer sample value (where rounding decides).
    #[test]
    fn f32_conversion_matches_round() {
        let reference = |x: f32| {
            if x.is_finite() {
                (x * 32768.0).round() as i16
            } else {
                0
            }
        };
        let mut checked = 0u64;
        for bits in (0..=u32::MAX).step_by(61) {
            let x = f32::from_bits(bits);
            assert_eq!(x.to_i16(), reference(x), "{x:e} ({bits:#x})");
            checked += 1;
        }
        for n in -32769i32..=32768 {
            for base in [n as f32 + 0.5, n as f32] {
                let bits = (base / 32768.0).to_bits();
                for b in bits.saturating_sub(3)..=bits.saturating_add(3) {
                    let x = f32::from_bits(b);
                    assert_eq!(x.to_i16(), reference(x), "{x:e} ({b:#x})");
                }
            }
        }
        // 0.49999997 (the f32 just below ½) must not round up.
        let just_below_half = f32::from_bits(0.5f32.to_bits() - 1) / 32768.0;
        assert_eq!(just_below_half.to_i16(), 0);
        assert!(checked > 70_000_000);
    }
}
