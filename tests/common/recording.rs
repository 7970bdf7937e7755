//! Caller recordings for the gather tests: generated keys at known times over silence.

use touchtone::generator::to_i16;
use touchtone::{Generator, GeneratorConfig, Key};

/// A recording of `total_ms` at `rate` with each key `(char, start_ms, length_ms)`, at the
/// generator's default level.
pub fn recording(rate: u32, total_ms: u64, keys: &[(char, u64, u64)]) -> Vec<i16> {
    let gen = Generator::new(GeneratorConfig {
        sample_rate: rate,
        ..Default::default()
    })
    .unwrap();
    let at = |ms: u64| (ms * u64::from(rate) / 1000) as usize;
    let mut out = vec![0.0f64; at(total_ms)];
    for &(c, start, len) in keys {
        let k = Key::from_char(c).unwrap();
        gen.add_key(k, &mut out[at(start)..at(start + len)]);
    }
    to_i16(&out)
}
