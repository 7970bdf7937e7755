//! Key events from any source: where a report came from, which sources a
//! [`Driver`](super::Driver) listens to, and one source-agnostic report type.

use crate::key::Key;
use core::fmt;
use std::time::Duration;

/// Where a key report came from.
///
/// In-band keys are heard in the audio (the crate's [`Detector`](crate::Detector), or a
/// host's own); the others travel beside it: RFC 4733 telephone-events in the RTP stream,
/// SIP INFO (`application/dtmf-relay`), or anything else (a test, a web socket).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeySource {
    /// Tones in the audio.
    InBand,
    /// RFC 4733 (formerly RFC 2833) telephone-events.
    Rfc4733,
    /// SIP INFO.
    SipInfo,
    /// Any other out-of-band source.
    Other,
}

impl KeySource {
    /// All sources.
    pub const ALL: [KeySource; 4] = [
        KeySource::InBand,
        KeySource::Rfc4733,
        KeySource::SipInfo,
        KeySource::Other,
    ];

    /// The name used in text formats: `inband`, `rfc4733`, `sip_info`, `other`.
    pub const fn as_str(self) -> &'static str {
        match self {
            KeySource::InBand => "inband",
            KeySource::Rfc4733 => "rfc4733",
            KeySource::SipInfo => "sip_info",
            KeySource::Other => "other",
        }
    }

    /// The source named `name` (the names of [`as_str`](Self::as_str)); `None` otherwise.
    ///
    /// ```
    /// use touchtone::gather::KeySource;
    /// assert_eq!(KeySource::from_name("rfc4733"), Some(KeySource::Rfc4733));
    /// assert_eq!(KeySource::from_name("telepathy"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<KeySource> {
        KeySource::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether the key travelled beside the audio rather than in it.
    pub const fn is_out_of_band(self) -> bool {
        !matches!(self, KeySource::InBand)
    }

    /// One bit per source, for sets of sources.
    pub(crate) const fn bit(self) -> u8 {
        match self {
            KeySource::InBand => 1,
            KeySource::Rfc4733 => 2,
            KeySource::SipInfo => 4,
            KeySource::Other => 8,
        }
    }
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which key reports a [`Driver`](super::Driver) takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MergePolicy {
    /// Only out-of-band reports; the audio is not run through the detector (it still moves
    /// the clock).
    OutOfBandOnly,
    /// Only in-band reports; out-of-band ones are dropped.
    InBandOnly,
    /// Every source, the same press reported by several of them taken once (see the
    /// [`Driver`](super::Driver)'s merge rule). The default.
    #[default]
    Both,
}

impl MergePolicy {
    /// Whether reports from `source` are taken.
    pub const fn admits(self, source: KeySource) -> bool {
        match self {
            MergePolicy::OutOfBandOnly => source.is_out_of_band(),
            MergePolicy::InBandOnly => !source.is_out_of_band(),
            MergePolicy::Both => true,
        }
    }
}

/// One key press as a source reported it: the key, its start and (when known) its end on
/// the host's time axis, and the source. A report without an end (a SIP INFO without a
/// duration) is a press of no length: down and up at `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyReport {
    /// The key.
    pub key: Key,
    /// When it went down.
    pub start: Duration,
    /// When it went up, if known.
    pub end: Option<Duration>,
    /// Who reported it.
    pub source: KeySource,
}
