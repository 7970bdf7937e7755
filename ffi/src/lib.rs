//! # touchtone-ffi: the C API of touchtone
//!
//! A small C interface to the touchtone DTMF receiver and generator, built as a shared
//! library (`libtouchtone_ffi.so`), a static library (`libtouchtone_ffi.a`) and a Rust
//! library (for this crate's tests). The header `include/touchtone.h` is generated from
//! this file by `cbindgen` and committed; `tests/header.rs` fails when it is stale
//! (regenerate with `TOUCHTONE_BLESS=1 cargo test -p touchtone-ffi --test header`).
//!
//! Conventions:
//! * Every function that can fail returns an `int` status: [`TOUCHTONE_OK`] (0) or a
//!   negative `TOUCHTONE_ERR_*` code; [`touchtone_strerror`] gives its message.
//! * A NULL pointer where one is required gives [`TOUCHTONE_ERR_NULL`]; a NULL buffer with
//!   length 0 is an empty buffer. A length that cannot be a buffer in memory gives
//!   [`TOUCHTONE_ERR_LENGTH`], a misaligned `int16_t` buffer [`TOUCHTONE_ERR_ALIGNMENT`].
//! * No Rust panic crosses the boundary: one would be caught and reported as
//!   [`TOUCHTONE_ERR_PANIC`].
//! * Sample positions count from the first sample given to the detector (or in the
//!   buffer); times in milliseconds are those positions divided by the rate.
//! * A detector is not thread-safe: use one from one thread at a time. Different
//!   detectors are independent.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use touchtone::{Detector, DetectorConfig, Event, Generator, GeneratorConfig, GeneratorError};

/// Success.
pub const TOUCHTONE_OK: c_int = 0;
/// A required pointer argument is NULL.
pub const TOUCHTONE_ERR_NULL: c_int = -1;
/// A buffer length too large to be a buffer in memory.
pub const TOUCHTONE_ERR_LENGTH: c_int = -2;
/// An `int16_t` buffer that is not 2-byte aligned.
pub const TOUCHTONE_ERR_ALIGNMENT: c_int = -3;
/// A sample rate outside 8000..=48000 Hz.
pub const TOUCHTONE_ERR_SAMPLE_RATE: c_int = -4;
/// A profile number that is not a `TOUCHTONE_PROFILE_*`.
pub const TOUCHTONE_ERR_PROFILE: c_int = -5;
/// An encoding number that is not a `TOUCHTONE_ENCODING_*`.
pub const TOUCHTONE_ERR_ENCODING: c_int = -7;
/// The output buffer is too small; the count written holds the size needed.
pub const TOUCHTONE_ERR_BUFFER_TOO_SMALL: c_int = -8;
/// A key character that is not one of `0-9 A-D * #` (lower-case `a-d` are accepted).
pub const TOUCHTONE_ERR_KEY: c_int = -9;
/// A generator setting out of range (a duration not in 0..=3600000 ms, a level above
/// +20 dBm0 or not finite).
pub const TOUCHTONE_ERR_ARGUMENT: c_int = -10;
/// An internal error (a caught panic). The detector involved should be freed.
pub const TOUCHTONE_ERR_PANIC: c_int = -11;

/// The receiver's default settings: the limits of ITU-T Q.24 / Telcordia LSSGR, for a
/// live call inside the network.
pub const TOUCHTONE_PROFILE_STANDARD: u32 = 0;
/// Wider limits for recordings made outside the network (a handset recorded through the
/// air, two-way radio, short machine-dialled tones): reverse twist to 18 dB, normal twist
/// to 14 dB, tones from 20 ms, ±2 % drift, lower purity and dominance. More false keys on
/// music than the standard profile.
pub const TOUCHTONE_PROFILE_RELAXED: u32 = 1;

/// 16-bit signed linear PCM (`int16_t` samples, native byte order).
pub const TOUCHTONE_ENCODING_S16: u32 = 0;
/// G.711 μ-law, one byte per sample.
pub const TOUCHTONE_ENCODING_ULAW: u32 = 1;
/// G.711 A-law, one byte per sample.
pub const TOUCHTONE_ENCODING_ALAW: u32 = 2;

