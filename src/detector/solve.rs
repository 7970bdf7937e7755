//! The amplitudes of a key's two tones with each tone's leakage into the other's bin
//! removed: a 2×2 solve with the window responses at the measured offsets.

#[cfg(test)]
use super::phasor::{mul_conj, one_minus};
use super::plan::Plan;
use crate::goertzel::TABLE_SCALE;
use num_complex::Complex32;

/// Amplitudes (peak, 16-bit units) of the two tones, with each tone's leakage into the
/// other's bin removed: with the measured offsets δ the window response of each actual
/// tone at each bin, `K = Σ e^{j(ω'−ω)n} = (1 − e^{j(ω'−ω)N}) / (1 − e^{j(ω'−ω)})`, is
/// known, and the 2×2 system `X = K·C` gives the tones' complex amplitudes `C`. This
/// removes the ±0.5 dB ripple a rectangular 16 ms window leaves on the levels and twist.
/// Uses only complex arithmetic: `u = e^{jδN/2}` comes from the frequency check.
#[inline(always)]
pub(super) fn tone_amplitudes(
    plan: &Plan,
    [x0, x1]: [Complex32; 2],
    k: [usize; 2],
    u: [Complex32; 2],
    delta: [f32; 2],
) -> [f32; 2] {
    let n = plan.scale.window_len as f32;
    // e^{j(ω+δ)} per sample and e^{j(ω+δ)N} per window, for each actual tone.
    let step = |i: usize| {
        let d = delta[i];
        plan.rot.step[k[i]] * Complex32::new(1.0 - d * d / 2.0, d)
    };
    let win = |i: usize| plan.rot.window[k[i]] * u[i] * u[i];
    let (s0, s1, w0, w1) = (step(0), step(1), win(0), win(1));
    // Lanes: k00, k11, k01 (the high tone seen in the low bin), k10 (the low tone seen
    // in the high bin).
    let [k00, k11, k01, k10] = window_kernels(
        plan,
        n,
        [w0, w1, w1, w0],
        [s0, s1, s1, s0],
        [k[0], k[1], k[0], k[1]],
    );
    let det = k00 * k11 - k01 * k10;
    let det2 = det.norm_sqr();
    if det2 < plan.scale.min_det2 {
        return [
            x0.norm_sqr().sqrt() * plan.scale.x_to_amp,
            x1.norm_sqr().sqrt() * plan.scale.x_to_amp,
        ];
    }
    // |c| = |numerator| / |det| (Cramer), one division for both.
    let inv = 1.0 / det2;
    let n0 = (x0 * k11 - x1 * k01).norm_sqr();
    let n1 = (x1 * k00 - x0 * k10).norm_sqr();
    let scale = 2.0 / TABLE_SCALE;
    [(n0 * inv).sqrt() * scale, (n1 * inv).sqrt() * scale]
}

/// The window response `K = (1 − e^{jΔN}) / (1 − e^{jΔ})` at `bin` of a tone whose window
/// and sample rotations are `tone_win`, `tone_step` (see [`tone_amplitudes`]); `n`
/// where the denominator vanishes. The scalar definition, the oracle of [`window_kernels`].
#[cfg(test)]
fn window_kernel(
    plan: &Plan,
    n: f32,
    tone_win: Complex32,
    tone_step: Complex32,
    bin: usize,
) -> Complex32 {
    let den = one_minus(mul_conj(tone_step, plan.rot.step[bin]));
    let d2 = den.norm_sqr();
    if d2 < 1e-12 {
        Complex32::new(n, 0.0)
    } else {
        // num / den as num · conj(den) / |den|² (one division).
        mul_conj(one_minus(mul_conj(tone_win, plan.rot.window[bin])), den) * (1.0 / d2)
    }
}

