//! Running the detector over a rendered signal, and what the run produced.

use super::{Format, Input, Signal};
use touchtone::{Detector, DetectorConfig, Event, Key, KeyPress};

/// What a run produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// Every event in order.
    pub events: Vec<Event>,
}

/// A `KeyDown` seen in a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Down {
    /// The key.
    pub key: Key,
    /// Its estimated start.
    pub start: u64,
    /// Where it was decided.
    pub decided_at: u64,
}

impl Run {
    /// The complete keys (from `KeyUp`), in order.
    pub fn presses(&self) -> Vec<KeyPress> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::KeyUp { press, .. } => Some(*press),
                _ => None,
            })
            .collect()
    }

    /// The `KeyUp` events with their decision instants.
    pub fn ups(&self) -> Vec<(KeyPress, u64)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::KeyUp { press, decided_at } => Some((*press, *decided_at)),
                _ => None,
            })
            .collect()
    }

    /// The `KeyDown` events.
    pub fn downs(&self) -> Vec<Down> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::KeyDown {
                    key,
                    start,
                    decided_at,
                    ..
                } => Some(Down {
                    key: *key,
                    start: *start,
                    decided_at: *decided_at,
                }),
                _ => None,
            })
            .collect()
    }

    /// Protocol errors: every `KeyDown` must be followed by exactly one `KeyUp` of the same
    /// key and start before any other `KeyDown`, and every `KeyUp` must have had its
    /// `KeyDown`.
    pub fn pairing_errors(&self, rate: u32) -> Vec<String> {
        let ms = |v: u64| v as f64 * 1000.0 / rate as f64;
        let mut errs = Vec::new();
        let mut open: Option<(Key, u64)> = None;
        for e in &self.events {
            match e {
                Event::KeyDown { key, start, .. } => {
                    if let Some((k, s)) = open {
                        errs.push(format!(
                            "KeyDown {} at {:.1} ms never got its KeyUp (next KeyDown {} at {:.1} ms)",
                            k.to_char(),
                            ms(s),
                            key.to_char(),
                            ms(*start)
                        ));
                    }
                    open = Some((*key, *start));
                }
                Event::KeyUp { press, .. } => {
                    match open {
                        Some((k, s)) if k == press.key && s == press.start => {}
                        _ => errs.push(format!(
                            "KeyUp {} at {:.1} ms without its KeyDown",
                            press.key.to_char(),
                            ms(press.start)
                        )),
                    }
                    open = None;
                }
            }
        }
        if let Some((k, s)) = open {
            errs.push(format!(
                "KeyDown {} at {:.1} ms never got its KeyUp (stream ended, finish() called)",
                k.to_char(),
                ms(s)
            ));
        }
        errs
    }

    /// The keys as a string.
    pub fn keys(&self) -> String {
        self.presses().iter().map(|p| p.key.to_char()).collect()
    }
}

/// Run a detector with `cfg` over `input`, in frames of `frame` samples (0 = the whole
/// buffer in one call), then `finish`.
///
/// # Panics
/// If the config is refused (a bug in the test).
pub fn run_cfg(cfg: DetectorConfig, input: &Input, frame: usize) -> Run {
    let mut det = Detector::new(cfg).expect("config");
    let mut events = Vec::new();
    let frame = if frame == 0 {
        input.len().max(1)
    } else {
        frame
    };
    match input {
        Input::I16(v) => v
            .chunks(frame)
            .for_each(|c| det.process(c, |e| events.push(e))),
        Input::F32(v) => v
            .chunks(frame)
            .for_each(|c| det.process(c, |e| events.push(e))),
        Input::Ulaw(v) => v
            .chunks(frame)
            .for_each(|c| det.process_ulaw(c, |e| events.push(e))),
        Input::Alaw(v) => v
            .chunks(frame)
            .for_each(|c| det.process_alaw(c, |e| events.push(e))),
    }
    det.finish(|e| events.push(e));
    Run { events }
}

thread_local! {
    /// The profile [`run`], [`run_chunked`] and [`run_signal`] use on this thread.
    static PROFILE: std::cell::Cell<fn(u32) -> DetectorConfig> =
        const { std::cell::Cell::new(DetectorConfig::standard) };
}

/// Run `body` with [`run`], [`run_chunked`] and [`run_signal`] using `profile` (e.g.
/// `DetectorConfig::relaxed`) on this thread instead of the standard profile: the same
/// test bodies check a second profile.
pub fn with_profile<R>(profile: fn(u32) -> DetectorConfig, body: impl FnOnce() -> R) -> R {
    struct Restore(fn(u32) -> DetectorConfig);
    impl Drop for Restore {
        fn drop(&mut self) {
            PROFILE.with(|p| p.set(self.0));
        }
    }
    let _restore = Restore(PROFILE.with(|p| p.replace(profile)));
    body()
}

/// The config of this thread's profile at `rate` (standard unless inside [`with_profile`]).
pub fn profile_config(rate: u32) -> DetectorConfig {
    PROFILE.with(|p| p.get())(rate)
}

/// Run with this thread's profile at `rate`, in frames of `frame` samples (0 = whole buffer).
pub fn run(rate: u32, input: &Input, frame: usize) -> Run {
    run_cfg(profile_config(rate), input, frame)
}

/// Run with chunk sizes taken in turn from `sizes` (cycled), to test arbitrary chunking.
pub fn run_chunked(rate: u32, input: &Input, sizes: &[usize]) -> Run {
    let mut det = Detector::new(profile_config(rate)).expect("config");
    let mut events = Vec::new();
    let mut pos = 0;
    let mut i = 0;
    let n = input.len();
    while pos < n {
        let len = sizes[i % sizes.len()].max(1).min(n - pos);
        let r = pos..pos + len;
        match input {
            Input::I16(v) => det.process(&v[r], |e| events.push(e)),
            Input::F32(v) => det.process(&v[r], |e| events.push(e)),
            Input::Ulaw(v) => det.process_ulaw(&v[r], |e| events.push(e)),
            Input::Alaw(v) => det.process_alaw(&v[r], |e| events.push(e)),
        }
        pos += len;
        i += 1;
    }
    det.finish(|e| events.push(e));
    Run { events }
}

/// Render `sig` in `format` and run it (160-sample frames, the RTP 20 ms frame at 8 kHz).
pub fn run_signal(sig: &Signal, format: Format) -> Run {
    run(format.rate(), &sig.render(format), 160)
}