/// Event kind: a key went down (reported as soon as it is certain; use it for barge-in).
pub const TOUCHTONE_KEY_DOWN: u32 = 1;
/// Event kind: a key's tone ended; the event has the complete key.
pub const TOUCHTONE_KEY_UP: u32 = 2;

/// A streaming DTMF receiver for one channel (opaque).
pub struct TouchtoneDetector {
    det: Detector,
    rate: u32,
}

/// A detector event, passed to the callback (valid only during the call).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TouchtoneEvent {
    /// [`TOUCHTONE_KEY_DOWN`] or [`TOUCHTONE_KEY_UP`].
    pub kind: u32,
    /// The key as an ASCII character: `0-9`, `A-D`, `*` or `#`.
    pub key: c_char,
    /// Estimated first sample of the tone.
    pub start: u64,
    /// KEY_UP: estimated end of the tone (one past its last sample). KEY_DOWN: 0.
    pub end: u64,
    /// The sample position at which the detector decided (`decided_at - start` is the
    /// latency).
    pub decided_at: u64,
    /// `start` in milliseconds.
    pub start_ms: f64,
    /// `end` in milliseconds (0 for KEY_DOWN).
    pub end_ms: f64,
    /// Low-group (row) tone level, dBm0 (KEY_DOWN: measured so far; KEY_UP: over the tone).
    pub low_dbm0: f32,
    /// High-group (column) tone level, dBm0.
    pub high_dbm0: f32,
}

/// A complete key found by [`touchtone_decode`].
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TouchtoneKeyPress {
    /// The key as an ASCII character: `0-9`, `A-D`, `*` or `#`.
    pub key: c_char,
    /// Estimated first sample of the tone.
    pub start: u64,
    /// Estimated end of the tone (one past its last sample).
    pub end: u64,
    /// `start` in milliseconds.
    pub start_ms: f64,
    /// `end` in milliseconds.
    pub end_ms: f64,
    /// Low-group (row) tone level, dBm0, averaged over the tone.
    pub low_dbm0: f32,
    /// High-group (column) tone level, dBm0, averaged over the tone.
    pub high_dbm0: f32,
}

/// Called once per event with the event and the caller's `user_data`. The event pointer
/// is valid only during the call. The callback must not unwind (no C++ exception or
/// `longjmp` out of it) and must not call back into the same detector.
pub type TouchtoneEventCallback =
    Option<unsafe extern "C" fn(event: *const TouchtoneEvent, user_data: *mut c_void)>;

/// Runs `f`, turning a panic into [`TOUCHTONE_ERR_PANIC`].
fn guard(f: impl FnOnce() -> c_int) -> c_int {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(TOUCHTONE_ERR_PANIC)
}

/// The detector settings of a profile at `rate`.
fn profile_config(profile: u32, rate: u32) -> Result<DetectorConfig, c_int> {
    match profile {
        TOUCHTONE_PROFILE_STANDARD => Ok(DetectorConfig::standard(rate)),
        TOUCHTONE_PROFILE_RELAXED => Ok(DetectorConfig::relaxed(rate)),
        _ => Err(TOUCHTONE_ERR_PROFILE),
    }
}

/// A detector for `cfg`, or the status for the configuration error.
fn new_detector(cfg: DetectorConfig) -> Result<Detector, c_int> {
    Detector::new(cfg).map_err(|e| match e {
        touchtone::DetectorConfigError::SampleRate(_) => TOUCHTONE_ERR_SAMPLE_RATE,
        _ => TOUCHTONE_ERR_ARGUMENT,
    })
}

fn generator_status(e: GeneratorError) -> c_int {
    match e {
        GeneratorError::SampleRate(_) => TOUCHTONE_ERR_SAMPLE_RATE,
        GeneratorError::Key(_) => TOUCHTONE_ERR_KEY,
        _ => TOUCHTONE_ERR_ARGUMENT,
    }
}

