//! No heap allocation per frame: a counting global allocator (the suite's) around
//! the frame loops of `Detector::process` (i16, f32, μ-law, A-law), of the multi-channel
//! path and of `Redactor::process`; and the detector's size.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;
use touchtone::multi::MultiDetector;
use touchtone::{g711, Detector, DetectorConfig, Event, Generator, GeneratorConfig, Plan};

struct Counting;

thread_local! {
    /// Allocations made by this thread (the test harness allocates in its own threads
    /// while a test runs, so a global counter would see those too).
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    ALLOCS.with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to the system allocator unchanged; only a counter is added.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made while running `f`.
fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCS.with(Cell::get);
    f();
    ALLOCS.with(Cell::get) - before
}

fn keys(rate: u32) -> Vec<i16> {
    Generator::new(GeneratorConfig {
        sample_rate: rate,
        ..Default::default()
    })
    .unwrap()
    .render_str("1A*#")
    .unwrap()
}

/// The allocator does count: a sanity check that makes the zero-counts meaningful.
#[test]
fn counter_sees_allocations() {
    let n = allocations(|| {
        let v = std::hint::black_box(vec![1u8; 100]);
        drop(v);
    });
    assert!(n >= 1, "the counting allocator saw {n} allocations");
}

#[test]
fn process_does_not_allocate() {
    for rate in [8000, 16000, 48000] {
        let x = keys(rate);
        let xf: Vec<f32> = x.iter().map(|&v| v as f32 / 32768.0).collect();
        let xu: Vec<u8> = x.iter().map(|&v| g711::linear_to_ulaw(v)).collect();
        let xa: Vec<u8> = x.iter().map(|&v| g711::linear_to_alaw(v)).collect();
        let mut det = Detector::new(DetectorConfig::with_rate(rate)).unwrap();
        let mut events = [0usize; 4];
        for frame in [1usize, 7, 160, 1000, x.len()] {
            let n = allocations(|| {
                for f in x.chunks(frame) {
                    det.process(f, |_| events[0] += 1);
                }
                det.finish(|_| events[0] += 1);
                for f in xf.chunks(frame) {
                    det.process(f, |_| events[1] += 1);
                }
                det.finish(|_| events[1] += 1);
                for f in xu.chunks(frame) {
                    det.process_ulaw(f, |_| events[2] += 1);
                }
                det.finish(|_| events[2] += 1);
                for f in xa.chunks(frame) {
                    det.process_alaw(f, |_| events[3] += 1);
                }
                det.finish(|_| events[3] += 1);
            });
            assert_eq!(n, 0, "{rate} Hz, frames of {frame}: {n} allocations");
        }
        // The loops did real work: 4 keys, down and up, for each of 5 frame sizes.
        for (i, &e) in events.iter().enumerate() {
            assert_eq!(e, 5 * 8, "{rate} Hz, input {i}: {e} events");
        }
    }
}

#[test]
fn multi_channel_does_not_allocate_after_construction() {
    let x = keys(8000);
    let n_ch = 8;
    let plan = Arc::new(Plan::new(DetectorConfig::default()).unwrap());
    let mut multi = MultiDetector::new(plan, n_ch);
    let frame = 160;
    let frames = x.len() / frame;
    let mut planar = vec![0i16; n_ch * frame];
    let mut interleaved = vec![0i16; n_ch * frame];
    let mut ups = vec![0usize; n_ch];
    let n = allocations(|| {
        for f in 0..frames {
            let src = &x[f * frame..(f + 1) * frame];
            for c in 0..n_ch {
                planar[c * frame..(c + 1) * frame].copy_from_slice(src);
            }
            multi
                .process_planar(&planar, |c, ev| {
                    if let Event::KeyUp { .. } = ev {
                        ups[c] += 1
                    }
                })
                .unwrap();
        }
        multi.finish(|c, ev| {
            if let Event::KeyUp { .. } = ev {
                ups[c] += 1
            }
        });
        for f in 0..frames {
            for (i, &s) in x[f * frame..(f + 1) * frame].iter().enumerate() {
                interleaved[i * n_ch..(i + 1) * n_ch].fill(s);
            }
            multi
                .process_interleaved(&interleaved, |c, ev| {
                    if let Event::KeyUp { .. } = ev {
                        ups[c] += 1
                    }
                })
                .unwrap();
        }
        multi.finish(|c, ev| {
            if let Event::KeyUp { .. } = ev {
                ups[c] += 1
            }
        });
    });
    assert_eq!(n, 0, "multi-channel path: {n} allocations");
    assert_eq!(ups, vec![8; n_ch], "each channel decodes its 4 keys twice");
}

/// The state per channel: the tick being assembled, the window's ticks, the tick and window
/// histories, the tone in progress.
#[test]
fn detector_state_is_at_most_656_bytes() {
    let size = std::mem::size_of::<Detector>();
    assert!(size <= 656, "Detector is {size} bytes");
}

