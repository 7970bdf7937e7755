//! Running gathers over a whole recording, as `touchtone gather` does: the recording's
//! audio through a [`Driver`], prompts of a fixed length, out-of-band reports beside it.

use super::Driver;
use crate::detector::Detector;
use crate::gather::config::{GatherConfig, GatherConfigError};
use crate::gather::keys::KeyReport;
use crate::gather::machine::{Gather, GatherResult};
use std::time::Duration;

/// Options of [`run_over_recording`]: what `touchtone gather` takes on its command line.
#[derive(Clone, Debug)]
pub struct RecordingOptions {
    /// The gather's settings.
    pub config: GatherConfig,
    /// Length of the prompt played at the start of each attempt; zero = no prompt.
    pub prompt: Duration,
    /// Samples per frame fed to the driver. Default 20 ms worth.
    pub frame: Option<usize>,
}

/// Run `count` gathers back to back over a caller's recording, as
/// `touchtone gather --gathers N` does: each starts when the one before finished, with the
/// keys that one did not consume as type-ahead ([`Driver::chain`]); otherwise as
/// [`run_over_recording`]. Returns the results in order (fewer than `count` only if a
/// gather cannot finish, which finite timeouts rule out).
///
/// # Errors
/// As [`run_over_recording`].
pub fn run_gathers_over_recording(
    samples: &[i16],
    sample_rate: u32,
    options: &RecordingOptions,
    count: usize,
) -> Result<Vec<GatherResult>, GatherConfigError> {
    run_gathers_over_recording_with_keys(samples, sample_rate, options, count, &[])
}

/// Run a gather over a caller's recording (mono `i16` at `sample_rate`), as
/// `touchtone gather` does: the gather starts at the first sample; the prompt "plays" for
/// `options.prompt` from the start of each attempt (cut short by barge-in); key events come
/// from the crate's detector; when the recording ends first, time goes on as silence.
///
/// # Errors
/// [`GatherConfigError`] if the configuration is refused; a sample rate the detector refuses is
/// reported as [`GatherConfigError::Count`] with field `sample_rate`.
pub fn run_over_recording(
    samples: &[i16],
    sample_rate: u32,
    options: &RecordingOptions,
) -> Result<GatherResult, GatherConfigError> {
    run_over_recording_with_keys(samples, sample_rate, options, &[])
}

/// [`run_over_recording`] with out-of-band key reports beside the recording, as
/// [`run_gathers_over_recording_with_keys`] takes them.
///
/// # Errors
/// As [`run_over_recording`].
pub fn run_over_recording_with_keys(
    samples: &[i16],
    sample_rate: u32,
    options: &RecordingOptions,
    reports: &[KeyReport],
) -> Result<GatherResult, GatherConfigError> {
    run_gathers_over_recording_with_keys(samples, sample_rate, options, 1, reports)?
        .pop()
        // Unreachable in practice: prompt ends are scheduled by the driver and every
        // timeout is finite.
        .ok_or(GatherConfigError::Count {
            field: "gather",
            value: -1,
        })
}

/// [`run_gathers_over_recording`] with out-of-band key reports beside the recording (times
/// from its first sample), merged with its in-band keys under [`MergePolicy::Both`]: each
/// report's down is given when the audio reaches its start and its up when the audio
/// reaches its end, as a live host would; reports beyond the end of the recording are
/// given after it.
///
/// # Errors
/// As [`run_over_recording`].
///
/// [`MergePolicy::Both`]: crate::gather::MergePolicy::Both
pub fn run_gathers_over_recording_with_keys(
    samples: &[i16],
    sample_rate: u32,
    options: &RecordingOptions,
    count: usize,
    reports: &[KeyReport],
) -> Result<Vec<GatherResult>, GatherConfigError> {
    let mut cfg = options.config.clone();
    cfg.prompt = options.prompt > Duration::ZERO;
    let det = Detector::new(crate::DetectorConfig::with_rate(sample_rate)).map_err(|_| {
        GatherConfigError::Count {
            field: "sample_rate",
            value: i64::from(sample_rate),
        }
    })?;
    let mut d = Driver::new(det, Gather::new(cfg.clone())?);
    if options.prompt > Duration::ZERO {
        d = d.with_prompt_length(options.prompt);
    }
    let mut results = Vec::new();
    if count == 0 {
        return Ok(results);
    }
    // Every edge of every report, in time order: (time, is up, report).
    let mut edges: Vec<(Duration, bool, &KeyReport)> = Vec::with_capacity(2 * reports.len());
    for r in reports {
        match r.end {
            Some(e) if e > r.start => {
                edges.push((r.start, false, r));
                edges.push((e, true, r));
            }
            _ => edges.push((r.start, false, r)),
        }
    }
    edges.sort_by_key(|&(t, up, _)| (t, up));
    let mut next = 0;
    let mut give = |d: &mut Driver, upto: Option<Duration>| {
        while let Some(&(t, up, r)) = edges.get(next) {
            if upto.is_some_and(|u| t > u) {
                break;
            }
            next += 1;
            match (up, r.end) {
                (true, _) => d.key_up(r.key, t, r.source),
                (false, Some(e)) if e > r.start => d.key_down(r.key, t, r.source),
                (false, _) => d.key_press(r.key, t, None, r.source),
            }
        }
    };
    // Take each finished result and chain the next gather; true when all are done.
    let mut take = |d: &mut Driver| -> Result<bool, GatherConfigError> {
        while d.poll_action().is_some() {}
        while let Some(r) = d.gather().and_then(Gather::result).cloned() {
            results.push(r);
            if results.len() >= count {
                return Ok(true);
            }
            if d.chain(Gather::new(cfg.clone())?).is_err() {
                break;
            }
            while d.poll_action().is_some() {}
        }
        Ok(false)
    };
    d.start();
    let frame = options.frame.unwrap_or((sample_rate / 50) as usize).max(1);
    let mut done = false;
    for chunk in samples.chunks(frame) {
        let pos = d.position();
        give(&mut d, Some(pos));
        d.process(chunk);
        if take(&mut d)? {
            done = true;
            break;
        }
    }
    if !done {
        give(&mut d, None);
        d.finish_stream();
        loop {
            if d.run_to_end().is_none() || take(&mut d)? {
                break;
            }
        }
    }
    Ok(results)
}
