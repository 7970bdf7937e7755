//! The integration tests, built as one binary: each file under `tests/` is a module here.
//! One binary links and optimises the detector once instead of once per file, which is
//! most of the test build's time. `no_alloc` installs the binary's global allocator (one
//! that counts each thread's allocations, so the other tests running beside it do not
//! disturb its counts); `measure` (the requirement sweep, run on demand) is a binary of its
//! own.

mod common;
mod rtp_support;

mod api_no_panic;
mod capture;
mod conformance;
mod driver;
mod field;
mod gather_azure;
mod gather_bird;
mod gather_example;
mod gather_props;
mod gather_rules;
mod listen_udp;
mod multi;
mod no_alloc;
mod proptest_detector;
mod redact;
mod redact_capture;
mod robustness;
mod rtp_session;
mod talkoff;
mod testdata;
mod wav_formats;
