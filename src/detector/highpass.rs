//! The optional high-pass in front of the detector ([`DetectorConfig::highpass_hz`]): a
//! second-order Butterworth section that takes rumble, hum and handling noise below the
//! DTMF band out of a recording before the checks see it, so that they do not count
//! against a key's purity.
//!
//! [`DetectorConfig::highpass_hz`]: super::DetectorConfig::highpass_hz

/// The section's coefficients (normalised: a0 = 1), from the audio EQ cookbook with
/// Q = 1/√2 (Butterworth).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Coeffs {
    b0: f64,
    b1: f64,
    b2: f64,
    a1: f64,
    a2: f64,
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
            b0: (1.0 + cos) / 2.0 / a0,
            b1: -(1.0 + cos) / a0,
            b2: (1.0 + cos) / 2.0 / a0,
            a1: -2.0 * cos / a0,
            a2: (1.0 - alpha) / a0,
        })
    }

    /// Power gain at `f` Hz for `sample_rate` (1 at high frequencies, ½ at the corner).
    #[cfg(test)]
    fn power_gain(&self, f: f64, sample_rate: u32) -> f64 {
        use num_complex::Complex64;
        let z = Complex64::from_polar(1.0, -2.0 * core::f64::consts::PI * f / sample_rate as f64);
        let num = self.b0 + self.b1 * z + self.b2 * z * z;
        let den = 1.0 + self.a1 * z + self.a2 * z * z;
        (num / den).norm_sqr()
    }
}

/// The section's state (transposed direct form II; computed in `f64`, rounded to `f32`
/// after every sample to keep the detector's state small).
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
            let v = v as f64;
            let y = c.b0 * v + s1 as f64;
            s1 = (c.b1 * v - c.a1 * y + s2 as f64) as f32;
            s2 = (c.b2 * v - c.a2 * y) as f32;
            *o = y.round().clamp(i16::MIN as f64, i16::MAX as f64) as i16;
        }
        (self.s1, self.s2) = (s1, s2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
