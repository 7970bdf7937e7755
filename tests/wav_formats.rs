//! Every WAV variant decodes to the right samples. The files are built byte by byte here (and
//! with hound, as an independent writer), with sample values whose 16-bit result is known
//! from the format's definition.

use std::io::{Cursor, Read};

use touchtone::g711;
use touchtone::io::{self, Audio, Encoding, RawFormat, Reader, WavError};
use touchtone::scan;

/// One chunk: id, body (a pad byte is added after odd-sized bodies).
fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = id.to_vec();
    v.extend_from_slice(&(body.len() as u32).to_le_bytes());
    v.extend_from_slice(body);
    if body.len() % 2 == 1 {
        v.push(0);
    }
    v
}

fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = chunks.concat();
    let mut v = b"RIFF".to_vec();
    v.extend_from_slice(&(4 + body.len() as u32).to_le_bytes());
    v.extend_from_slice(b"WAVE");
    v.extend_from_slice(&body);
    v
}

fn fmt_body(tag: u16, channels: u16, rate: u32, bits: u16, block_align: u16) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&tag.to_le_bytes());
    v.extend_from_slice(&channels.to_le_bytes());
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&rate.wrapping_mul(u32::from(block_align)).to_le_bytes());
    v.extend_from_slice(&block_align.to_le_bytes());
    v.extend_from_slice(&bits.to_le_bytes());
    v
}

fn fmt(tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
    chunk(
        b"fmt ",
        &fmt_body(
            tag,
            channels,
            rate,
            bits,
            channels.wrapping_mul(bits.div_ceil(8)),
        ),
    )
}

/// A `WAVE_FORMAT_EXTENSIBLE` fmt chunk for `sub` (1 PCM, 3 float, 6 A-law, 7 μ-law).
fn fmt_ext(sub: u16, channels: u16, rate: u32, bits: u16, valid: u16) -> Vec<u8> {
    let mut b = fmt_body(
        0xFFFE,
        channels,
        rate,
        bits,
        channels.wrapping_mul(bits.div_ceil(8)),
    );
    b.extend_from_slice(&22u16.to_le_bytes());
    b.extend_from_slice(&valid.to_le_bytes());
    b.extend_from_slice(&0x4u32.to_le_bytes());
    b.extend_from_slice(&sub.to_le_bytes());
    b.extend_from_slice(&[
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
    ]);
    chunk(b"fmt ", &b)
}

fn read(bytes: &[u8]) -> Result<Audio, WavError> {
    Audio::from_reader(Reader::new(Cursor::new(bytes.to_vec()))?)
}

fn mono(bytes: &[u8]) -> Vec<i16> {
    let a = read(bytes).unwrap();
    assert_eq!(a.channels, 1);
    a.samples
}

const S16: [i16; 9] = [0, 1, -1, 12345, -12345, 32767, -32768, 256, -256];

#[test]
fn pcm16() {
    let data: Vec<u8> = S16.iter().flat_map(|s| s.to_le_bytes()).collect();
    let a = read(&riff(&[fmt(1, 1, 8000, 16), chunk(b"data", &data)])).unwrap();
    assert_eq!(a.sample_rate, 8000);
    assert_eq!(a.samples, S16);
    assert_eq!(a.truncated, None);
}

#[test]
fn pcm8_unsigned() {
    let data = [0u8, 1, 127, 128, 129, 255];
    let got = mono(&riff(&[fmt(1, 1, 8000, 8), chunk(b"data", &data)]));
    // (v − 128) × 256.
    assert_eq!(got, [-32768, -32512, -256, 0, 256, 32512]);
}

fn s24(v: i32) -> [u8; 3] {
    let b = v.to_le_bytes();
    [b[0], b[1], b[2]]
}

#[test]
fn pcm24_top_bits_rounded() {
    let mut data = Vec::new();
    let mut want = Vec::new();
    for &s in &S16 {
        data.extend_from_slice(&s24(i32::from(s) << 8));
        want.push(s);
    }
    // Rounding: +0x7F stays, +0x80 rounds up; the largest value saturates.
    data.extend_from_slice(&s24((1000 << 8) + 0x7F));
    want.push(1000);
    data.extend_from_slice(&s24((1000 << 8) + 0x80));
    want.push(1001);
    data.extend_from_slice(&s24((-1000 << 8) - 0x80));
    want.push(-1000);
    data.extend_from_slice(&s24((-1000 << 8) - 0x81));
    want.push(-1001);
    data.extend_from_slice(&s24(0x7F_FFFF));
    want.push(32767);
    let got = mono(&riff(&[fmt(1, 1, 16000, 24), chunk(b"data", &data)]));
    assert_eq!(got, want);
}

