//! No heap allocation per frame: a counting global allocator (this test binary only) around
//! the frame loops of `Detector::process` (i16, f32, μ-law, A-law) and of the multi-channel
//! path; and the detector's size.

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

#[test]
fn detector_state_is_at_most_512_bytes() {
    let size = std::mem::size_of::<Detector>();
    assert!(size <= 512, "Detector is {size} bytes");
}
