//! WAV and raw input parsing: any bytes, read in any buffer size, never panic; reads are
//! whole frames within the buffer; the declared length bounds what comes out; chunked
//! reading gives the same samples as reading all at once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use touchtone::io::{Audio, RawFormat, Reader};

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let (mode, buf_len, body) = (data[0], data[1], &data[2..]);
    let make = || -> Result<Reader<&[u8]>, touchtone::io::WavError> {
        if mode & 0x80 == 0 {
            Reader::new(body)
        } else {
            let fmt = RawFormat::ALL[usize::from(mode & 3)];
            let rate =
                [8000, 16000, 7999, 0, 48000, 48001, 11025, 44100][usize::from(mode >> 2 & 7)];
            Reader::raw(body, fmt, rate)
        }
    };
    let Ok(mut r) = make() else {
        // Error messages are formattable.
        let _ = make().unwrap_err().to_string();
        return;
    };
    let ch = usize::from(r.channels());
    assert!(ch >= 1 && ch <= 256);
    assert!((8000..=48000).contains(&r.sample_rate()));
    let declared = r.declared_frames();
    let mut buf = vec![0i16; usize::from(buf_len) + 1];
    let mut chunked = Vec::new();
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                assert!(n <= buf.len() && n % ch == 0);
                chunked.extend_from_slice(&buf[..n]);
            }
            Err(e) => {
                assert!(buf.len() < ch, "{e}");
                break;
            }
        }
    }
    if let Some(d) = declared {
        assert!(chunked.len() as u64 <= d * ch as u64);
    }
    let t = r.truncated();
    if let Some(t) = t {
        assert!(t.available < t.declared);
        let _ = t.to_string();
    }
    if buf.len() >= ch {
        let whole = Audio::from_reader(make().unwrap()).unwrap();
        assert_eq!(whole.samples, chunked);
        assert_eq!(whole.truncated, t);
        for c in 0..ch {
            assert_eq!(whole.channel(c).len(), whole.frames());
        }
    }
    // The keys of short inputs (bounded so each run stays fast).
    if body.len() < 20_000 {
        let keys = touchtone::scan::decode_keys(&mut make().unwrap(), None).unwrap();
        for k in &keys {
            assert!(k.press.start <= k.press.end);
            assert!(usize::from(k.channel) < ch);
        }
    }
});