#[test]
fn pcm32_top_bits_rounded() {
    let mut data = Vec::new();
    let mut want = Vec::new();
    for &s in &S16 {
        data.extend_from_slice(&(i32::from(s) << 16).to_le_bytes());
        want.push(s);
    }
    for (v, w) in [
        ((7 << 16) + 0x7FFF, 7),
        ((7 << 16) + 0x8000, 8),
        (i32::MAX, 32767),
        (i32::MIN, -32768),
    ] {
        data.extend_from_slice(&v.to_le_bytes());
        want.push(w);
    }
    let got = mono(&riff(&[fmt(1, 1, 44100, 32), chunk(b"data", &data)]));
    assert_eq!(got, want);
}

fn float_cases() -> Vec<(f64, i16)> {
    let mut v: Vec<(f64, i16)> = S16.iter().map(|&s| (f64::from(s) / 32768.0, s)).collect();
    v.extend([
        (0.5, 16384),
        (2.0, 32767),
        (-2.0, -32768),
        (1e30, 32767),
        (-1e30, -32768),
        (f64::NAN, 0),
        (f64::INFINITY, 0),
        (f64::NEG_INFINITY, 0),
        (1e-40, 0),
    ]);
    v
}

#[test]
fn float32_like_sample_to_i16() {
    let cases = float_cases();
    let data: Vec<u8> = cases
        .iter()
        .flat_map(|&(x, _)| (x as f32).to_le_bytes())
        .collect();
    let got = mono(&riff(&[fmt(3, 1, 48000, 32), chunk(b"data", &data)]));
    let want: Vec<i16> = cases.iter().map(|c| c.1).collect();
    assert_eq!(got, want);
}

#[test]
fn float64() {
    let cases = float_cases();
    let data: Vec<u8> = cases.iter().flat_map(|&(x, _)| x.to_le_bytes()).collect();
    let got = mono(&riff(&[fmt(3, 1, 8000, 64), chunk(b"data", &data)]));
    let want: Vec<i16> = cases.iter().map(|c| c.1).collect();
    assert_eq!(got, want);
}

#[test]
fn g711_ulaw_and_alaw() {
    // Reference values from G.711 (the standard `g711.c` tables).
    let ulaw = [0xFFu8, 0x7F, 0x00, 0x80, 0xF0, 0x70];
    let got = mono(&riff(&[fmt(7, 1, 8000, 8), chunk(b"data", &ulaw)]));
    assert_eq!(got, [0, 0, -32124, 32124, 120, -120]);
    let alaw = [0xD5u8, 0x55, 0xAA, 0x2A];
    let got = mono(&riff(&[fmt(6, 1, 8000, 8), chunk(b"data", &alaw)]));
    assert_eq!(got, [8, -8, 32256, -32256]);
    // Every byte value decodes like the table.
    let all: Vec<u8> = (0..=255).collect();
    let got = mono(&riff(&[fmt(7, 1, 8000, 8), chunk(b"data", &all)]));
    assert!(got
        .iter()
        .zip(&all)
        .all(|(&s, &b)| s == g711::ulaw_to_linear(b)));
    let got = mono(&riff(&[fmt(6, 1, 8000, 8), chunk(b"data", &all)]));
    assert!(got
        .iter()
        .zip(&all)
        .all(|(&s, &b)| s == g711::alaw_to_linear(b)));
}

