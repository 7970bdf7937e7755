//! A blocking UDP driver around the sans-IO [`Session`]: the only part of the RTP support that
//! does I/O (std only). It reads datagrams, stamps them with the time since `start`, and uses
//! the socket's read timeout to call [`Session::handle_timeout`] when the session asks.
//!
//! ```no_run
//! use std::net::UdpSocket;
//! use std::time::{Duration, Instant};
//! use touchtone::listen::{json_line, serve_udp};
//! use touchtone::session::{Session, SessionConfig};
//!
//! let sock = UdpSocket::bind("127.0.0.1:5004").unwrap();
//! let mut session = Session::new(SessionConfig::default());
//! let start = Instant::now();
//! serve_udp(&sock, &mut session, start, Some(start + Duration::from_secs(10)), |ev| {
//!     if let Some(line) = json_line(&ev) {
//!         println!("{line}");
//!     }
//! })
//! .unwrap();
//! ```

use std::io;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

use crate::session::{Session, SessionEvent};

/// Longest wait on the socket between checks of the stop time.
const MAX_WAIT: Duration = Duration::from_millis(100);

/// Receives RTP on `sock` until `stop_at` (forever when `None`), handing every session event
/// to `on_event` as soon as it is known; at the stop time the session is finished and what
/// it still held is reported. Datagrams that are not RTP are ignored. Returns the socket's
/// error, if any other than a timeout.
pub fn serve_udp(
    sock: &UdpSocket,
    session: &mut Session,
    start: Instant,
    stop_at: Option<Instant>,
    mut on_event: impl FnMut(SessionEvent),
) -> io::Result<()> {
    let mut buf = [0u8; 2048];
    loop {
        let now = Instant::now();
        if stop_at.is_some_and(|s| now >= s) {
            break;
        }
        let mut wait = MAX_WAIT;
        if let Some(t) = session.poll_timeout() {
            wait = wait.min((start + t).saturating_duration_since(now));
        }
        if let Some(s) = stop_at {
            wait = wait.min(s.saturating_duration_since(now));
        }
        sock.set_read_timeout(Some(wait.max(Duration::from_millis(1))))?;
        match sock.recv_from(&mut buf) {
            Ok((n, _)) => {
                let _ = session.handle_datagram(start.elapsed(), &buf[..n]);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(e),
        }
        session.handle_timeout(start.elapsed());
        while let Some(ev) = session.poll() {
            on_event(ev);
        }
    }
    session.finish();
    while let Some(ev) = session.poll() {
        on_event(ev);
    }
    Ok(())
}

/// One JSON object (no newline) for a `Down` or a `Press`:
/// `{"event":"down","key":"5","stream":"0badcafe","source":"rfc4733","at_ms":100.0}`,
/// `{"event":"press","key":"5","start_ms":100.0,"end_ms":200.0,"stream":"0badcafe","source":"rfc4733+inband"}`;
/// `None` for other events.
pub fn json_line(ev: &SessionEvent) -> Option<String> {
    match ev {
        SessionEvent::Down {
            key,
            ssrc,
            source,
            at_ms,
        } => Some(format!(
            r#"{{"event":"down","key":"{key}","stream":"{ssrc:08x}","source":"{source}","at_ms":{at_ms:.1}}}"#
        )),
        SessionEvent::Press(p) => Some(format!(
            r#"{{"event":"press","key":"{}","start_ms":{:.1},"end_ms":{:.1},"stream":"{:08x}","source":"{}"}}"#,
            p.key, p.start_ms, p.end_ms, p.ssrc, p.source
        )),
        _ => None,
    }
}
