//! The C API called as C would call it: keys, edges and levels against generated truth,
//! streaming against one-shot, and every documented error for NULL pointers, bad lengths
//! and bad settings.

use std::ffi::{c_void, CStr};
use std::ptr;

use touchtone::g711::{linear_to_alaw, linear_to_ulaw};
use touchtone::{Generator, GeneratorConfig};
use touchtone_ffi::*;

const KEYS: &str = "159D*#0A";
const TONE_MS: f64 = 70.0;
const PAUSE_MS: f64 = 70.0;
const LEVEL: f64 = -10.0;

fn generate(rate: u32, keys: &str) -> Vec<i16> {
    Generator::new(GeneratorConfig {
        sample_rate: rate,
        tone_ms: TONE_MS,
        pause_ms: PAUSE_MS,
        level_dbm0: LEVEL,
        ..Default::default()
    })
    .unwrap()
    .render_str(keys)
    .unwrap()
}

/// The generator's truth: key `i` starts after `i + 1` pauses and `i` tones.
fn truth_ms(i: usize) -> (f64, f64) {
    let start = PAUSE_MS + i as f64 * (TONE_MS + PAUSE_MS);
    (start, start + TONE_MS)
}

fn decode(data: *const c_void, len: usize, encoding: u32, rate: u32) -> Vec<TouchtoneKeyPress> {
    let mut count = 0usize;
    let st = unsafe {
        touchtone_decode(
            data,
            len,
            encoding,
            rate,
            TOUCHTONE_PROFILE_STANDARD,
            ptr::null_mut(),
            0,
            &mut count,
        )
    };
    assert!(
        st == TOUCHTONE_OK || st == TOUCHTONE_ERR_BUFFER_TOO_SMALL,
        "status {st}"
    );
    let mut out = vec![blank_press(); count];
    let mut again = usize::MAX;
    let st = unsafe {
        touchtone_decode(
            data,
            len,
            encoding,
            rate,
            TOUCHTONE_PROFILE_STANDARD,
            out.as_mut_ptr(),
            out.len(),
            &mut again,
        )
    };
    assert_eq!(st, TOUCHTONE_OK);
    assert_eq!(again, count);
    out
}

fn blank_press() -> TouchtoneKeyPress {
    TouchtoneKeyPress {
        key: 0,
        start: 0,
        end: 0,
        start_ms: 0.0,
        end_ms: 0.0,
        low_dbm0: 0.0,
        high_dbm0: 0.0,
    }
}

fn keys_of(presses: &[TouchtoneKeyPress]) -> String {
    presses.iter().map(|p| p.key as u8 as char).collect()
}

fn check_against_truth(presses: &[TouchtoneKeyPress], rate: u32, level_tolerance_db: f32) {
    assert_eq!(keys_of(presses), KEYS, "at {rate} Hz");
    for (i, p) in presses.iter().enumerate() {
        let (start, end) = truth_ms(i);
        assert!(
            (p.start_ms - start).abs() <= 10.0,
            "key {i} start {} vs {start} ms",
            p.start_ms
        );
        assert!(
            (p.end_ms - end).abs() <= 10.0,
            "key {i} end {} vs {end} ms",
            p.end_ms
        );
        assert!((p.start as f64 * 1000.0 / f64::from(rate) - p.start_ms).abs() < 1e-6);
        for level in [p.low_dbm0, p.high_dbm0] {
            assert!(
                (level - LEVEL as f32).abs() <= level_tolerance_db,
                "key {i} level {level} vs {LEVEL} dBm0"
            );
        }
    }
}

#[test]
fn one_shot_decode_finds_the_generated_keys_edges_and_levels() {
    for rate in [8000, 16000, 44100, 48000] {
        let pcm = generate(rate, KEYS);
        let presses = decode(pcm.as_ptr().cast(), pcm.len(), TOUCHTONE_ENCODING_S16, rate);
        check_against_truth(&presses, rate, 1.0);
    }
}

#[test]
fn g711_buffers_decode_like_linear() {
    let pcm = generate(8000, KEYS);
    let ulaw: Vec<u8> = pcm.iter().map(|&s| linear_to_ulaw(s)).collect();
    let alaw: Vec<u8> = pcm.iter().map(|&s| linear_to_alaw(s)).collect();
    // G.711 quantisation moves a -10 dBm0 level by well under 0.5 dB.
    let presses = decode(
        ulaw.as_ptr().cast(),
        ulaw.len(),
        TOUCHTONE_ENCODING_ULAW,
        8000,
    );
    check_against_truth(&presses, 8000, 1.0);
    let presses = decode(
        alaw.as_ptr().cast(),
        alaw.len(),
        TOUCHTONE_ENCODING_ALAW,
        8000,
    );
    check_against_truth(&presses, 8000, 1.0);
}