#[test]
fn extensible_formats() {
    let data: Vec<u8> = S16.iter().flat_map(|s| s.to_le_bytes()).collect();
    let got = mono(&riff(&[fmt_ext(1, 1, 8000, 16, 16), chunk(b"data", &data)]));
    assert_eq!(got, S16);
    // 20 valid bits in a 24-bit container: left-justified, same decoding.
    let data: Vec<u8> = S16.iter().flat_map(|&s| s24(i32::from(s) << 8)).collect();
    let got = mono(&riff(&[fmt_ext(1, 1, 8000, 24, 20), chunk(b"data", &data)]));
    assert_eq!(got, S16);
    let data: Vec<u8> = [0.5f32, -0.25]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let got = mono(&riff(&[fmt_ext(3, 1, 8000, 32, 32), chunk(b"data", &data)]));
    assert_eq!(got, [16384, -8192]);
    let got = mono(&riff(&[
        fmt_ext(7, 1, 8000, 8, 8),
        chunk(b"data", &[0x00, 0xFF]),
    ]));
    assert_eq!(got, [-32124, 0]);
    let got = mono(&riff(&[fmt_ext(6, 1, 8000, 8, 8), chunk(b"data", &[0xD5])]));
    assert_eq!(got, [8]);
    // A sub-format GUID that is not KSDATAFORMAT_SUBTYPE_*: refused, naming it.
    let mut bad = fmt_ext(1, 1, 8000, 16, 16);
    let n = bad.len();
    bad[n - 1] = 0x00;
    let e = read(&riff(&[bad, chunk(b"data", &[0, 0])])).unwrap_err();
    assert!(matches!(e, WavError::UnsupportedSubFormat { .. }), "{e}");
    assert!(
        e.to_string().contains("0100000000001000800000aa00389b00"),
        "{e}"
    );
}

#[test]
fn twelve_bit_in_sixteen_bit_container() {
    let data: Vec<u8> = [0x7FF0i16, -16]
        .iter()
        .flat_map(|s| s.to_le_bytes())
        .collect();
    let f = chunk(b"fmt ", &fmt_body(1, 1, 8000, 12, 2));
    assert_eq!(mono(&riff(&[f, chunk(b"data", &data)])), [0x7FF0, -16]);
}

#[test]
fn extra_and_odd_chunks_before_data() {
    let data: Vec<u8> = S16.iter().flat_map(|s| s.to_le_bytes()).collect();
    let list = chunk(b"LIST", b"INFOISFT\x0e\0\0\0Lavf58.76.100\0");
    let fact = chunk(b"fact", &9u32.to_le_bytes());
    let odd = chunk(b"junk", b"abc"); // 3 bytes + pad byte
    assert_eq!(odd.len(), 12);
    let bytes = riff(&[
        odd.clone(),
        fmt(1, 1, 8000, 16),
        list,
        fact,
        odd,
        chunk(b"data", &data),
        chunk(b"LIST", b"after the data"),
    ]);
    assert_eq!(mono(&bytes), S16);
    // An odd-sized fmt chunk (18 bytes: cbSize = 0, then a 19th byte + pad).
    let mut body = fmt_body(1, 1, 8000, 16, 2);
    body.extend_from_slice(&[0, 0, 0x55]);
    let bytes = riff(&[chunk(b"fmt ", &body), chunk(b"data", &data)]);
    assert_eq!(mono(&bytes), S16);
}

#[test]
fn channels_are_interleaved() {
    // Five channels: sample (frame f, channel c) = 1000 c + f.
    let frames = 7;
    let mut data = Vec::new();
    for f in 0..frames {
        for c in 0..5i16 {
            data.extend_from_slice(&(1000 * c + f).to_le_bytes());
        }
    }
    let a = read(&riff(&[fmt(1, 5, 22050, 16), chunk(b"data", &data)])).unwrap();
    assert_eq!((a.channels, a.sample_rate, a.frames()), (5, 22050, 7));
    for c in 0..5 {
        let want: Vec<i16> = (0..frames).map(|f| 1000 * c as i16 + f).collect();
        assert_eq!(a.channel(c), want);
    }
    assert!(a.channel(5).is_empty());
}

#[test]
fn rates_in_range_accepted_others_refused_with_value() {
    for rate in [8000, 11025, 16000, 22050, 32000, 44100, 48000] {
        let a = read(&riff(&[fmt(1, 1, rate, 16), chunk(b"data", &[0, 0])])).unwrap();
        assert_eq!(a.sample_rate, rate);
    }
    for rate in [0, 7999, 48001, 96000, u32::MAX] {
        let e = read(&riff(&[fmt(1, 1, rate, 16), chunk(b"data", &[0, 0])])).unwrap_err();
        assert!(
            matches!(e, WavError::SampleRate { rate: r, offset: Some(12) } if r == rate),
            "{e:?}"
        );
        assert!(e.to_string().contains(&format!("{rate} Hz")), "{e}");
    }
}

