//! No heap allocation per frame in `Redactor::process`: a counting global allocator (this
//! test binary only) around the frame loop, for i16, f32 and μ-law, with keys in the stream
//! so that spans are opened, closed and reported inside the loop.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use touchtone::redact::{Fill, RedactConfig, Redactor};
use touchtone::{g711, DetectorConfig, Generator, GeneratorConfig};

struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every method forwards to the system allocator unchanged; only a counter is added.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocs() -> usize {
    ALLOCS.with(|c| c.get())
}

#[test]
fn process_does_not_allocate() {
    let pcm = Generator::new(GeneratorConfig::default())
        .unwrap()
        .render_str("4111111111111111")
        .unwrap();
    let mut f32s: Vec<f32> = pcm.iter().map(|&v| f32::from(v) / 32768.0).collect();
    let mut ulaw: Vec<u8> = pcm.iter().map(|&v| g711::linear_to_ulaw(v)).collect();
    let mut pcm = pcm;
    let cfg = RedactConfig {
        fill: Fill::Noise,
        ..Default::default()
    };
    let mut a = Redactor::<i16>::new(DetectorConfig::default(), cfg.clone()).unwrap();
    let mut b = Redactor::<f32>::new(DetectorConfig::default(), cfg.clone()).unwrap();
    let mut c = Redactor::ulaw(DetectorConfig::default(), cfg).unwrap();
    let mut spans = 0;
    let before = allocs();
    for f in pcm.chunks_mut(160) {
        a.process(f, |_| spans += 1);
    }
    for f in f32s.chunks_mut(37) {
        b.process(f, |_| spans += 1);
    }
    for f in ulaw.chunks_mut(1000) {
        c.process(f, |_| spans += 1);
    }
    let n = allocs() - before;
    // Every key is reported inside the loop (the generator's last pause, 70 ms, outlasts
    // the detector's key-up decision).
    assert_eq!(spans, 3 * 16);
    assert_eq!(n, 0, "{n} allocations in the frame loops");
}