/// The caller's buffer as a slice: NULL with length 0 is empty.
///
/// # Safety
/// A non-NULL `ptr` must point to `len` readable, initialised `T`s that stay unchanged
/// for the lifetime `'a`.
unsafe fn input<'a, T>(ptr: *const T, len: usize) -> Result<&'a [T], c_int> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(TOUCHTONE_ERR_NULL);
    }
    if len > isize::MAX as usize / std::mem::size_of::<T>().max(1) {
        return Err(TOUCHTONE_ERR_LENGTH);
    }
    if (ptr as usize) % std::mem::align_of::<T>() != 0 {
        return Err(TOUCHTONE_ERR_ALIGNMENT);
    }
    // SAFETY: `ptr` is non-null and aligned, the byte length fits in `isize`, and the
    // caller guarantees `len` readable, initialised elements.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Checks an output buffer of `cap` elements (NULL allowed only with `cap` 0).
fn check_output<T>(ptr: *mut T, cap: usize) -> Result<(), c_int> {
    if cap == 0 {
        return Ok(());
    }
    if ptr.is_null() {
        return Err(TOUCHTONE_ERR_NULL);
    }
    if cap > isize::MAX as usize / std::mem::size_of::<T>().max(1) {
        return Err(TOUCHTONE_ERR_LENGTH);
    }
    if (ptr as usize) % std::mem::align_of::<T>() != 0 {
        return Err(TOUCHTONE_ERR_ALIGNMENT);
    }
    Ok(())
}

fn key_char(key: touchtone::Key) -> c_char {
    // Every key character is ASCII.
    key.to_char() as u8 as c_char
}

fn to_c_event(ev: &Event, rate: u32) -> TouchtoneEvent {
    let ms = |s: u64| s as f64 * 1000.0 / f64::from(rate);
    match *ev {
        Event::KeyDown {
            key,
            start,
            decided_at,
            levels,
        } => TouchtoneEvent {
            kind: TOUCHTONE_KEY_DOWN,
            key: key_char(key),
            start,
            end: 0,
            decided_at,
            start_ms: ms(start),
            end_ms: 0.0,
            low_dbm0: levels.low_dbm0,
            high_dbm0: levels.high_dbm0,
        },
        Event::KeyUp { press, decided_at } => TouchtoneEvent {
            kind: TOUCHTONE_KEY_UP,
            key: key_char(press.key),
            start: press.start,
            end: press.end,
            decided_at,
            start_ms: ms(press.start),
            end_ms: ms(press.end),
            low_dbm0: press.levels.low_dbm0,
            high_dbm0: press.levels.high_dbm0,
        },
    }
}

fn to_c_press(p: &touchtone::KeyPress, rate: u32) -> TouchtoneKeyPress {
    TouchtoneKeyPress {
        key: key_char(p.key),
        start: p.start,
        end: p.end,
        start_ms: p.start_ms(rate),
        end_ms: p.end_ms(rate),
        low_dbm0: p.levels.low_dbm0,
        high_dbm0: p.levels.high_dbm0,
    }
}

/// The library's version, e.g. `"0.1.0"` (a static string; do not free).
#[no_mangle]
pub extern "C" fn touchtone_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The message of a status code (a static string; do not free). Unknown codes give
/// `"unknown status code"`.
#[no_mangle]
pub extern "C" fn touchtone_strerror(status: c_int) -> *const c_char {
    let msg: &'static CStr = match status {
        TOUCHTONE_OK => c"success",
        TOUCHTONE_ERR_NULL => c"a required pointer argument is NULL",
        TOUCHTONE_ERR_LENGTH => c"buffer length too large for the address space",
        TOUCHTONE_ERR_ALIGNMENT => c"int16_t buffer is not 2-byte aligned",
        TOUCHTONE_ERR_SAMPLE_RATE => c"sample rate is outside 8000..=48000 Hz",
        TOUCHTONE_ERR_PROFILE => c"unknown profile (use TOUCHTONE_PROFILE_*)",
        TOUCHTONE_ERR_ENCODING => c"unknown encoding (use TOUCHTONE_ENCODING_*)",
        TOUCHTONE_ERR_BUFFER_TOO_SMALL => {
            c"output buffer too small; the count written is the size needed"
        }
        TOUCHTONE_ERR_KEY => c"invalid key character (use 0-9 A-D * #)",
        TOUCHTONE_ERR_ARGUMENT => c"argument out of range",
        TOUCHTONE_ERR_PANIC => c"internal error (a panic was caught)",
        _ => c"unknown status code",
    };
    msg.as_ptr()
}