#[test]
fn malformed_headers_say_what_and_where() {
    let good = riff(&[fmt(1, 1, 8000, 16), chunk(b"data", &[1, 0])]);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (vec![], "empty"),
        (b"RIFX\0\0\0\0WAVE".to_vec(), "RIFX"),
        (b"OggS\0\0\0\0\0\0\0\0".to_vec(), "\"OggS\""),
        (b"RIFF\0\0\0\0AVI ".to_vec(), "\"AVI \""),
        (good[..5].to_vec(), "ends at byte 5"),
        (good[..20].to_vec(), "ends at byte 20"),
        (good[..12].to_vec(), "no data chunk"),
        (riff(&[chunk(b"data", &[0, 0])]), "before any fmt"),
        (
            riff(&[chunk(b"fmt ", &[1, 0, 1, 0]), chunk(b"data", &[])]),
            "4 bytes",
        ),
        (
            riff(&[fmt(0x55, 1, 8000, 16), chunk(b"data", &[])]),
            "format tag 85 (0x0055",
        ),
        (riff(&[fmt(2, 1, 8000, 4), chunk(b"data", &[])]), "ADPCM"),
        (
            riff(&[fmt(1, 0, 8000, 16), chunk(b"data", &[])]),
            "channel count 0",
        ),
        (
            riff(&[fmt(1, 65535, 8000, 16), chunk(b"data", &[])]),
            "channel count 65535",
        ),
        (riff(&[fmt(1, 1, 8000, 0), chunk(b"data", &[])]), "0 bits"),
        (riff(&[fmt(1, 1, 8000, 40), chunk(b"data", &[])]), "40 bits"),
        (riff(&[fmt(3, 1, 8000, 16), chunk(b"data", &[])]), "16 bits"),
        (riff(&[fmt(7, 1, 8000, 16), chunk(b"data", &[])]), "16 bits"),
        (
            riff(&[
                chunk(b"fmt ", &fmt_body(1, 2, 8000, 16, 3)),
                chunk(b"data", &[]),
            ]),
            "block align 3",
        ),
        (
            riff(&[fmt(1, 1, 8000, 16), chunk(b"LIST", &[0; 100])])[..60].to_vec(),
            "\"LIST\"",
        ),
    ];
    for (bytes, needle) in cases {
        let e = read(&bytes).expect_err(needle);
        let msg = e.to_string();
        assert!(msg.contains(needle), "{msg:?} should contain {needle:?}");
    }
}

#[test]
fn truncated_data_chunk_decodes_what_is_there() {
    let data: Vec<u8> = S16.iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut bytes = riff(&[fmt(1, 1, 8000, 16), chunk(b"data", &data)]);
    // Declare 1000 bytes where there are 18, and cut the last byte (a partial frame).
    bytes[40..44].copy_from_slice(&1000u32.to_le_bytes());
    bytes.pop();
    let a = read(&bytes).unwrap();
    assert_eq!(a.samples, S16[..8]);
    let t = a.truncated.unwrap();
    assert_eq!((t.chunk_offset, t.declared, t.available), (36, 1000, 17));
    assert!(t.to_string().contains("declares 1000 bytes"));
}

#[test]
fn streaming_data_size_means_to_the_end() {
    let data: Vec<u8> = S16.iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut bytes = riff(&[fmt(1, 1, 8000, 16), chunk(b"data", &data)]);
    bytes[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
    let a = read(&bytes).unwrap();
    assert_eq!(a.samples, S16);
    assert_eq!(a.truncated, None);
}

#[test]
fn data_chunk_shorter_than_file_stops_at_its_end() {
    let data: Vec<u8> = S16.iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut bytes = riff(&[fmt(1, 1, 8000, 16), chunk(b"data", &data)]);
    bytes[40..44].copy_from_slice(&6u32.to_le_bytes());
    assert_eq!(mono(&bytes), S16[..3]);
}

/// A reader that hands out one byte per call.
struct Trickle<R>(R);
impl<R: Read> Read for Trickle<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(1);
        self.0.read(&mut buf[..n])
    }
}