unsafe extern "C" fn collect(event: *const TouchtoneEvent, user: *mut c_void) {
    let log = &mut *user.cast::<Vec<TouchtoneEvent>>();
    log.push(*event);
}

#[derive(Clone, Copy)]
enum Enc {
    S16,
    Ulaw,
    Alaw,
}

fn stream(rate: u32, pcm: &[i16], frame: usize, enc: Enc) -> Vec<TouchtoneEvent> {
    let mut det: *mut TouchtoneDetector = ptr::null_mut();
    assert_eq!(
        unsafe { touchtone_detector_new(rate, TOUCHTONE_PROFILE_STANDARD, &mut det) },
        TOUCHTONE_OK
    );
    assert!(!det.is_null());
    let mut log: Vec<TouchtoneEvent> = Vec::new();
    let user = (&mut log as *mut Vec<TouchtoneEvent>).cast::<c_void>();
    for chunk in pcm.chunks(frame) {
        let st = unsafe {
            match enc {
                Enc::S16 => touchtone_detector_process_s16(
                    det,
                    chunk.as_ptr(),
                    chunk.len(),
                    Some(collect),
                    user,
                ),
                Enc::Ulaw => {
                    let b: Vec<u8> = chunk.iter().map(|&s| linear_to_ulaw(s)).collect();
                    touchtone_detector_process_ulaw(det, b.as_ptr(), b.len(), Some(collect), user)
                }
                Enc::Alaw => {
                    let b: Vec<u8> = chunk.iter().map(|&s| linear_to_alaw(s)).collect();
                    touchtone_detector_process_alaw(det, b.as_ptr(), b.len(), Some(collect), user)
                }
            }
        };
        assert_eq!(st, TOUCHTONE_OK);
    }
    let mut pos = 0u64;
    assert_eq!(
        unsafe { touchtone_detector_position(det, &mut pos) },
        TOUCHTONE_OK
    );
    assert_eq!(pos, pcm.len() as u64);
    assert_eq!(
        unsafe { touchtone_detector_finish(det, Some(collect), user) },
        TOUCHTONE_OK
    );
    unsafe { touchtone_detector_free(det) };
    log
}

#[test]
fn streaming_events_match_one_shot_for_any_framing() {
    let rate = 16000;
    let mut pcm = generate(rate, KEYS);
    // End on a key that is still down: finish must report it.
    pcm.extend(
        generate(rate, "7")
            .iter()
            .take((PAUSE_MS + TONE_MS) as usize * 16),
    );
    let one_shot = decode(pcm.as_ptr().cast(), pcm.len(), TOUCHTONE_ENCODING_S16, rate);
    assert_eq!(keys_of(&one_shot), format!("{KEYS}7"));
    for frame in [1, 160, 320, 1000, pcm.len()] {
        let log = stream(rate, &pcm, frame, Enc::S16);
        let downs: Vec<&TouchtoneEvent> = log
            .iter()
            .filter(|e| e.kind == TOUCHTONE_KEY_DOWN)
            .collect();
        let ups: Vec<&TouchtoneEvent> = log.iter().filter(|e| e.kind == TOUCHTONE_KEY_UP).collect();
        assert_eq!(downs.len(), one_shot.len(), "frame {frame}");
        assert_eq!(ups.len(), one_shot.len(), "frame {frame}");
        for ((d, u), p) in downs.iter().zip(&ups).zip(&one_shot) {
            assert_eq!((d.key, u.key), (p.key, p.key));
            assert_eq!((u.start, u.end), (p.start, p.end));
            assert_eq!((u.low_dbm0, u.high_dbm0), (p.low_dbm0, p.high_dbm0));
            assert_eq!(d.end, 0);
            // Key down is decided within 50 ms of the tone's start, before its key up.
            let latency_ms = (d.decided_at - d.start) as f64 * 1000.0 / f64::from(rate);
            assert!(latency_ms <= 50.0, "latency {latency_ms} ms");
            assert!(d.decided_at <= u.decided_at);
        }
    }
}

