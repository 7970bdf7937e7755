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
        if self.is_finite() {
            // `as` saturates at the i16 range.
            (self * 32768.0).round() as i16
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
}