#[test]
fn streaming_in_small_pieces_gives_the_same_samples() {
    let mut data = Vec::new();
    let mut want = Vec::new();
    for f in 0..1000i32 {
        for c in 0..3 {
            let s = ((f * 37 + c * 1001) % 65536 - 32768) as i16;
            data.extend_from_slice(&s24(i32::from(s) << 8));
            want.push(s);
        }
    }
    let bytes = riff(&[
        chunk(b"LIST", b"xyz"),
        fmt(1, 3, 8000, 24),
        chunk(b"data", &data),
    ]);
    for frames in [1usize, 2, 7, 160, 5000] {
        let mut r = Reader::new(Trickle(&bytes[..])).unwrap();
        assert_eq!(r.format().encoding, Encoding::S24);
        assert_eq!(r.declared_frames(), Some(1000));
        let mut buf = vec![0i16; frames * 3 + 2]; // not a whole number of frames
        let mut got = Vec::new();
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            assert_eq!(n % 3, 0);
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, want, "frames per read {frames}");
    }
    let mut r = Reader::new(&bytes[..]).unwrap();
    assert!(matches!(
        r.read(&mut [0i16; 2]),
        Err(WavError::BufferTooSmall {
            len: 2,
            channels: 3
        })
    ));
}

#[test]
fn raw_formats() {
    let s16: Vec<u8> = S16.iter().flat_map(|s| s.to_le_bytes()).collect();
    let a = Audio::from_reader(Reader::raw(&s16[..], RawFormat::S16le, 8000).unwrap()).unwrap();
    assert_eq!(a.samples, S16);
    let f32s: Vec<u8> = [0.5f32, f32::NAN, -1.0]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let a = Audio::from_reader(Reader::raw(&f32s[..], RawFormat::F32le, 16000).unwrap()).unwrap();
    assert_eq!((a.sample_rate, a.samples), (16000, vec![16384, 0, -32768]));
    let a = Audio::from_reader(Reader::raw(&[0xFFu8, 0x00][..], RawFormat::Ulaw, 8000).unwrap())
        .unwrap();
    assert_eq!(a.samples, [0, -32124]);
    let a = Audio::from_reader(Reader::raw(&[0xD5u8, 0x2A][..], RawFormat::Alaw, 8000).unwrap())
        .unwrap();
    assert_eq!(a.samples, [8, -32256]);
    // A trailing partial sample is dropped.
    let a = Audio::from_reader(Reader::raw(&s16[..5], RawFormat::S16le, 8000).unwrap()).unwrap();
    assert_eq!(a.samples, S16[..2]);
    for rate in [0, 7999, 48001] {
        let e = Reader::raw(&s16[..], RawFormat::S16le, rate).unwrap_err();
        assert!(matches!(e, WavError::SampleRate { rate: r, offset: None } if r == rate));
    }
    for (i, name) in RawFormat::NAMES.iter().enumerate() {
        assert_eq!(name.parse::<RawFormat>().unwrap(), RawFormat::ALL[i]);
        assert_eq!(RawFormat::ALL[i].name(), *name);
    }
    assert!(matches!(
        "mp3".parse::<RawFormat>(),
        Err(WavError::UnknownRawFormat(s)) if s == "mp3"
    ));
}

#[test]
fn files_written_by_hound_match_hound_reading_them() {
    let dir = tempdir();
    let n = 2000;
    let wave = |i: usize| (i as f64 * 0.0137).sin() * 0.9 + (i as f64 * 0.31).cos() * 0.09;
    for (bits, float) in [
        (8u16, false),
        (16, false),
        (24, false),
        (32, false),
        (32, true),
    ] {
        for channels in [1u16, 2] {
            let path = dir.join(format!("h{bits}{float}{channels}.wav"));
            let spec = hound::WavSpec {
                channels,
                sample_rate: 16000,
                bits_per_sample: bits,
                sample_format: if float {
                    hound::SampleFormat::Float
                } else {
                    hound::SampleFormat::Int
                },
            };
            let mut w = hound::WavWriter::create(&path, spec).unwrap();
            for i in 0..n * channels as usize {
                let x = wave(i);
                if float {
                    w.write_sample(x as f32).unwrap();
                } else {
                    let full = (1i64 << (bits - 1)) as f64;
                    w.write_sample((x * full).round() as i32).unwrap();
                }
            }
            w.finalize().unwrap();
            // hound's own reading, reduced to 16 bits by the documented rules.
            let mut hr = hound::WavReader::open(&path).unwrap();
            let want: Vec<i16> = if float {
                hr.samples::<f32>()
                    .map(|s| touchtone::Sample::to_i16(s.unwrap()))
                    .collect()
            } else {
                hr.samples::<i32>()
                    .map(|s| {
                        let v = i64::from(s.unwrap());
                        match bits {
                            8 => (v << 8) as i16,
                            16 => v as i16,
                            _ => {
                                let sh = bits - 16;
                                ((v + (1 << (sh - 1))) >> sh).min(32767) as i16
                            }
                        }
                    })
                    .collect()
            };
            let ours = io::read_all(&path).unwrap();
            assert_eq!((ours.sample_rate, ours.channels), (16000, channels));
            assert_eq!(ours.samples.len(), n * channels as usize);
            assert_eq!(
                ours.samples, want,
                "bits {bits} float {float} ch {channels}"
            );
        }
    }
}

