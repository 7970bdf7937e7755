//! `touchtone generate [OPTIONS] KEYS OUT.wav`: a 16-bit mono WAV recording of DTMF keys.
//!
//! The keys (e.g. `"0123456789*#ABCD"`) each get a tone followed by a pause, with a pause
//! before the first key too.

use crate::parse_num;
use touchtone::generator::parse_keys;
use touchtone::{Generator, GeneratorConfig};

const USAGE: &str = "usage: generate [OPTIONS] KEYS OUT.wav
  --rate HZ          default 8000
  --tone-ms MS       default 70
  --pause-ms MS      default 70
  --level DBM0       per tone, default -10
  --twist DB         low minus high group, default 0";

pub(crate) fn run(argv: &[String]) -> Result<(), String> {
    let mut cfg = GeneratorConfig::default();
    let mut positional: Vec<&str> = Vec::new();
    let mut i = 0;
    let mut only_positional = false;
    while i < argv.len() {
        let arg = argv[i].as_str();
        i += 1;
        if only_positional || !arg.starts_with('-') {
            positional.push(arg);
            continue;
        }
        if arg == "--" {
            only_positional = true;
            continue;
        }
        if !arg.starts_with("--") {
            return Err(format!(
                "unknown option \"{}\" (see --help)",
                arg.escape_debug()
            ));
        }
        if arg == "--help" {
            println!("{USAGE}");
            return Ok(());
        }
        let (flag, value) = match arg.split_once('=') {
            Some((f, v)) => (f, v.to_string()),
            None => {
                if !matches!(
                    arg,
                    "--rate" | "--tone-ms" | "--pause-ms" | "--level" | "--twist"
                ) {
                    return Err(format!(
                        "unknown option \"{}\" (see --help)",
                        arg.escape_debug()
                    ));
                }
                let v = argv
                    .get(i)
                    .ok_or_else(|| format!("{arg} needs a value"))?
                    .clone();
                i += 1;
                (arg, v)
            }
        };
        match flag {
            "--rate" => cfg.sample_rate = parse_num(flag, &value, "a sample rate in Hz")?,
            "--tone-ms" => cfg.tone_ms = parse_num(flag, &value, "a duration in ms")?,
            "--pause-ms" => cfg.pause_ms = parse_num(flag, &value, "a duration in ms")?,
            "--level" => cfg.level_dbm0 = parse_num(flag, &value, "a level in dBm0")?,
            "--twist" => cfg.twist_db = parse_num(flag, &value, "a twist in dB")?,
            _ => {
                return Err(format!(
                    "unknown option \"{}\" (see --help)",
                    flag.escape_debug()
                ))
            }
        }
    }
    let [keys, out] = positional[..] else {
        return Err(format!(
            "expected KEYS and OUT.wav, got {} argument{} (see --help)",
            positional.len(),
            if positional.len() == 1 { "" } else { "s" }
        ));
    };
    let keys = parse_keys(keys).map_err(|e| format!("KEYS: {e}"))?;
    let generator = Generator::new(cfg).map_err(|e| e.to_string())?;
    // A WAV data chunk holds at most 4 GiB: refuse before rendering rather than fail late.
    let c = generator.config();
    let total_ms = c.pause_ms + keys.len() as f64 * (c.tone_ms + c.pause_ms);
    let n = total_ms * f64::from(c.sample_rate) / 1000.0;
    let max = f64::from((u32::MAX - 64) / 2);
    if n > max {
        return Err(format!(
            "the recording would be {n:.0} samples ({:.1} hours), more than a WAV file holds \
             ({max:.0} 16-bit samples)",
            total_ms / 3_600_000.0
        ));
    }
    let samples = generator.render(&keys);
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: generator.config().sample_rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let write = || -> Result<(), hound::Error> {
        let mut w = hound::WavWriter::create(out, spec)?;
        {
            let mut w16 = w.get_i16_writer(samples.len() as u32);
            for &s in &samples {
                w16.write_sample(s);
            }
            w16.flush()?;
        }
        w.finalize()
    };
    write().map_err(|e| format!("writing {out}: {e}"))
}