/// Creates a detector for one channel at `sample_rate` Hz (8000..=48000) with `profile`
/// (`TOUCHTONE_PROFILE_*`), and stores it in `*out` (set to NULL on error). Free it with
/// [`touchtone_detector_free`].
///
/// # Safety
/// `out` must be NULL or point to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn touchtone_detector_new(
    sample_rate: u32,
    profile: u32,
    out: *mut *mut TouchtoneDetector,
) -> c_int {
    guard(|| {
        if out.is_null() {
            return TOUCHTONE_ERR_NULL;
        }
        // SAFETY: `out` is non-null and the caller guarantees it is writable.
        unsafe { out.write(std::ptr::null_mut()) };
        let det = match profile_config(profile, sample_rate).and_then(new_detector) {
            Ok(d) => d,
            Err(status) => return status,
        };
        let boxed = Box::new(TouchtoneDetector {
            det,
            rate: sample_rate,
        });
        // SAFETY: as above.
        unsafe { out.write(Box::into_raw(boxed)) };
        TOUCHTONE_OK
    })
}

/// Frees a detector. NULL is ignored.
///
/// # Safety
/// `det` must be NULL or a pointer from [`touchtone_detector_new`] not yet freed.
#[no_mangle]
pub unsafe extern "C" fn touchtone_detector_free(det: *mut TouchtoneDetector) {
    if !det.is_null() {
        // Dropping a detector frees memory only; a panic here is not possible in practice,
        // but it is still kept on this side of the boundary.
        let _ = catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: the caller guarantees `det` came from `Box::into_raw` in
            // `touchtone_detector_new` and is freed once.
            drop(unsafe { Box::from_raw(det) });
        }));
    }
}

/// Forgets any key in progress and restarts sample positions at 0.
///
/// # Safety
/// `det` must be NULL or a live detector.
#[no_mangle]
pub unsafe extern "C" fn touchtone_detector_reset(det: *mut TouchtoneDetector) -> c_int {
    guard(|| {
        // SAFETY: the caller guarantees a live detector or NULL.
        match unsafe { det.as_mut() } {
            Some(d) => {
                d.det.reset();
                TOUCHTONE_OK
            }
            None => TOUCHTONE_ERR_NULL,
        }
    })
}

/// The number of samples processed since creation (or the last reset), in `*out`.
///
/// # Safety
/// `det` must be NULL or a live detector; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn touchtone_detector_position(
    det: *const TouchtoneDetector,
    out: *mut u64,
) -> c_int {
    guard(|| {
        // SAFETY: the caller guarantees a live detector or NULL.
        let Some(d) = (unsafe { det.as_ref() }) else {
            return TOUCHTONE_ERR_NULL;
        };
        if out.is_null() {
            return TOUCHTONE_ERR_NULL;
        }
        // SAFETY: `out` is non-null and the caller guarantees it is writable.
        unsafe { out.write(d.det.position()) };
        TOUCHTONE_OK
    })
}