#[test]
fn file_level_errors() {
    let dir = tempdir();
    let e = io::read_all(dir.join("missing.wav")).unwrap_err();
    assert!(matches!(e, WavError::Open { .. }));
    assert!(e.to_string().contains("missing.wav"));
    let e = io::read_all(&dir).unwrap_err();
    assert!(matches!(e, WavError::IsDirectory(_)), "{e}");
    std::fs::write(dir.join("empty.wav"), b"").unwrap();
    assert!(matches!(
        io::read_all(dir.join("empty.wav")).unwrap_err(),
        WavError::Empty
    ));
    assert!(matches!(
        io::read_all_raw(dir.join("empty.wav"), RawFormat::Ulaw, 8000).unwrap_err(),
        WavError::Empty
    ));
}

/// A fresh directory under the system's temporary directory, removed with everything in it
/// when dropped (also when the test fails).
struct TempDir(std::path::PathBuf);

impl std::ops::Deref for TempDir {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl AsRef<std::path::Path> for TempDir {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempdir() -> TempDir {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "touchtone-wav-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&d).unwrap();
    TempDir(d)
}

#[test]
fn decode_keys_streams_every_channel_in_start_order() {
    use touchtone::{Generator, GeneratorConfig, Key};
    // Three channels, 6 s at 8 kHz, keys at pseudo-random times (overlapping across
    // channels), plus one key held for 2.5 s on channel 2 that spans other keys.
    let rate = 8000usize;
    let n = 6 * rate;
    let g = Generator::new(GeneratorConfig::default()).unwrap();
    let mut chans = vec![vec![0f64; n]; 3];
    let mut truth = Vec::new();
    let mut x = 0x1234_5678_9abc_def1u64;
    for (c, ch) in chans.iter_mut().enumerate() {
        let mut t = 100 + c * 37;
        while t + 200 < 6000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = Key::ALL[(x % 16) as usize];
            let len = if c == 2 && truth.iter().all(|k: &(usize, u16, char)| k.1 != 2) {
                2500
            } else {
                50 + (x >> 8) as usize % 100
            };
            if t + len + 100 > 6000 {
                break;
            }
            g.add_key(key, &mut ch[t * 8..(t + len) * 8]);
            truth.push((t, c as u16, key.to_char()));
            t += len + 60 + (x >> 20) as usize % 300;
        }
    }
    truth.sort();
    let mut data = Vec::new();
    for i in 0..n {
        for ch in &chans {
            data.extend_from_slice(&(ch[i].round() as i16).to_le_bytes());
        }
    }
    let bytes = riff(&[fmt(1, 3, 8000, 16), chunk(b"data", &data)]);
    let mut r = Reader::new(&bytes[..]).unwrap();
    let keys = scan::decode_keys(&mut r, None).unwrap();
    let got: Vec<(u16, char)> = keys
        .iter()
        .map(|k| (k.channel, k.press.key.to_char()))
        .collect();
    let want: Vec<(u16, char)> = truth.iter().map(|t| (t.1, t.2)).collect();
    assert_eq!(got, want);
    for (k, t) in keys.iter().zip(&truth) {
        let start_ms = k.press.start as f64 / 8.0;
        assert!((start_ms - t.0 as f64).abs() <= 10.0, "{k:?} vs {t:?}");
    }
    assert!(keys
        .windows(2)
        .all(|w| w[0].press.start <= w[1].press.start));
    // One channel alone gives that channel's keys.
    let mut r = Reader::new(&bytes[..]).unwrap();
    let only: Vec<char> = scan::decode_keys(&mut r, Some(2))
        .unwrap()
        .iter()
        .map(|k| k.press.key.to_char())
        .collect();
    let want2: Vec<char> = truth.iter().filter(|t| t.1 == 2).map(|t| t.2).collect();
    assert_eq!(only, want2);
}