#[test]
fn streaming_g711_matches_linear_keys() {
    let pcm = generate(8000, KEYS);
    for enc in [Enc::Ulaw, Enc::Alaw] {
        let log = stream(8000, &pcm, 160, enc);
        let keys: String = log
            .iter()
            .filter(|e| e.kind == TOUCHTONE_KEY_UP)
            .map(|e| e.key as u8 as char)
            .collect();
        assert_eq!(keys, KEYS);
    }
}

#[test]
fn garbage_then_keys_still_decodes() {
    // Full-scale pseudo-random bytes, then a clean key sequence: the keys still come out.
    let mut noise = 0x1234_5678u32;
    let mut bytes: Vec<u8> = (0..8000)
        .map(|_| {
            noise ^= noise << 13;
            noise ^= noise >> 17;
            noise ^= noise << 5;
            noise as u8
        })
        .collect();
    let pcm = generate(8000, KEYS);
    bytes.extend(pcm.iter().map(|&s| linear_to_ulaw(s)));
    let presses = decode(
        bytes.as_ptr().cast(),
        bytes.len(),
        TOUCHTONE_ENCODING_ULAW,
        8000,
    );
    let keys = keys_of(&presses);
    assert!(keys.ends_with(KEYS), "decoded {keys:?}");
}

#[test]
fn too_small_output_reports_the_count_needed_and_fills_what_fits() {
    let pcm = generate(8000, KEYS);
    let full = decode(pcm.as_ptr().cast(), pcm.len(), TOUCHTONE_ENCODING_S16, 8000);
    let mut out = vec![blank_press(); 3];
    let mut count = 0;
    let st = unsafe {
        touchtone_decode(
            pcm.as_ptr().cast(),
            pcm.len(),
            TOUCHTONE_ENCODING_S16,
            8000,
            TOUCHTONE_PROFILE_STANDARD,
            out.as_mut_ptr(),
            out.len(),
            &mut count,
        )
    };
    assert_eq!(st, TOUCHTONE_ERR_BUFFER_TOO_SMALL);
    assert_eq!(count, KEYS.len());
    assert_eq!(out[..], full[..3]);
}

#[test]
fn generate_renders_pause_tone_layout_and_reports_size() {
    let rate = 8000;
    let keys = c"123";
    let mut needed = 0;
    let st = unsafe {
        touchtone_generate(
            keys.as_ptr(),
            rate,
            TONE_MS,
            PAUSE_MS,
            LEVEL,
            ptr::null_mut(),
            0,
            &mut needed,
        )
    };
    assert_eq!(st, TOUCHTONE_ERR_BUFFER_TOO_SMALL);
    // A pause, then three (tone + pause): 70 ms = 560 samples at 8 kHz.
    assert_eq!(needed, 560 + 3 * (560 + 560));
    let mut pcm = vec![0i16; needed];
    let mut len = 0;
    let st = unsafe {
        touchtone_generate(
            keys.as_ptr(),
            rate,
            TONE_MS,
            PAUSE_MS,
            LEVEL,
            pcm.as_mut_ptr(),
            pcm.len(),
            &mut len,
        )
    };
    assert_eq!((st, len), (TOUCHTONE_OK, needed));
    assert!(
        pcm[..560].iter().all(|&s| s == 0),
        "leading pause is silent"
    );
    assert!(
        pcm[560..1120].iter().any(|&s| s != 0),
        "first tone is there"
    );
    let presses = decode(pcm.as_ptr().cast(), pcm.len(), TOUCHTONE_ENCODING_S16, rate);
    assert_eq!(keys_of(&presses), "123");
}

#[test]
fn version_and_messages() {
    let v = unsafe { CStr::from_ptr(touchtone_version()) };
    assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    let codes = [
        TOUCHTONE_OK,
        TOUCHTONE_ERR_NULL,
        TOUCHTONE_ERR_LENGTH,
        TOUCHTONE_ERR_ALIGNMENT,
        TOUCHTONE_ERR_SAMPLE_RATE,
        TOUCHTONE_ERR_PROFILE,
        TOUCHTONE_ERR_ENCODING,
        TOUCHTONE_ERR_BUFFER_TOO_SMALL,
        TOUCHTONE_ERR_KEY,
        TOUCHTONE_ERR_ARGUMENT,
        TOUCHTONE_ERR_PANIC,
    ];
    let unknown = unsafe { CStr::from_ptr(touchtone_strerror(12345)) };
    assert_eq!(unknown.to_str().unwrap(), "unknown status code");
    let mut seen = std::collections::HashSet::new();
    for c in codes {
        let m = unsafe { CStr::from_ptr(touchtone_strerror(c)) }
            .to_str()
            .unwrap();
        assert_ne!(m, "unknown status code", "code {c}");
        assert!(seen.insert(m), "message of {c} repeated");
    }
    let m = unsafe { CStr::from_ptr(touchtone_strerror(TOUCHTONE_ERR_PROFILE)) };
    assert_eq!(
        m.to_str().unwrap(),
        "unknown profile (use TOUCHTONE_PROFILE_*)"
    );
}