/// The gather `Driver` in a call's steady state: frames in all four formats carrying keys,
/// out-of-band reports (one the same press as an in-band key, one only out of band), the
/// clock moved without audio until a deadline fires, continuous recognition on. One round
/// warms the gather's own buffers (the keys it collects, its actions); the rounds after it
/// must not allocate at all.
#[test]
fn driver_does_not_allocate_per_frame() {
    use std::time::Duration;
    use touchtone::gather::KeySource;
    use touchtone::gather::{Action, ContinuousEvent, Driver, Gather, GatherConfig};
    use touchtone::Key;
    let ms = Duration::from_millis;
    // 1 2 3 4 *: 70 ms tones and pauses, key i at 70 + 140 i ms.
    let pcm = Generator::new(GeneratorConfig::default())
        .unwrap()
        .render_str("1234*")
        .unwrap();
    let pf: Vec<f32> = pcm.iter().map(|&v| v as f32 / 32768.0).collect();
    let pu: Vec<u8> = pcm.iter().map(|&v| g711::linear_to_ulaw(v)).collect();
    let pa: Vec<u8> = pcm.iter().map(|&v| g711::linear_to_alaw(v)).collect();
    // The cancel key clears the attempt; the first-key timer then fails it; a retry
    // follows: the gather runs round after round without finishing.
    let cfg = GatherConfig {
        cancel_key: Some(Key::Star),
        end_keys: Default::default(), // none
        retries: 10,
        first_key_timeout: ms(1000),
        inter_key_timeout: ms(1000),
        ..Default::default()
    };
    let mut d = Driver::new(
        Detector::new(DetectorConfig::default()).unwrap(),
        Gather::new(cfg).unwrap(),
    );
    d.start();
    d.start_continuous();
    let (mut failed, mut tones) = (0usize, 0usize);
    let mut round = |d: &mut Driver, format: usize| {
        let t0 = d.now();
        d.resume_audio_at(t0);
        for (i, range) in (0..pcm.len())
            .step_by(160)
            .map(|s| s..(s + 160).min(pcm.len()))
            .enumerate()
        {
            match i {
                // 80 ms: a 9 only out of band (10-60 ms).
                4 => d.key_press(Key::K9, t0 + ms(10), Some(t0 + ms(60)), KeySource::Rfc4733),
                // 300 ms: the RFC 4733 copy of the in-band 2 (210-280 ms).
                15 => d.key_press(
                    Key::K2,
                    t0 + ms(212),
                    Some(t0 + ms(282)),
                    KeySource::Rfc4733,
                ),
                _ => {}
            }
            match format {
                0 => d.process(&pcm[range]),
                1 => d.process(&pf[range]),
                2 => d.process_ulaw(&pu[range]),
                _ => d.process_alaw(&pa[range]),
            }
            while let Some(a) = d.poll_action() {
                failed += usize::from(matches!(a, Action::AttemptFailed { .. }));
            }
            while let Some(e) = d.poll_continuous() {
                tones += usize::from(matches!(e, ContinuousEvent::ToneReceived { .. }));
            }
        }
        // 1.5 s without audio: the first-key timer (from the * up at ~700 ms) fires at
        // ~1700 ms; the retry's (to ~2700 ms) is met by the next round's first key.
        let end = d.now();
        for step in 1..=75 {
            d.advance_to(end + ms(20 * step));
            while let Some(a) = d.poll_action() {
                failed += usize::from(matches!(a, Action::AttemptFailed { .. }));
            }
        }
    };
    round(&mut d, 0); // warm-up
    let n = allocations(|| {
        for format in 0..4 {
            round(&mut d, format);
        }
    });
    assert_eq!(n, 0, "driver: {n} allocations");
    // The rounds did real work: each one's attempt failed once, and continuous
    // recognition saw 9 1 2 3 4 * (the 2 once).
    assert_eq!((failed, tones), (5, 5 * 6));
}

/// No allocation in `Redactor::process` either, for i16, f32 and μ-law, with keys in the
/// stream so that spans are opened, closed and reported inside the frame loops.
#[test]
fn redactor_process_does_not_allocate() {
    use touchtone::redact::{Fill, RedactConfig, Redactor};
    let pcm = Generator::new(GeneratorConfig::default())
        .unwrap()
        .render_str("4111111111111111")
        .unwrap();
    let f32s: Vec<f32> = pcm.iter().map(|&v| f32::from(v) / 32768.0).collect();
    let ulaw: Vec<u8> = pcm.iter().map(|&v| g711::linear_to_ulaw(v)).collect();
    let cfg = RedactConfig {
        fill: Fill::Noise,
        ..Default::default()
    };
    for det in [
        DetectorConfig::standard(8000),
        DetectorConfig::relaxed(8000),
    ] {
        // Redacted in place: fresh copies for each profile.
        let (mut pcm, mut f32s, mut ulaw) = (pcm.clone(), f32s.clone(), ulaw.clone());
        let mut a = Redactor::<i16>::new(det.clone(), cfg.clone()).unwrap();
        let mut b = Redactor::<f32>::new(det.clone(), cfg.clone()).unwrap();
        let mut c = Redactor::ulaw(det, cfg.clone()).unwrap();
        let mut spans = 0;
        let n = allocations(|| {
            for f in pcm.chunks_mut(160) {
                a.process(f, |_| spans += 1);
            }
            for f in f32s.chunks_mut(37) {
                b.process(f, |_| spans += 1);
            }
            for f in ulaw.chunks_mut(1000) {
                c.process(f, |_| spans += 1);
            }
        });
        // Every key is reported inside the loops (the generator's last pause, 70 ms,
        // outlasts the detector's key-up decision).
        assert_eq!(spans, 3 * 16);
        assert_eq!(n, 0, "{n} allocations in the frame loops");
        a.finish(|_| {});
        b.finish(|_| {});
        c.finish(|_| {});
    }
}
