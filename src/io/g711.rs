//! G.711 μ-law and A-law, decoded with the standard tables (ITU-T G.711, as in the
//! reference `g711.c`), and encoded for the generator and tests.
//!
//! ```
//! use touchtone::g711;
//! assert_eq!(g711::ulaw_to_linear(0xFF), 0);
//! assert_eq!(g711::ulaw_to_linear(0x00), -32124);
//! assert_eq!(g711::alaw_to_linear(0xD5), 8);
//! assert_eq!(g711::ulaw_to_linear(g711::linear_to_ulaw(1000)), 988);
//! ```

/// Decode one μ-law byte to a 16-bit linear sample (range ±32124).
pub const fn ulaw_to_linear(byte: u8) -> i16 {
    let u = !byte;
    let mut t = (((u & 0x0F) as i32) << 3) + 0x84;
    t <<= ((u & 0x70) >> 4) as i32;
    if u & 0x80 != 0 {
        (0x84 - t) as i16
    } else {
        (t - 0x84) as i16
    }
}

/// Decode one A-law byte to a 16-bit linear sample (range ±32256).
pub const fn alaw_to_linear(byte: u8) -> i16 {
    let a = byte ^ 0x55;
    let mut t = ((a & 0x0F) as i32) << 4;
    let seg = ((a & 0x70) >> 4) as i32;
    match seg {
        0 => t += 8,
        1 => t += 0x108,
        _ => {
            t += 0x108;
            t <<= seg - 1;
        }
    }
    if a & 0x80 != 0 {
        t as i16
    } else {
        -t as i16
    }
}

/// [`ulaw_to_linear`] with selects instead of branches, on `i32` lanes (a loop of it
/// vectorises: per-lane shifts). Equal to it for every byte (tested).
#[inline(always)]
pub(crate) fn ulaw_lane(byte: u8) -> i16 {
    let u = !byte as i32;
    let t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4);
    let m = t - 0x84;
    let neg = (u & 0x80) != 0;
    (if neg { -m } else { m }) as i16
}

/// [`alaw_to_linear`] with selects instead of branches (see [`ulaw_lane`]).
#[inline(always)]
pub(crate) fn alaw_lane(byte: u8) -> i16 {
    let a = (byte ^ 0x55) as i32;
    let seg = (a & 0x70) >> 4;
    let base = ((a & 0x0F) << 4) + if seg == 0 { 8 } else { 0x108 };
    let t = base << (seg - 1).max(0);
    let pos = (a & 0x80) != 0;
    (if pos { t } else { -t }) as i16
}

const fn build_table(ulaw: bool) -> [i16; 256] {
    let mut t = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if ulaw {
            ulaw_to_linear(i as u8)
        } else {
            alaw_to_linear(i as u8)
        };
        i += 1;
    }
    t
}

/// μ-law decoding table: `ULAW_TABLE[byte]` is the linear sample.
pub static ULAW_TABLE: [i16; 256] = build_table(true);
/// A-law decoding table: `ALAW_TABLE[byte]` is the linear sample.
pub static ALAW_TABLE: [i16; 256] = build_table(false);

const SEG_END: [i32; 8] = [0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF, 0x3FFF, 0x7FFF];

fn segment(val: i32) -> usize {
    SEG_END.iter().position(|&e| val <= e).unwrap_or(8)
}

/// Encode a 16-bit linear sample as μ-law (the reference `linear2ulaw`).
pub fn linear_to_ulaw(sample: i16) -> u8 {
    const BIAS: i32 = 0x84;
    const CLIP: i32 = 32635;
    let mut v = sample as i32;
    let mask: u8 = if v < 0 {
        v = -v;
        0x7F
    } else {
        0xFF
    };
    v = v.min(CLIP) + BIAS;
    let seg = segment(v) as i32;
    if seg >= 8 {
        0x7F ^ mask
    } else {
        let uval = ((seg << 4) | ((v >> (seg + 3)) & 0x0F)) as u8;
        uval ^ mask
    }
}

/// Encode a 16-bit linear sample as A-law (the reference `linear2alaw`).
pub fn linear_to_alaw(sample: i16) -> u8 {
    let mut v = (sample as i32) >> 3;
    let mask: u8 = if v >= 0 {
        0xD5
    } else {
        v = -v - 1;
        0x55
    };
    const SEG_AEND: [i32; 8] = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF];
    let seg = SEG_AEND.iter().position(|&e| v <= e).unwrap_or(8);
    if seg >= 8 {
        0x7F ^ mask
    } else {
        let mut aval = (seg as i32) << 4;
        if seg < 2 {
            aval |= (v >> 1) & 0x0F;
        } else {
            aval |= (v >> seg) & 0x0F;
        }
        (aval as u8) ^ mask
    }
}

/// Decode a buffer of μ-law bytes into `out` (lengths must match; extra is ignored).
pub fn decode_ulaw(bytes: &[u8], out: &mut [i16]) {
    super::to_i16(crate::simd::features().avx2, bytes, out, ulaw_lane);
}

/// Decode a buffer of A-law bytes into `out` (lengths must match; extra is ignored).
pub fn decode_alaw(bytes: &[u8], out: &mut [i16]) {
    super::to_i16(crate::simd::features().avx2, bytes, out, alaw_lane);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Values of the ITU-T G.711 tables (also Sun's reference g711.c).
        assert_eq!(ulaw_to_linear(0x00), -32124);
        assert_eq!(ulaw_to_linear(0x80), 32124);
        assert_eq!(ulaw_to_linear(0x7F), 0);
        assert_eq!(ulaw_to_linear(0xFF), 0);
        assert_eq!(ulaw_to_linear(0xF0), 120);
        assert_eq!(alaw_to_linear(0xD5), 8);
        assert_eq!(alaw_to_linear(0x55), -8);
        assert_eq!(alaw_to_linear(0xAA), 32256);
        assert_eq!(alaw_to_linear(0x2A), -32256);
    }

    /// The branch-free decoders the detector's vectorised input path uses are the
    /// standard ones (and so the tables) for every byte.
    #[test]
    fn lane_decoders_match_the_tables() {
        for b in 0..=255u8 {
            assert_eq!(ulaw_lane(b), ULAW_TABLE[b as usize], "ulaw byte {b:#x}");
            assert_eq!(alaw_lane(b), ALAW_TABLE[b as usize], "alaw byte {b:#x}");
        }
    }

    #[test]
    fn encode_decode_round_trip_is_idempotent() {
        for b in 0..=255u8 {
            let x = ulaw_to_linear(b);
            assert_eq!(ulaw_to_linear(linear_to_ulaw(x)), x, "ulaw byte {b:#x}");
            let y = alaw_to_linear(b);
            assert_eq!(alaw_to_linear(linear_to_alaw(y)), y, "alaw byte {b:#x}");
        }
    }

    #[test]
    fn quantisation_error_is_within_half_a_step() {
        for x in (-32000i32..32000).step_by(7) {
            let x = x as i16;
            let u = ulaw_to_linear(linear_to_ulaw(x)) as i32;
            let a = alaw_to_linear(linear_to_alaw(x)) as i32;
            let tol = (x as i32).abs() / 16 + 16;
            assert!((u - x as i32).abs() <= tol, "ulaw {x} -> {u}");
            assert!((a - x as i32).abs() <= tol, "alaw {x} -> {a}");
        }
    }
}