enum Frame<'a> {
    S16(&'a [i16]),
    Ulaw(&'a [u8]),
    Alaw(&'a [u8]),
}

/// Feeds one frame and forwards the events to the callback.
///
/// # Safety
/// `det` NULL or live; `callback`/`user_data` as documented on [`TouchtoneEventCallback`].
unsafe fn process(
    det: *mut TouchtoneDetector,
    frame: Result<Frame<'_>, c_int>,
    callback: TouchtoneEventCallback,
    user_data: *mut c_void,
) -> c_int {
    guard(|| {
        // SAFETY: the caller guarantees a live detector or NULL.
        let Some(d) = (unsafe { det.as_mut() }) else {
            return TOUCHTONE_ERR_NULL;
        };
        let Some(cb) = callback else {
            return TOUCHTONE_ERR_NULL;
        };
        let frame = match frame {
            Ok(f) => f,
            Err(status) => return status,
        };
        let rate = d.rate;
        let emit = |ev: Event| {
            let c = to_c_event(&ev, rate);
            // SAFETY: `cb` is a C function pointer given by the caller, called with a
            // pointer to a live event and the caller's own `user_data`.
            unsafe { cb(&c, user_data) };
        };
        match frame {
            Frame::S16(s) => d.det.process(s, emit),
            Frame::Ulaw(b) => d.det.process_ulaw(b, emit),
            Frame::Alaw(b) => d.det.process_alaw(b, emit),
        }
        TOUCHTONE_OK
    })
}

/// Feeds `len` 16-bit samples (any frame length; events do not depend on the framing)
/// and calls `callback` for each event. NULL `samples` is allowed only with `len` 0.
///
/// # Safety
/// `det` NULL or a live detector; `samples` NULL or `len` readable `int16_t`s;
/// `callback` as documented on [`TouchtoneEventCallback`].
#[no_mangle]
pub unsafe extern "C" fn touchtone_detector_process_s16(
    det: *mut TouchtoneDetector,
    samples: *const i16,
    len: usize,
    callback: TouchtoneEventCallback,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: forwarded caller guarantees (the slice lives for this call only).
    unsafe {
        process(
            det,
            input(samples, len).map(Frame::S16),
            callback,
            user_data,
        )
    }
}

/// As [`touchtone_detector_process_s16`] for `len` G.711 μ-law bytes.
///
/// # Safety
/// As [`touchtone_detector_process_s16`], with `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn touchtone_detector_process_ulaw(
    det: *mut TouchtoneDetector,
    bytes: *const u8,
    len: usize,
    callback: TouchtoneEventCallback,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: forwarded caller guarantees (the slice lives for this call only).
    unsafe { process(det, input(bytes, len).map(Frame::Ulaw), callback, user_data) }
}

/// As [`touchtone_detector_process_s16`] for `len` G.711 A-law bytes.
///
/// # Safety
/// As [`touchtone_detector_process_s16`], with `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn touchtone_detector_process_alaw(
    det: *mut TouchtoneDetector,
    bytes: *const u8,
    len: usize,
    callback: TouchtoneEventCallback,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: forwarded caller guarantees (the slice lives for this call only).
    unsafe { process(det, input(bytes, len).map(Frame::Alaw), callback, user_data) }
}

/// Ends the stream: a key still on is reported (KEY_UP) through `callback`. The detector
/// is then reset (position 0) for a new stream.
///
/// # Safety
/// `det` NULL or a live detector; `callback` as documented on [`TouchtoneEventCallback`].
#[no_mangle]
pub unsafe extern "C" fn touchtone_detector_finish(
    det: *mut TouchtoneDetector,
    callback: TouchtoneEventCallback,
    user_data: *mut c_void,
) -> c_int {
    guard(|| {
        // SAFETY: the caller guarantees a live detector or NULL.
        let Some(d) = (unsafe { det.as_mut() }) else {
            return TOUCHTONE_ERR_NULL;
        };
        let Some(cb) = callback else {
            return TOUCHTONE_ERR_NULL;
        };
        let rate = d.rate;
        d.det.finish(|ev| {
            let c = to_c_event(&ev, rate);
            // SAFETY: as in `process`.
            unsafe { cb(&c, user_data) };
        });
        TOUCHTONE_OK
    })
}