unsafe extern "C" fn never(_: *const TouchtoneEvent, _: *mut c_void) {
    panic!("no event expected");
}

#[test]
fn null_pointers_and_bad_lengths_are_errors() {
    let mut det: *mut TouchtoneDetector = ptr::null_mut();
    unsafe {
        assert_eq!(
            touchtone_detector_new(8000, TOUCHTONE_PROFILE_STANDARD, ptr::null_mut()),
            TOUCHTONE_ERR_NULL
        );
        assert_eq!(
            touchtone_detector_new(8000, TOUCHTONE_PROFILE_STANDARD, &mut det),
            TOUCHTONE_OK
        );
        let samples = [0i16; 8];
        let bytes = [0xffu8; 8];
        let null_det: *mut TouchtoneDetector = ptr::null_mut();
        let cb = Some(never as unsafe extern "C" fn(_, _));
        let user = ptr::null_mut();
        // NULL detector, NULL callback, NULL buffer with a length.
        assert_eq!(
            touchtone_detector_process_s16(null_det, samples.as_ptr(), 8, cb, user),
            TOUCHTONE_ERR_NULL
        );
        assert_eq!(
            touchtone_detector_process_s16(det, samples.as_ptr(), 8, None, user),
            TOUCHTONE_ERR_NULL
        );
        assert_eq!(
            touchtone_detector_process_s16(det, ptr::null(), 8, cb, user),
            TOUCHTONE_ERR_NULL
        );
        assert_eq!(
            touchtone_detector_process_ulaw(det, ptr::null(), 8, cb, user),
            TOUCHTONE_ERR_NULL
        );
        assert_eq!(
            touchtone_detector_process_alaw(null_det, bytes.as_ptr(), 8, cb, user),
            TOUCHTONE_ERR_NULL
        );
        assert_eq!(
            touchtone_detector_finish(null_det, cb, user),
            TOUCHTONE_ERR_NULL
        );
        assert_eq!(
            touchtone_detector_finish(det, None, user),
            TOUCHTONE_ERR_NULL
        );
        assert_eq!(touchtone_detector_reset(null_det), TOUCHTONE_ERR_NULL);
        assert_eq!(
            touchtone_detector_position(det, ptr::null_mut()),
            TOUCHTONE_ERR_NULL
        );
        // NULL with length 0 is an empty frame.
        assert_eq!(
            touchtone_detector_process_s16(det, ptr::null(), 0, cb, user),
            TOUCHTONE_OK
        );
        // Lengths no buffer can have, and a misaligned int16_t pointer: refused before any
        // read.
        assert_eq!(
            touchtone_detector_process_s16(det, samples.as_ptr(), usize::MAX, cb, user),
            TOUCHTONE_ERR_LENGTH
        );
        assert_eq!(
            touchtone_detector_process_s16(det, samples.as_ptr(), usize::MAX / 2 + 1, cb, user),
            TOUCHTONE_ERR_LENGTH
        );
        assert_eq!(
            touchtone_detector_process_ulaw(det, bytes.as_ptr(), usize::MAX, cb, user),
            TOUCHTONE_ERR_LENGTH
        );
        let odd = bytes.as_ptr().add(1).cast::<i16>();
        let odd = if (odd as usize) % 2 == 1 {
            odd
        } else {
            bytes.as_ptr().cast()
        };
        assert_eq!(
            touchtone_detector_process_s16(det, odd, 2, cb, user),
            TOUCHTONE_ERR_ALIGNMENT
        );
        // The detector still works after all that (silence: no events, position 0).
        let mut pos = 1;
        assert_eq!(touchtone_detector_position(det, &mut pos), TOUCHTONE_OK);
        assert_eq!(pos, 0);
        assert_eq!(touchtone_detector_reset(det), TOUCHTONE_OK);
        touchtone_detector_free(det);
        touchtone_detector_free(ptr::null_mut());

        // One-shot decode.
        let mut count = 99;
        let mut out = [blank_press(); 2];
        assert_eq!(
            touchtone_decode(
                samples.as_ptr().cast(),
                8,
                0,
                8000,
                0,
                out.as_mut_ptr(),
                2,
                ptr::null_mut()
            ),
            TOUCHTONE_ERR_NULL
        );
        assert_eq!(
            touchtone_decode(ptr::null(), 8, 0, 8000, 0, out.as_mut_ptr(), 2, &mut count),
            TOUCHTONE_ERR_NULL
        );
        assert_eq!(count, 0, "count is zeroed on error");
        assert_eq!(
            touchtone_decode(
                samples.as_ptr().cast(),
                8,
                0,
                8000,
                0,
                ptr::null_mut(),
                2,
                &mut count
            ),
            TOUCHTONE_ERR_NULL
        );
        assert_eq!(
            touchtone_decode(
                samples.as_ptr().cast(),
                usize::MAX,
                0,
                8000,
                0,
                out.as_mut_ptr(),
                2,
                &mut count
            ),
            TOUCHTONE_ERR_LENGTH
        );
        assert_eq!(
            touchtone_decode(
                samples.as_ptr().cast(),
                8,
                0,
                8000,
                0,
                out.as_mut_ptr(),
                usize::MAX,
                &mut count
            ),
            TOUCHTONE_ERR_LENGTH
        );
        assert_eq!(
            touchtone_decode(ptr::null(), 0, 0, 8000, 0, ptr::null_mut(), 0, &mut count),
            TOUCHTONE_OK
        );
        assert_eq!(count, 0);

        // Generator.
        let mut len = 0;
        let mut pcm = [0i16; 4];
        assert_eq!(
            touchtone_generate(
                ptr::null(),
                8000,
                70.0,
                70.0,
                -10.0,
                pcm.as_mut_ptr(),
                4,
                &mut len
            ),
            TOUCHTONE_ERR_NULL
        );
        assert_eq!(
            touchtone_generate(
                c"1".as_ptr(),
                8000,
                70.0,
                70.0,
                -10.0,
                pcm.as_mut_ptr(),
                4,
                ptr::null_mut()
            ),
            TOUCHTONE_ERR_NULL
        );
        assert_eq!(
            touchtone_generate(
                c"1".as_ptr(),
                8000,
                70.0,
                70.0,
                -10.0,
                ptr::null_mut(),
                4,
                &mut len
            ),
            TOUCHTONE_ERR_NULL
        );
    }
}