/// [`window_kernel`] four times, in lanes (the same operations lane by lane, so the same
/// bits; it vectorises).
#[inline(always)]
fn window_kernels(
    plan: &Plan,
    n: f32,
    tone_win: [Complex32; 4],
    tone_step: [Complex32; 4],
    bin: [usize; 4],
) -> [Complex32; 4] {
    let lanes = |f: &dyn Fn(usize) -> f32| -> [f32; 4] { core::array::from_fn(f) };
    let (sr, si) = (lanes(&|j| tone_step[j].re), lanes(&|j| tone_step[j].im));
    let (wr, wi) = (lanes(&|j| tone_win[j].re), lanes(&|j| tone_win[j].im));
    let (er, ei) = (
        lanes(&|j| plan.rot.step[bin[j]].re),
        lanes(&|j| plan.rot.step[bin[j]].im),
    );
    let (fr, fi) = (
        lanes(&|j| plan.rot.window[bin[j]].re),
        lanes(&|j| plan.rot.window[bin[j]].im),
    );
    // den = 1 − step·conj(e_step); |den|²; num = 1 − win·conj(e_win); num·conj(den)/|den|².
    let dr = lanes(&|j| 1.0 - (sr[j] * er[j] + si[j] * ei[j]));
    let di = lanes(&|j| 0.0 - (si[j] * er[j] - sr[j] * ei[j]));
    let d2 = lanes(&|j| dr[j] * dr[j] + di[j] * di[j]);
    let qr = lanes(&|j| 1.0 - (wr[j] * fr[j] + wi[j] * fi[j]));
    let qi = lanes(&|j| 0.0 - (wi[j] * fr[j] - wr[j] * fi[j]));
    let inv = lanes(&|j| 1.0 / d2[j]);
    let kr = lanes(&|j| (qr[j] * dr[j] + qi[j] * di[j]) * inv[j]);
    let ki = lanes(&|j| (qi[j] * dr[j] - qr[j] * di[j]) * inv[j]);
    core::array::from_fn(|j| {
        if d2[j] < 1e-12 {
            Complex32::new(n, 0.0)
        } else {
            Complex32::new(kr[j], ki[j])
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::ALL_FREQS;
    use crate::DetectorConfig;

    /// The lane-wise window responses are the scalar ones, bit for bit: at the offsets the
    /// detector measures (up to ±3.5 %, and exactly 0, where the denominator vanishes), for
    /// every pair of bins, at each rate's plan.
    #[test]
    fn window_kernels_match_window_kernel() {
        for rate in [8000u32, 16000, 44100, 48000] {
            let plan = Plan::new(DetectorConfig::with_rate(rate)).unwrap();
            let n = plan.scale.window_len as f32;
            let mut cases = 0;
            for (ka, kb) in (0..8).flat_map(|a| (0..8).map(move |b| (a, b))) {
                for dev in [-0.035f32, -0.02, -0.004, 0.0, 1e-6, 0.011, 0.025, 0.035] {
                    let tone = |k: usize, d: f32| {
                        let w = 2.0 * core::f32::consts::PI * ALL_FREQS[k] as f32 * d / rate as f32;
                        let step = plan.rot.step[k] * Complex32::new(1.0 - w * w / 2.0, w);
                        let win = plan.rot.window[k] * Complex32::from_polar(1.0, w * n);
                        (win, step)
                    };
                    let (wa, sa) = tone(ka, dev);
                    let (wb, sb) = tone(kb, -0.7 * dev);
                    let lanes = window_kernels(
                        &plan,
                        n,
                        [wa, wb, wb, wa],
                        [sa, sb, sb, sa],
                        [ka, kb, ka, kb],
                    );
                    let scalar = [
                        window_kernel(&plan, n, wa, sa, ka),
                        window_kernel(&plan, n, wb, sb, kb),
                        window_kernel(&plan, n, wb, sb, ka),
                        window_kernel(&plan, n, wa, sa, kb),
                    ];
                    for (l, s) in lanes.iter().zip(&scalar) {
                        assert_eq!(
                            (l.re.to_bits(), l.im.to_bits()),
                            (s.re.to_bits(), s.im.to_bits()),
                            "{rate} Hz bins {ka} {kb} deviation {dev}: {l} vs {s}"
                        );
                    }
                    cases += 1;
                }
            }
            assert_eq!(cases, 8 * 8 * 8);
        }
    }
}