/// Decodes a whole buffer: `len` samples of `encoding` (`TOUCHTONE_ENCODING_*`; for S16
/// `data` points to `int16_t`s, for μ-law/A-law to bytes) at `sample_rate` with
/// `profile`. The keys found are written to `out` (at most `capacity`) in order, and
/// `*count` is set to the number of keys found. When `capacity` is too small, the first
/// `capacity` keys are written, `*count` is the number needed and the result is
/// [`TOUCHTONE_ERR_BUFFER_TOO_SMALL`]: call with `out` NULL and `capacity` 0 to ask.
///
/// # Safety
/// `data` NULL (with `len` 0) or `len` readable samples; `out` NULL (with `capacity` 0)
/// or `capacity` writable elements; `count` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn touchtone_decode(
    data: *const c_void,
    len: usize,
    encoding: u32,
    sample_rate: u32,
    profile: u32,
    out: *mut TouchtoneKeyPress,
    capacity: usize,
    count: *mut usize,
) -> c_int {
    guard(|| {
        if count.is_null() {
            return TOUCHTONE_ERR_NULL;
        }
        // SAFETY: `count` is non-null and the caller guarantees it is writable.
        unsafe { count.write(0) };
        if let Err(status) = check_output(out, capacity) {
            return status;
        }
        let mut det = match profile_config(profile, sample_rate).and_then(new_detector) {
            Ok(d) => d,
            Err(status) => return status,
        };
        let mut presses = Vec::new();
        let mut keep = |ev: Event| {
            if let Event::KeyUp { press, .. } = ev {
                presses.push(press);
            }
        };
        // SAFETY (all three): the caller guarantees `len` readable samples at `data`.
        let fed = match encoding {
            TOUCHTONE_ENCODING_S16 => {
                unsafe { input(data.cast::<i16>(), len) }.map(|s| det.process(s, &mut keep))
            }
            TOUCHTONE_ENCODING_ULAW => {
                unsafe { input(data.cast::<u8>(), len) }.map(|b| det.process_ulaw(b, &mut keep))
            }
            TOUCHTONE_ENCODING_ALAW => {
                unsafe { input(data.cast::<u8>(), len) }.map(|b| det.process_alaw(b, &mut keep))
            }
            _ => Err(TOUCHTONE_ERR_ENCODING),
        };
        if let Err(status) = fed {
            return status;
        }
        det.finish(&mut keep);
        for (i, p) in presses.iter().take(capacity).enumerate() {
            // SAFETY: `out` was checked non-null, aligned and of `capacity` elements, and
            // `i < capacity`.
            unsafe { out.add(i).write(to_c_press(p, sample_rate)) };
        }
        // SAFETY: as above.
        unsafe { count.write(presses.len()) };
        if presses.len() > capacity {
            TOUCHTONE_ERR_BUFFER_TOO_SMALL
        } else {
            TOUCHTONE_OK
        }
    })
}

/// Renders the keys of the NUL-terminated string `keys` (`0-9 A-D * #`) as 16-bit PCM at
/// `sample_rate`: for each key `pause_ms` of silence then `tone_ms` of the key's two tones
/// at `level_dbm0` each, then a final pause. The samples are written to `out` (at most
/// `capacity`) and `*len` is set to the number of samples of the whole rendering; when
/// `capacity` is too small the first `capacity` samples are written and the result is
/// [`TOUCHTONE_ERR_BUFFER_TOO_SMALL`] (call with `out` NULL and `capacity` 0 to ask).
///
/// # Safety
/// `keys` NULL or a NUL-terminated string; `out` NULL (with `capacity` 0) or `capacity`
/// writable `int16_t`s; `len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn touchtone_generate(
    keys: *const c_char,
    sample_rate: u32,
    tone_ms: f64,
    pause_ms: f64,
    level_dbm0: f64,
    out: *mut i16,
    capacity: usize,
    len: *mut usize,
) -> c_int {
    guard(|| {
        if keys.is_null() || len.is_null() {
            return TOUCHTONE_ERR_NULL;
        }
        // SAFETY: `len` is non-null and the caller guarantees it is writable.
        unsafe { len.write(0) };
        if let Err(status) = check_output(out, capacity) {
            return status;
        }
        // SAFETY: `keys` is non-null and the caller guarantees a NUL-terminated string.
        let Ok(keys) = unsafe { CStr::from_ptr(keys) }.to_str() else {
            return TOUCHTONE_ERR_KEY;
        };
        let cfg = GeneratorConfig {
            sample_rate,
            tone_ms,
            pause_ms,
            level_dbm0,
            ..Default::default()
        };
        let pcm = match Generator::new(cfg).and_then(|g| g.render_str(keys)) {
            Ok(pcm) => pcm,
            Err(e) => return generator_status(e),
        };
        let n = pcm.len().min(capacity);
        if n > 0 {
            // SAFETY: `out` was checked non-null, aligned and of `capacity >= n` elements;
            // `pcm` is a separate allocation.
            unsafe { std::ptr::copy_nonoverlapping(pcm.as_ptr(), out, n) };
        }
        // SAFETY: as above.
        unsafe { len.write(pcm.len()) };
        if pcm.len() > capacity {
            TOUCHTONE_ERR_BUFFER_TOO_SMALL
        } else {
            TOUCHTONE_OK
        }
    })
}
