//! Receives RTP (PCMU/PCMA audio and telephone-events, any SSRC) on a UDP socket and prints
//! one JSON object per line as soon as each key is known.
//!
//! `cargo run --release --example listen -- --udp 127.0.0.1:5004 [--seconds S] [--event-pt N]`
use std::net::UdpSocket;
use std::time::{Duration, Instant};
use touchtone::listen::{json_line, serve_udp};
use touchtone::session::{Session, SessionConfig, SessionEvent};

fn main() {
    let mut cfg = SessionConfig::default();
    let (mut addr, mut seconds) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next();
        match (a.as_str(), v) {
            ("--udp", Some(v)) => addr = Some(v),
            ("--seconds", Some(v)) => match v.parse::<f64>() {
                Ok(s) if s >= 0.0 && s.is_finite() => seconds = Some(s),
                _ => fail(&format!("--seconds {v:?} is not a number of seconds")),
            },
            ("--event-pt", Some(v)) => match v.parse::<u8>() {
                Ok(pt) if pt < 128 => cfg.event_pt = Some(pt),
                _ => fail(&format!("--event-pt {v:?} is not a payload type 0-127")),
            },
            _ => fail("usage: listen --udp ADDR:PORT [--seconds S] [--event-pt N]"),
        }
    }
    let Some(addr) = addr else {
        fail("usage: listen --udp ADDR:PORT [--seconds S] [--event-pt N]")
    };
    let sock = UdpSocket::bind(&addr).unwrap_or_else(|e| fail(&format!("cannot bind {addr}: {e}")));
    let start = Instant::now();
    let stop = seconds.map(|s| start + Duration::from_secs_f64(s));
    let mut session = Session::new(cfg);
    let r = serve_udp(&sock, &mut session, start, stop, |ev| match &ev {
        SessionEvent::Note(n) => eprintln!("note: {n}"),
        _ => {
            if let Some(line) = json_line(&ev) {
                println!("{line}");
            }
        }
    });
    if let Err(e) = r {
        fail(&format!("receiving on {addr}: {e}"));
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("listen: {msg}");
    std::process::exit(2)
}
