//! The level convention shared by the generator and the detector: a sine whose peak is
//! 16-bit full scale (32767) is **+3.14 dBm0** (the G.711 A-law full-scale level), so a
//! 0 dBm0 sine has a peak of about 22 826.
//!
//! ```
//! use touchtone::level::{dbm0_to_peak, peak_to_dbm0, FULL_SCALE_DBM0};
//! assert!((dbm0_to_peak(FULL_SCALE_DBM0) - 32767.0).abs() < 1e-9);
//! assert!((dbm0_to_peak(0.0) - 22826.0).abs() < 1.0);
//! assert!((peak_to_dbm0(dbm0_to_peak(-25.0)) + 25.0).abs() < 1e-9);
//! ```

/// The level of a sine whose peak is 16-bit full scale, in dBm0 (G.711 A-law convention).
// Not π: the A-law full-scale level happens to be 3.14 dBm0.
#[allow(clippy::approx_constant)]
pub const FULL_SCALE_DBM0: f64 = 3.14;

/// Peak amplitude (in 16-bit sample units) of a sine at `dbm0`.
pub fn dbm0_to_peak(dbm0: f64) -> f64 {
    32767.0 * 10f64.powf((dbm0 - FULL_SCALE_DBM0) / 20.0)
}

/// Level in dBm0 of a sine with peak amplitude `peak` (16-bit sample units).
pub fn peak_to_dbm0(peak: f64) -> f64 {
    20.0 * (peak / 32767.0).log10() + FULL_SCALE_DBM0
}