#[test]
fn bad_settings_are_errors() {
    unsafe {
        let mut det: *mut TouchtoneDetector = 1usize as *mut TouchtoneDetector;
        for (rate, profile, want) in [
            (7999, TOUCHTONE_PROFILE_STANDARD, TOUCHTONE_ERR_SAMPLE_RATE),
            (96000, TOUCHTONE_PROFILE_STANDARD, TOUCHTONE_ERR_SAMPLE_RATE),
            (0, TOUCHTONE_PROFILE_STANDARD, TOUCHTONE_ERR_SAMPLE_RATE),
            (7999, TOUCHTONE_PROFILE_RELAXED, TOUCHTONE_ERR_SAMPLE_RATE),
            (8000, 2, TOUCHTONE_ERR_PROFILE),
            (8000, 7, TOUCHTONE_ERR_PROFILE),
        ] {
            assert_eq!(
                touchtone_detector_new(rate, profile, &mut det),
                want,
                "{rate} {profile}"
            );
            assert!(det.is_null(), "*out is NULL after an error");
        }
        let samples = [0i16; 8];
        let mut count = 0;
        let mut decode = |enc, rate, profile| {
            touchtone_decode(
                samples.as_ptr().cast(),
                8,
                enc,
                rate,
                profile,
                ptr::null_mut(),
                0,
                &mut count,
            )
        };
        assert_eq!(decode(3, 8000, 0), TOUCHTONE_ERR_ENCODING);
        assert_eq!(decode(0, 48001, 0), TOUCHTONE_ERR_SAMPLE_RATE);
        assert_eq!(decode(0, 8000, 2), TOUCHTONE_ERR_PROFILE);
        assert_eq!(decode(0, 8000, TOUCHTONE_PROFILE_RELAXED), TOUCHTONE_OK);

        let mut len = 0;
        let mut gen = |keys: &CStr, rate, tone, level| {
            touchtone_generate(
                keys.as_ptr(),
                rate,
                tone,
                70.0,
                level,
                ptr::null_mut(),
                0,
                &mut len,
            )
        };
        assert_eq!(gen(c"12x", 8000, 70.0, -10.0), TOUCHTONE_ERR_KEY);
        assert_eq!(gen(c"\xff", 8000, 70.0, -10.0), TOUCHTONE_ERR_KEY);
        assert_eq!(gen(c"1", 4000, 70.0, -10.0), TOUCHTONE_ERR_SAMPLE_RATE);
        assert_eq!(gen(c"1", 8000, f64::NAN, -10.0), TOUCHTONE_ERR_ARGUMENT);
        assert_eq!(gen(c"1", 8000, -1.0, -10.0), TOUCHTONE_ERR_ARGUMENT);
        assert_eq!(gen(c"1", 8000, 70.0, 30.0), TOUCHTONE_ERR_ARGUMENT);
    }
}

