//! Many independent channels processed together, as a media server does: one call per
//! 20 ms period hands every channel's frame to the detectors at once.
//!
//! Each channel has its own [`Detector`] (all sharing one [`Plan`]), so the events of channel
//! `c` are exactly those a separate `Detector` fed the same samples would report; the batch
//! only saves the per-call overhead and keeps the shared tables hot in the cache.
//!
//! ```
//! use std::sync::Arc;
//! use touchtone::multi::MultiDetector;
//! use touchtone::{DetectorConfig, Event, Generator, GeneratorConfig, Plan};
//! let plan = Arc::new(Plan::new(DetectorConfig::default()).unwrap());
//! let mut multi = MultiDetector::new(plan, 2);
//! let a = Generator::new(GeneratorConfig::default()).unwrap().render_str("12").unwrap();
//! let b = Generator::new(GeneratorConfig::default()).unwrap().render_str("9#").unwrap();
//! let mut keys = [String::new(), String::new()];
//! let mut block = vec![0i16; 2 * 160];
//! for (fa, fb) in a.chunks_exact(160).zip(b.chunks_exact(160)) {
//!     block[..160].copy_from_slice(fa);
//!     block[160..].copy_from_slice(fb);
//!     multi
//!         .process_planar(&block, |ch, ev| {
//!             if let Event::KeyUp { press, .. } = ev {
//!                 keys[ch].push(press.key.to_char());
//!             }
//!         })
//!         .unwrap();
//! }
//! multi.finish(|ch, ev| {
//!     if let Event::KeyUp { press, .. } = ev {
//!         keys[ch].push(press.key.to_char());
//!     }
//! });
//! assert_eq!(keys, ["12", "9#"]);
//! ```

use crate::detector::{Detector, Event, Plan};
use core::fmt;
use std::sync::Arc;

/// A block handed to [`MultiDetector`] that does not fit its channel count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MultiError {
    /// The block's length (first value) is not a multiple of the channel count (second).
    BlockLength(usize, usize),
}

impl fmt::Display for MultiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MultiError::BlockLength(len, n) => write!(
                f,
                "block of {len} samples is not a whole number of frames for {n} channels"
            ),
        }
    }
}

impl std::error::Error for MultiError {}

/// `N` independent detectors sharing one [`Plan`], fed one frame per channel per call.
#[derive(Clone, Debug)]
pub struct MultiDetector {
    channels: Vec<Detector>,
}

impl MultiDetector {
    /// `n` channels with the settings of `plan` (allocates the `n` detectors once).
    pub fn new(plan: Arc<Plan>, n: usize) -> MultiDetector {
        MultiDetector {
            channels: (0..n).map(|_| Detector::with_plan(plan.clone())).collect(),
        }
    }

    /// Number of channels.
    pub fn channels(&self) -> usize {
        self.channels.len()
    }

    /// Channel `c`'s detector, if there is such a channel.
    pub fn channel(&self, c: usize) -> Option<&Detector> {
        self.channels.get(c)
    }

    /// Restart channel `c` as a new stream at position 0 (a new call on that line); a
    /// channel that does not exist is ignored.
    pub fn reset_channel(&mut self, c: usize) {
        if let Some(d) = self.channels.get_mut(c) {
            d.reset();
        }
    }

    /// Feed one frame per channel, **planar**: `block` holds channel 0's frame, then channel
    /// 1's, … (every frame `block.len() / channels` samples). `on_event(channel, event)` is
    /// called for each event, channels in order. No heap allocation.
    ///
    /// # Errors
    /// [`MultiError::BlockLength`] if `block.len()` is not a multiple of the channel count
    /// (nothing is processed then). With zero channels only an empty block is accepted.
    pub fn process_planar(
        &mut self,
        block: &[i16],
        mut on_event: impl FnMut(usize, Event),
    ) -> Result<(), MultiError> {
        let n = self.channels.len();
        let frame = self.frame_len(block.len())?;
        if frame == 0 {
            return Ok(());
        }
        for (c, (det, x)) in self
            .channels
            .iter_mut()
            .zip(block.chunks_exact(frame))
            .enumerate()
        {
            det.process(x, |ev| on_event(c, ev));
        }
        debug_assert_eq!(block.len(), n * frame);
        Ok(())
    }

    /// Feed samples **interleaved** by channel (`c0 c1 … c0 c1 …`, as in a multi-channel WAV
    /// file). `on_event(channel, event)` is called for each event. No heap allocation.
    ///
    /// # Errors
    /// [`MultiError::BlockLength`] if `block.len()` is not a multiple of the channel count
    /// (nothing is processed then).
    pub fn process_interleaved(
        &mut self,
        block: &[i16],
        mut on_event: impl FnMut(usize, Event),
    ) -> Result<(), MultiError> {
        let n = self.channels.len();
        let frames = self.frame_len(block.len())?;
        if frames == 0 {
            return Ok(());
        }
        const BUF: usize = 256;
        let mut buf = [0i16; BUF];
        let mut start = 0;
        while start < frames {
            let m = (frames - start).min(BUF);
            let part = &block[start * n..(start + m) * n];
            for (c, det) in self.channels.iter_mut().enumerate() {
                for (b, s) in buf.iter_mut().zip(part.iter().skip(c).step_by(n)) {
                    *b = *s;
                }
                det.process(&buf[..m], |ev| on_event(c, ev));
            }
            start += m;
        }
        Ok(())
    }

    /// End of stream on every channel: flush each as [`Detector::finish`] does and restart
    /// them at position 0.
    pub fn finish(&mut self, mut on_event: impl FnMut(usize, Event)) {
        for (c, det) in self.channels.iter_mut().enumerate() {
            det.finish(|ev| on_event(c, ev));
        }
    }

    fn frame_len(&self, len: usize) -> Result<usize, MultiError> {
        let n = self.channels.len();
        match n {
            0 if len == 0 => Ok(0),
            0 => Err(MultiError::BlockLength(len, 0)),
            _ if len % n != 0 => Err(MultiError::BlockLength(len, n)),
            _ => Ok(len / n),
        }
    }
}
