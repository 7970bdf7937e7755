//! The UDP driver on loopback: packets from the crate's Sender reach a listening socket and
//! come out as Down then Press, with the JSON lines of `examples/listen`.
use crate::rtp_support;

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use rtp_support::{build, Call};
use touchtone::listen::{json_line, serve_udp};
use touchtone::session::{Session, SessionConfig, SessionEvent};

#[test]
fn loopback_events_and_audio() {
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = rx.local_addr().unwrap();
    let start = Instant::now();
    let listener = std::thread::spawn(move || {
        let mut s = Session::new(SessionConfig::default());
        let mut lines = Vec::new();
        serve_udp(
            &rx,
            &mut s,
            start,
            Some(start + Duration::from_secs(3)),
            |ev| {
                let at = start.elapsed();
                if let Some(l) = json_line(&ev) {
                    lines.push((at, ev, l));
                }
            },
        )
        .unwrap();
        lines
    });
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    // Stream 1: events only ("4#"); stream 2: in-band audio only ("7"). Sent in real time.
    let mut pk = build(
        &Call {
            ssrc: 1,
            ts0: 0,
            seq0: 0,
            inband: false,
            events: true,
            event_pt: 101,
        },
        "4#",
    );
    pk.extend(build(
        &Call {
            ssrc: 2,
            ts0: 99,
            seq0: 9,
            inband: true,
            events: false,
            event_pt: 101,
        },
        "7",
    ));
    pk.sort_by_key(|p| p.0);
    let t0 = Instant::now();
    let mut end_packet_sent = None;
    for (at, d) in &pk {
        if let Some(w) = (t0 + *at).checked_duration_since(Instant::now()) {
            std::thread::sleep(w);
        }
        tx.send_to(d, addr).unwrap();
        if d[1] & 0x7f == 101 && d[13] & 0x80 != 0 && d[0] == 0x80 && d[12] == 11 {
            end_packet_sent.get_or_insert(start.elapsed());
        }
    }
    let lines = listener.join().unwrap();
    let text: Vec<&str> = lines.iter().map(|l| l.2.as_str()).collect();
    let presses: Vec<&str> = text
        .iter()
        .copied()
        .filter(|l| l.contains("\"press\""))
        .collect();
    assert_eq!(presses.len(), 3, "{text:#?}");
    assert!(presses
        .iter()
        .any(|l| l.contains(r#""key":"4""#)
            && l.contains(r#""stream":"00000001","source":"rfc4733""#)));
    assert!(presses
        .iter()
        .any(|l| l.contains(r##""key":"#""##) && l.contains(r#""source":"rfc4733""#)));
    assert!(presses
        .iter()
        .any(|l| l.contains(r#""key":"7""#)
            && l.contains(r#""stream":"00000002","source":"inband""#)));
    // Each press has its Down first.
    for k in ["4", "#", "7"] {
        let d = text
            .iter()
            .position(|l| l.contains("\"down\"") && l.contains(&format!("\"key\":\"{k}\"")));
        let p = text
            .iter()
            .position(|l| l.contains("\"press\"") && l.contains(&format!("\"key\":\"{k}\"")));
        assert!(d.is_some() && d < p, "{k}: {text:#?}");
    }
    // The event press is reported on its end packet, not at the end of the run.
    let pound = lines
        .iter()
        .find(|l| matches!(&l.1, SessionEvent::Press(p) if p.key.to_char() == '#'))
        .unwrap();
    let sent = end_packet_sent.unwrap();
    assert!(
        pound.0 < sent + Duration::from_millis(1000),
        "{:?} vs {:?}",
        pound.0,
        sent
    );
}
