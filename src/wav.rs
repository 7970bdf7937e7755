//! WAV and headerless (raw) audio input. (Being written: see issue 5.)
