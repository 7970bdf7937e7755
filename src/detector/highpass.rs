//! The optional high-pass in front of the detector ([`DetectorConfig::highpass_hz`]): a
//! second-order Butterworth section that takes rumble, hum and handling noise below the
//! DTMF band out of a recording before the checks see it, so that they do not count
//! against a key's purity.
//!
//! [`DetectorConfig::highpass_hz`]: super::DetectorConfig::highpass_hz

/// The section's coefficients (normalised: a0 = 1), from the audio EQ cookbook with
/// Q = 1/√2 (Butterworth), in f32 as the filter runs. A high-pass has b1 = −2·b0 and
/// b2 = b0, so b0 stands for all three; the poles lie near z = 1, so a1 and a2 are kept as
/// their small distances from −2 and 1 (e1 = a1 + 2, e2 = 1 − a2), which f32 holds
/// precisely where a1 and a2 themselves would lose the filter's low end.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Coeffs {
    b0: f32,
    e1: f32,
    e2: f32,
}

impl Coeffs {
    /// The high-pass with its −3 dB corner at `corner_hz` for `sample_rate`; `None` for a
    /// corner of 0 (no filter).
    pub(super) fn new(corner_hz: f32, sample_rate: u32) -> Option<Coeffs> {
        if corner_hz <= 0.0 {
            return None;
        }
        let w0 = 2.0 * core::f64::consts::PI * corner_hz as f64 / sample_rate as f64;
        let (sin, cos) = w0.sin_cos();
        let alpha = sin / (2.0 * core::f64::consts::FRAC_1_SQRT_2);
        let a0 = 1.0 + alpha;
        Some(Coeffs {
            b0: ((1.0 + cos) / 2.0 / a0) as f32,
            e1: (-2.0 * cos / a0 + 2.0) as f32,
            e2: (1.0 - (1.0 - alpha) / a0) as f32,
        })
    }

    /// Power gain at `f` Hz for `sample_rate` (1 at high frequencies, ½ at the corner).
    /// b0, a1 and a2 as the filter has them, in f64.
    #[cfg(test)]
    fn f64s(&self) -> (f64, f64, f64) {
        (self.b0 as f64, self.e1 as f64 - 2.0, 1.0 - self.e2 as f64)
    }

    #[cfg(test)]
    fn power_gain(&self, f: f64, sample_rate: u32) -> f64 {
        use num_complex::Complex64;
        let z = Complex64::from_polar(1.0, -2.0 * core::f64::consts::PI * f / sample_rate as f64);
        let (b0, a1, a2) = self.f64s();
        let num = b0 * (1.0 - 2.0 * z + z * z);
        let den = 1.0 + a1 * z + a2 * z * z;
        (num / den).norm_sqr()
    }
}

/// The section's state (transposed direct form II, in `f32`: the same output for any
/// chunking, and f32's rounding noise stays far below the 16-bit output's step).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct State {
    s1: f32,
    s2: f32,
}

impl State {
    pub(super) const NEW: State = State { s1: 0.0, s2: 0.0 };

    /// Filter `x` into `out` (the same length), rounded and saturated to 16 bits.
    #[inline]
    pub(super) fn run(&mut self, c: &Coeffs, x: &[i16], out: &mut [i16]) {
        // Rounded to f32 after every sample, as between calls: any chunking gives the
        // same output.
        let (mut s1, mut s2) = (self.s1, self.s2);
        for (o, &v) in out.iter_mut().zip(x) {
            // y = b0·v + s1; s1 = s2 − 2·b0·v − a1·y; s2 = b0·v − a2·y, with a1 and a2
            // written as −2 + e1 and 1 − e2.
            let bv = c.b0 * v as f32;
            let y = bv + s1;
            s1 = (s2 + 2.0 * (y - bv)) - c.e1 * y;
            s2 = (bv - y) + c.e2 * y;
            *o = round_to_i16(y);
        }
        (self.s1, self.s2) = (s1, s2);
    }
}

