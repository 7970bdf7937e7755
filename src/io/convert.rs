//! Sample conversion to the detector's `i16`: one path for every encoding, used by the
//! reader and by the detector's own `f32` and G.711 input. `f32` converts as
//! [`Sample::to_i16`] (× 32 768, rounded, saturated; NaN and ±∞ become 0) and G.711 through
//! the branch-free decoders, which give the standard tables' values (tested for every
//! byte); both are written to vectorise and run compiled for AVX2 where the CPU has it
//! (the same bits, which the detector's tests check).

use super::g711;
use super::Encoding;
use crate::simd::{Avx2, Compiled};
use crate::Sample;

/// `out[i] = f(x[i])`, compiled for AVX2 with `fast` (the conversion is inlined into each
/// compiled version, and `f` into it).
#[inline(always)]
pub(crate) fn to_i16<T: Copy>(fast: Option<Avx2>, x: &[T], out: &mut [i16], f: impl Fn(T) -> i16) {
    match fast {
        Some(t) => Convert(f).avx2(t, x, out),
        None => convert(x, out, f),
    }
}

/// `out[i] = f(x[i])`.
#[inline(always)]
fn convert<T: Copy>(x: &[T], out: &mut [i16], f: impl Fn(T) -> i16) {
    for (o, &s) in out.iter_mut().zip(x) {
        *o = f(s);
    }
}

/// [`convert`] with `f` as a routine the SIMD wing compiles for AVX2.
struct Convert<F>(F);

impl<T: Copy, F: Fn(T) -> i16> Compiled<[T], [i16]> for Convert<F> {
    #[inline(always)]
    fn run(&mut self, x: &[T], out: &mut [i16]) {
        convert(x, out, &self.0);
    }
}

/// Convert stored samples to `i16` (`bytes.len()` must be `out.len()` × bytes per sample).
pub(crate) fn stored(encoding: Encoding, bytes: &[u8], out: &mut [i16]) {
    match encoding {
        Encoding::U8 => {
            for (o, &b) in out.iter_mut().zip(bytes) {
                *o = (i16::from(b) - 128) << 8;
            }
        }
        Encoding::S16 => {
            for (o, b) in out.iter_mut().zip(bytes.chunks_exact(2)) {
                *o = i16::from_le_bytes([b[0], b[1]]);
            }
        }
        Encoding::S24 => {
            for (o, b) in out.iter_mut().zip(bytes.chunks_exact(3)) {
                let v = i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8;
                *o = ((v + 128) >> 8).min(i32::from(i16::MAX)) as i16;
            }
        }
        Encoding::S32 => {
            for (o, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
                let v = i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                *o = ((v + 32768) >> 16).min(i64::from(i16::MAX)) as i16;
            }
        }
        Encoding::F32 => {
            for (o, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
                *o = f32::from_le_bytes([b[0], b[1], b[2], b[3]]).to_i16(); // as `f32s`
            }
        }
        Encoding::F64 => {
            for (o, b) in out.iter_mut().zip(bytes.chunks_exact(8)) {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                let x = f64::from_le_bytes(a);
                // Same rule as `f32`: `as` saturates, non-finite is silence.
                *o = if x.is_finite() {
                    (x * 32768.0).round() as i16
                } else {
                    0
                };
            }
        }
        Encoding::Ulaw => g711::decode_ulaw(bytes, out),
        Encoding::Alaw => g711::decode_alaw(bytes, out),
    }
}
