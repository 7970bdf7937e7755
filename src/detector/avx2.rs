//! The detector's per-sample loop and per-tick analysis compiled for AVX2 (eight `f32`
//! lanes per register), chosen at run time. The code is the same Rust as the baseline build
//! (`process_i16_body`, inlined into this function, with the kernel and the analysis); without
//! FMA contraction the results are the same bits, which the tests check against the baseline.

use super::explain::Sink;
use super::Detector;

/// Proof that the CPU has AVX2 (only [`Token::detect`] makes one).
#[derive(Clone, Copy, Debug)]
pub(super) struct Token(());

impl Token {
    pub(super) fn detect() -> Option<Token> {
        std::is_x86_feature_detected!("avx2").then_some(Token(()))
    }
}

/// [`Detector::process_i16`] compiled with AVX2 enabled.
#[inline]
pub(super) fn process_i16(det: &mut Detector, _proof: Token, x: &[i16], on_event: &mut impl Sink) {
    // SAFETY: a `Token` exists only if the CPU reported AVX2, the one feature this
    // function enables.
    unsafe { process_i16_avx2(det, x, on_event) }
}

#[target_feature(enable = "avx2")]
unsafe fn process_i16_avx2(det: &mut Detector, x: &[i16], on_event: &mut impl Sink) {
    det.process_i16_body(x, on_event);
}

/// [`super::convert`] compiled with AVX2 enabled.
#[inline]
pub(super) fn convert<T: Copy>(_proof: Token, x: &[T], out: &mut [i16], f: impl Fn(T) -> i16) {
    // SAFETY: a `Token` exists only if the CPU reported AVX2, the one feature this
    // function enables.
    unsafe { convert_avx2(x, out, f) }
}

#[target_feature(enable = "avx2")]
unsafe fn convert_avx2<T: Copy>(x: &[T], out: &mut [i16], f: impl Fn(T) -> i16) {
    super::convert(x, out, f);
}