/// `y` rounded to the nearest integer (ties to even) and saturated to 16 bits, without a
/// call to `round` (x86-64's baseline has no rounding instruction; the call cost more than
/// the filter): adding and taking away 1.5·2^23 leaves an f32 below 2^22 in magnitude
/// rounded to an integer, and `as` saturates. The section's output stays far below 2^22
/// (its gain on any 16-bit input is under 4); larger values still saturate the right way.
#[inline(always)]
fn round_to_i16(y: f32) -> i16 {
    const MAGIC: f32 = 12_582_912.0;
    ((y + MAGIC) - MAGIC) as i16
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::f64::consts::TAU;

    /// The filter's state carries over between calls exactly: any chunking gives the same
    /// output as the whole buffer.
    #[test]
    fn chunked_output_is_the_whole_buffers() {
        let c = Coeffs::new(300.0, 8000).unwrap();
        let mut seed = 1u32;
        let x: Vec<i16> = (0..4000)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 16) as i16
            })
            .collect();
        let mut whole = vec![0i16; x.len()];
        let mut st = State::NEW;
        st.run(&c, &x, &mut whole);
        for size in [1, 7, 160] {
            let (mut st, mut out) = (State::NEW, vec![0i16; x.len()]);
            for (xi, oi) in x.chunks(size).zip(out.chunks_mut(size)) {
                st.run(&c, xi, oi);
            }
            assert_eq!(out, whole, "chunks of {size}");
        }
    }

    /// The filter against a plain reference: the same section computed in f64 from the
    /// same coefficients, rounded with `f64::round`; within one step of 16 bits on noise,
    /// sines and full-scale square waves at every rate, and `round_to_i16` exact against
    /// `round` (ties to even) and saturating.
    #[test]
    fn f32_section_agrees_with_an_f64_reference() {
        for (y, want) in [
            (0.5f32, 0),
            (1.5, 2),
            (-2.5, -2),
            (2.4999, 2),
            (-0.7, -1),
            (40000.0, i16::MAX),
            (-1e9, i16::MIN),
            (32767.4, 32767),
        ] {
            assert_eq!(round_to_i16(y), want, "{y}");
        }
        let mut seed = 7u32;
        let mut noise = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 16) as i16
        };
        for rate in [8000u32, 16000, 48000] {
            for corner in [100.0, 300.0] {
                let c = Coeffs::new(corner, rate).unwrap();
                let n = rate as usize;
                let mut inputs: Vec<Vec<i16>> = vec![(0..n).map(|_| noise()).collect()];
                inputs.push(
                    (0..n)
                        .map(|i| {
                            (20000.0 * (TAU * 941.0 * i as f64 / rate as f64).sin()) as i16 + 9000
                        })
                        .collect(),
                );
                inputs.push(
                    (0..n)
                        .map(|i| {
                            if (i / 40) % 2 == 0 {
                                i16::MAX
                            } else {
                                i16::MIN
                            }
                        })
                        .collect(),
                );
                for x in inputs {
                    let mut got = vec![0i16; n];
                    let mut st = State::NEW;
                    st.run(&c, &x, &mut got);
                    let (b0, a1, a2) = c.f64s();
                    let (mut s1, mut s2) = (0.0f64, 0.0f64);
                    for (i, &v) in x.iter().enumerate() {
                        let v = v as f64;
                        let y = b0 * v + s1;
                        s1 = -2.0 * b0 * v - a1 * y + s2;
                        s2 = b0 * v - a2 * y;
                        let want = y.round().clamp(-32768.0, 32767.0);
                        assert!(
                            (got[i] as f64 - want).abs() <= 1.0,
                            "{rate} Hz, {corner} Hz, sample {i}: {} vs {want}",
                            got[i]
                        );
                    }
                }
            }
        }
    }

    /// The response: −3 dB at the corner, under −0.2 dB from 697 Hz up, and rumble well
    /// down (an octave below the corner −12 dB), at every rate; and the filter run on
    /// sines agrees with it.
    #[test]
    fn response_of_the_300_hz_high_pass() {
        for rate in [8000u32, 11025, 16000, 44100, 48000] {
            let c = Coeffs::new(300.0, rate).unwrap();
            let db = |f: f64| 10.0 * c.power_gain(f, rate).log10();
            assert!((db(300.0) + 3.01).abs() < 0.05, "{rate}: {}", db(300.0));
            for f in crate::key::ALL_FREQS {
                assert!(db(f) > -0.2 && db(f) < 0.01, "{rate} Hz, {f} Hz: {}", db(f));
            }
            assert!((db(150.0) + 12.3).abs() < 0.3, "{rate}: {}", db(150.0));
            assert!(db(60.0) < -27.0, "{rate}: {}", db(60.0));
            // Measured: a sine's RMS after the filter (settled), against the response.
            for f in [60.0, 150.0, 300.0, 697.0, 1633.0] {
                let n = rate as usize;
                let x: Vec<i16> = (0..n)
                    .map(|i| {
                        (10000.0 * (2.0 * core::f64::consts::PI * f * i as f64 / rate as f64).sin())
                            .round() as i16
                    })
                    .collect();
                let mut y = vec![0i16; n];
                let mut st = State::NEW;
                for (a, b) in x.chunks(97).zip(y.chunks_mut(97)) {
                    st.run(&c, a, b);
                }
                let rms = |v: &[i16]| {
                    (v.iter().map(|&s| (s as f64).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
                };
                let half = n / 2;
                let got = 20.0 * (rms(&y[half..]) / rms(&x[half..])).log10();
                assert!(
                    (got - db(f)).abs() < 0.1,
                    "{rate} Hz, {f} Hz: {got} vs {}",
                    db(f)
                );
            }
        }
        assert_eq!(Coeffs::new(0.0, 8000), None);
    }
}