/// Keys in `pcm` found by `touchtone_decode` with `profile`, and those found by a
/// streaming detector with the same profile (fed in 160-sample frames).
fn decode_both(pcm: &[i16], rate: u32, profile: u32) -> (String, String) {
    let mut out = vec![blank_press(); 16];
    let mut count = 0usize;
    let st = unsafe {
        touchtone_decode(
            pcm.as_ptr().cast(),
            pcm.len(),
            TOUCHTONE_ENCODING_S16,
            rate,
            profile,
            out.as_mut_ptr(),
            out.len(),
            &mut count,
        )
    };
    assert_eq!(st, TOUCHTONE_OK);
    let one_shot = keys_of(&out[..count]);

    unsafe extern "C" fn push(ev: *const TouchtoneEvent, user: *mut c_void) {
        let ev = unsafe { &*ev };
        if ev.kind == TOUCHTONE_KEY_UP {
            unsafe { &mut *user.cast::<String>() }.push(ev.key as u8 as char);
        }
    }
    let mut det: *mut TouchtoneDetector = ptr::null_mut();
    let mut streamed = String::new();
    let user = (&mut streamed as *mut String).cast::<c_void>();
    unsafe {
        assert_eq!(
            touchtone_detector_new(rate, profile, &mut det),
            TOUCHTONE_OK
        );
        for frame in pcm.chunks(160) {
            assert_eq!(
                touchtone_detector_process_s16(det, frame.as_ptr(), frame.len(), Some(push), user),
                TOUCHTONE_OK
            );
        }
        assert_eq!(
            touchtone_detector_finish(det, Some(push), user),
            TOUCHTONE_OK
        );
        touchtone_detector_free(det);
    }
    (one_shot, streamed)
}

#[test]
fn relaxed_profile_accepts_the_reverse_twist_standard_rejects() {
    // The low tone 16 dB weaker than the high one (low −18 dBm0, high −2 dBm0): past the
    // standard profile's 6 dB reverse-twist limit, inside the relaxed profile's 18 dB.
    // Keys of the 770 Hz row are left out: under this twist the loud high tone disturbs
    // the measurement of their low tone (tests/field.rs, the ignored key-4 test).
    let keys = "1379*#AD";
    for rate in [8000, 16000, 44100] {
        let pcm = Generator::new(GeneratorConfig {
            sample_rate: rate,
            tone_ms: TONE_MS,
            pause_ms: PAUSE_MS,
            level_dbm0: LEVEL,
            twist_db: -16.0,
        })
        .unwrap()
        .render_str(keys)
        .unwrap();
        let (one, streamed) = decode_both(&pcm, rate, TOUCHTONE_PROFILE_STANDARD);
        assert_eq!(
            (one.as_str(), streamed.as_str()),
            ("", ""),
            "standard at {rate}"
        );
        let (one, streamed) = decode_both(&pcm, rate, TOUCHTONE_PROFILE_RELAXED);
        assert_eq!(
            (one.as_str(), streamed.as_str()),
            (keys, keys),
            "relaxed at {rate}"
        );
    }
    // Both profiles agree on an ordinary key.
    let pcm = generate(8000, KEYS);
    for profile in [TOUCHTONE_PROFILE_STANDARD, TOUCHTONE_PROFILE_RELAXED] {
        let (one, streamed) = decode_both(&pcm, 8000, profile);
        assert_eq!(
            (one.as_str(), streamed.as_str()),
            (KEYS, KEYS),
            "profile {profile}"
        );
    }
}
