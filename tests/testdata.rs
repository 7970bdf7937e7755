//! The recordings in `testdata/` hold the keys `testdata/README.md` says they hold, at the
//! times it gives (±10 ms), on the channels it gives.

use touchtone::{Detector, DetectorConfig, Event};

/// (keys, first start ms, tone ms, period ms): key i is on from start + i·period for tone ms.
type Layout = (&'static str, f64, f64, f64);

fn decode(path: &str) -> Vec<Vec<(char, f64, f64)>> {
    let path = format!("{}/testdata/{path}", env!("CARGO_MANIFEST_DIR"));
    let a = touchtone::io::read_all(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let rate = a.sample_rate;
    (0..a.channels as usize)
        .map(|c| {
            let mut det = Detector::new(DetectorConfig::with_rate(rate)).unwrap();
            let mut out = Vec::new();
            let mut push = |e: Event| {
                if let Event::KeyUp { press, .. } = e {
                    out.push((
                        press.key.to_char(),
                        press.start_ms(rate),
                        press.end_ms(rate),
                    ))
                }
            };
            for frame in a.channel(c).chunks(160) {
                det.process(frame, &mut push);
            }
            det.finish(&mut push);
            out
        })
        .collect()
}

fn check(path: &str, rate: u32, channels: &[Layout]) {
    let a =
        touchtone::io::read_all(format!("{}/testdata/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    assert_eq!(a.sample_rate, rate, "{path} rate");
    assert_eq!(a.channels as usize, channels.len(), "{path} channels");
    let got = decode(path);
    for (c, ((keys, start, tone, period), got)) in channels.iter().zip(&got).enumerate() {
        let want: Vec<(char, f64, f64)> = keys
            .chars()
            .enumerate()
            .map(|(i, k)| {
                let s = start + i as f64 * period;
                (k, s, s + tone)
            })
            .collect();
        let got_keys: String = got.iter().map(|g| g.0).collect();
        assert_eq!(&got_keys, keys, "{path} channel {c}: {got:?}");
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (g.1 - w.1).abs() <= 10.0 && (g.2 - w.2).abs() <= 10.0,
                "{path} channel {c}: key {} at {:.1}–{:.1} ms, README says {:.1}–{:.1}",
                g.0,
                g.1,
                g.2,
                w.1,
                w.2
            );
        }
    }
}

#[test]
fn keys_8k() {
    check(
        "keys-8k.wav",
        8000,
        &[("0123456789*#ABCD", 70.0, 70.0, 140.0)],
    );
}

#[test]
fn keys_48k() {
    check("keys-48k.wav", 48000, &[("159#AD", 60.0, 60.0, 120.0)]);
}

#[test]
fn keys_stereo() {
    check(
        "keys-stereo.wav",
        8000,
        &[("1234", 70.0, 70.0, 140.0), ("ABCD", 105.0, 70.0, 140.0)],
    );
}

#[test]
fn keys_ulaw() {
    // The file really is G.711 μ-law (format tag 7), not PCM.
    let bytes = std::fs::read(format!(
        "{}/testdata/keys-ulaw.wav",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert_eq!(&bytes[20..22], &[7, 0], "format tag");
    check("keys-ulaw.wav", 8000, &[("5551234#", 70.0, 70.0, 140.0)]);
}
