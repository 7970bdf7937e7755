//! Prints the key presses in a packet capture, one per line:
//! `<start_ms>\t<end_ms>\t<key>\t<stream>\t<source>`.
//!
//! `cargo run --release --features capture --example capture -- FILE.pcap [--event-pt N] [--keep-both]`
use touchtone::capture::{decode_file_with_notes, format_press, CaptureOptions};
use touchtone::session::Merge;

fn main() {
    let mut opts = CaptureOptions::default();
    let mut path = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--event-pt" => match args.next().and_then(|v| v.parse::<u8>().ok()) {
                Some(pt) if pt < 128 => opts.session.event_pt = Some(pt),
                _ => fail("--event-pt needs a payload type 0-127"),
            },
            "--keep-both" => opts.session.merge = Merge::KeepBoth,
            _ if path.is_none() && !a.starts_with("--") => path = Some(a),
            _ => fail(&format!("unexpected argument {a:?}")),
        }
    }
    let Some(path) = path else {
        fail("usage: capture FILE [--event-pt N] [--keep-both]")
    };
    match decode_file_with_notes(&path, &opts) {
        Ok(d) => {
            for n in &d.notes {
                eprintln!("note: {n}");
            }
            for p in &d.presses {
                println!("{}", format_press(p));
            }
        }
        Err(e) => fail(&format!("{path}: {e}")),
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("capture: {msg}");
    std::process::exit(2)
}
