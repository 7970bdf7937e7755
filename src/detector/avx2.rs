//! The per-tick analysis compiled for AVX2 (eight `f32` lanes per register), chosen at run
//! time. The code is the same Rust as the baseline build (`end_tick_body`, inlined into
//! this function); without FMA contraction the results are the same bits, which the tests
//! check against the baseline.

use super::{Detector, Event};

/// Proof that the CPU has AVX2 (only [`Token::detect`] makes one).
#[derive(Clone, Copy, Debug)]
pub(super) struct Token(());

impl Token {
    pub(super) fn detect() -> Option<Token> {
        std::is_x86_feature_detected!("avx2").then_some(Token(()))
    }
}

/// [`Detector::end_tick`] compiled with AVX2 enabled.
#[inline]
pub(super) fn end_tick(det: &mut Detector, _proof: Token, on_event: &mut impl FnMut(Event)) {
    // SAFETY: a `Token` exists only if the CPU reported AVX2, the one feature this
    // function enables.
    unsafe { end_tick_avx2(det, on_event) }
}

#[target_feature(enable = "avx2")]
unsafe fn end_tick_avx2(det: &mut Detector, on_event: &mut impl FnMut(Event)) {
    det.end_tick_body(on_event);
}
