//! Gather: collecting a caller's keys (sans-IO state machine). (Being written: see issue 3.)
