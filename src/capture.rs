//! Key presses from packet captures (`.pcap`, `.pcapng`, `.cap`); feature `capture`.
//!
//! [`decode_file`] reads the capture with `pcap-file`, takes the UDP payloads out of each
//! frame with `etherparse` (Ethernet, Linux cooked v1/v2, BSD loopback, raw IPv4/IPv6),
//! learns payload types from any SIP/SDP body in the capture (`a=rtpmap:` lines, over UDP or
//! TCP), and feeds every RTP datagram to a [`Session`] with the capture's own timestamps.
//! Press times are milliseconds from the first packet of the capture (a press already on
//! when the capture began starts at 0); the presses come out in order of start.
//!
//! ```no_run
//! use touchtone::capture::{decode_file, format_press, CaptureOptions};
//! for p in decode_file("call.pcap", &CaptureOptions::default()).unwrap() {
//!     println!("{}", format_press(&p)); // 1200.0\t1290.0\t5\t1a2b3c4d\trfc4733
//! }
//! ```

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use pcap_file::pcap::PcapReader;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::{Block, PcapNgReader};
use pcap_file::DataLink;

use crate::session::{Press, Session, SessionConfig, SessionEvent};

/// Capture decoding options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CaptureOptions {
    /// The session settings (`event_pt`, de-duplication, …).
    pub session: SessionConfig,
}

/// Why a capture could not be read.
#[derive(Debug)]
pub enum CaptureError {
    /// The file could not be opened or read.
    Io(std::io::Error),
    /// Neither a pcap nor a pcapng file, or a damaged one.
    Format(String),
    /// A link type this reader does not take apart.
    LinkType(String),
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureError::Io(e) => write!(f, "cannot read capture: {e}"),
            CaptureError::Format(e) => write!(f, "not a readable pcap/pcapng capture: {e}"),
            CaptureError::LinkType(l) => write!(
                f,
                "link type {l} is not supported (Ethernet, Linux cooked, loopback, raw IP are)"
            ),
        }
    }
}

impl std::error::Error for CaptureError {}

impl From<std::io::Error> for CaptureError {
    fn from(e: std::io::Error) -> Self {
        CaptureError::Io(e)
    }
}

/// What a capture held.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decoded {
    /// Key presses, in order of start.
    pub presses: Vec<Press>,
    /// Remarks (codecs whose audio was skipped, …), one per line.
    pub notes: Vec<String>,
}

/// Decodes the key presses in a capture file.
pub fn decode_file(
    path: impl AsRef<Path>,
    opts: &CaptureOptions,
) -> Result<Vec<Press>, CaptureError> {
    Ok(decode_file_with_notes(path, opts)?.presses)
}

/// As [`decode_file`], with the notes.
pub fn decode_file_with_notes(
    path: impl AsRef<Path>,
    opts: &CaptureOptions,
) -> Result<Decoded, CaptureError> {
    decode_reader(BufReader::new(File::open(path)?), opts)
}

/// Decodes a capture from any reader.
pub fn decode_reader<R: Read + Seek>(
    mut r: R,
    opts: &CaptureOptions,
) -> Result<Decoded, CaptureError> {
    let mut magic = [0u8; 4];
    r.read_exact(&mut magic)?;
    r.rewind()?;
    let datagrams = if magic == [0x0a, 0x0d, 0x0d, 0x0a] {
        read_pcapng(r)?
    } else {
        read_pcap(r)?
    };
    Ok(decode_datagrams(&datagrams, opts))
}

/// One `<start_ms>\t<end_ms>\t<key>\t<stream>\t<source>` line (no newline): times with one
/// decimal, stream the SSRC in hex.
pub fn format_press(p: &Press) -> String {
    format!(
        "{:.1}\t{:.1}\t{}\t{:08x}\t{}",
        p.start_ms, p.end_ms, p.key, p.ssrc, p.source
    )
}

/// A transport payload with its capture time (from the capture's first packet).
struct Datagram {
    at: Duration,
    udp: bool,
    payload: Vec<u8>,
}

/// Where a frame's transport payload lies.
pub(crate) struct Located {
    /// UDP (else TCP).
    pub(crate) udp: bool,
    /// The payload's bytes in the frame.
    pub(crate) payload: Range<usize>,
    /// For a UDP datagram wholly in the frame: where its header starts and the sum of its
    /// IPv4/IPv6 pseudo-header, to recompute the checksum after its payload changes.
    pub(crate) udp_checksum: Option<(usize, u32)>,
}

/// Offset of `part` inside `whole` (a sub-slice of it).
fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

/// The one's-complement sum of `b` as big-endian 16-bit words (an odd last byte padded).
pub(crate) fn sum16(b: &[u8]) -> u32 {
    let mut c = b.chunks_exact(2);
    let mut s: u32 = c
        .by_ref()
        .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
        .sum();
    if let [last] = c.remainder() {
        s += u32::from(*last) << 8;
    }
    s
}

/// Finds the UDP or TCP payload of a captured frame (`None` for frames that hold neither:
/// ARP, truncated, fragments, …).
pub(crate) fn locate(link: DataLink, data: &[u8]) -> Result<Option<Located>, CaptureError> {
    let sliced = match link {
        DataLink::ETHERNET => SlicedPacket::from_ethernet(data),
        DataLink::LINUX_SLL => SlicedPacket::from_linux_sll(data),
        DataLink::LINUX_SLL2 => match data.get(20..) {
            Some(d) => SlicedPacket::from_ip(d),
            None => return Ok(None),
        },
        DataLink::NULL | DataLink::LOOP => match data.get(4..) {
            Some(d) => SlicedPacket::from_ip(d),
            None => return Ok(None),
        },
        DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => SlicedPacket::from_ip(data),
        other => return Err(CaptureError::LinkType(format!("{other:?}"))),
    };
    let Ok(p) = sliced else { return Ok(None) };
    let range = |b: &[u8]| {
        let at = offset_in(data, b);
        at..at + b.len()
    };
    Ok(match p.transport {
        Some(TransportSlice::Udp(u)) => {
            let whole = u.slice().len() == usize::from(u.length());
            let pseudo = match &p.net {
                Some(NetSlice::Ipv4(ip)) => {
                    let h = ip.header();
                    Some(sum16(&h.source()) + sum16(&h.destination()) + 17)
                }
                Some(NetSlice::Ipv6(ip)) => {
                    let h = ip.header();
                    Some(sum16(&h.source()) + sum16(&h.destination()) + 17)
                }
                None => None,
            };
            Some(Located {
                udp: true,
                payload: range(u.payload()),
                udp_checksum: pseudo
                    .filter(|_| whole)
                    .map(|s| (offset_in(data, u.slice()), s + u32::from(u.length()))),
            })
        }
        Some(TransportSlice::Tcp(t)) => Some(Located {
            udp: false,
            payload: range(t.payload()),
            udp_checksum: None,
        }),
        _ => None,
    })
}

fn frame_payload(link: DataLink, data: &[u8]) -> Result<Option<(bool, Vec<u8>)>, CaptureError> {
    Ok(locate(link, data)?.map(|l| (l.udp, data[l.payload].to_vec())))
}

/// Timestamp units per second of a pcapng interface (its `if_tsresol`, default µs).
pub(crate) fn units_per_second(idb: &InterfaceDescriptionBlock) -> u128 {
    let mut per_sec = 1_000_000u128;
    for o in &idb.options {
        if let InterfaceDescriptionOption::IfTsResol(r) = o {
            let e = (*r & 0x7f) as u32;
            per_sec = if r & 0x80 != 0 {
                1u128.checked_shl(e).unwrap_or(1_000_000)
            } else {
                10u128.checked_pow(e).unwrap_or(1_000_000)
            };
        }
    }
    per_sec.max(1)
}

/// An enhanced packet's time: pcap-file hands the raw 64-bit count as nanoseconds; it is
/// rescaled by the interface's units.
pub(crate) fn epb_time(raw: Duration, per_sec: u128) -> Duration {
    Duration::from_nanos((raw.as_nanos() * 1_000_000_000 / per_sec) as u64)
}

fn read_pcap<R: Read>(r: R) -> Result<Vec<Datagram>, CaptureError> {
    let mut rd = PcapReader::new(r).map_err(|e| CaptureError::Format(e.to_string()))?;
    let link = rd.header().datalink;
    let mut out = Vec::new();
    let mut first = None;
    while let Some(pkt) = rd.next_packet() {
        let pkt = pkt.map_err(|e| CaptureError::Format(e.to_string()))?;
        let t0 = *first.get_or_insert(pkt.timestamp);
        if let Some((udp, payload)) = frame_payload(link, &pkt.data)? {
            out.push(Datagram {
                at: pkt.timestamp.saturating_sub(t0),
                udp,
                payload,
            });
        }
    }
    Ok(out)
}

fn read_pcapng<R: Read>(r: R) -> Result<Vec<Datagram>, CaptureError> {
    let mut rd = PcapNgReader::new(r).map_err(|e| CaptureError::Format(e.to_string()))?;
    // Per interface: link type and timestamp units per second.
    let mut ifaces: Vec<(DataLink, u128)> = Vec::new();
    let mut out = Vec::new();
    let mut first = None;
    while let Some(block) = rd.next_block() {
        let block = block.map_err(|e| CaptureError::Format(e.to_string()))?;
        match block {
            Block::InterfaceDescription(idb) => {
                ifaces.push((idb.linktype, units_per_second(&idb)));
            }
            Block::EnhancedPacket(epb) => {
                let Some(&(link, per_sec)) = ifaces.get(epb.interface_id as usize) else {
                    return Err(CaptureError::Format(format!(
                        "packet on undeclared interface {}",
                        epb.interface_id
                    )));
                };
                let ts = epb_time(epb.timestamp, per_sec);
                let t0 = *first.get_or_insert(ts);
                if let Some((udp, payload)) = frame_payload(link, &epb.data)? {
                    out.push(Datagram {
                        at: ts.saturating_sub(t0),
                        udp,
                        payload,
                    });
                }
            }
            Block::SimplePacket(spb) => {
                let Some(&(link, _)) = ifaces.first() else {
                    continue;
                };
                let t = first.unwrap_or_default();
                if let Some((udp, payload)) = frame_payload(link, &spb.data)? {
                    out.push(Datagram {
                        at: t,
                        udp,
                        payload,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

pub(crate) fn looks_like_sdp(p: &[u8]) -> bool {
    contains(p, b"a=rtpmap:") || contains(p, b"m=audio")
}

/// RTCP packet types 200–204 (and 192–195) share RTP's first byte; they are not RTP.
pub(crate) fn is_rtcp(p: &[u8]) -> bool {
    p.len() >= 2 && (192..=223).contains(&p[1])
}

fn decode_datagrams(datagrams: &[Datagram], opts: &CaptureOptions) -> Decoded {
    let mut s = Session::new(opts.session.clone());
    for d in datagrams.iter().filter(|d| looks_like_sdp(&d.payload)) {
        s.learn_sdp(&String::from_utf8_lossy(&d.payload));
    }
    let mut events = Vec::new();
    for d in datagrams {
        if !d.udp || looks_like_sdp(&d.payload) || is_rtcp(&d.payload) {
            continue;
        }
        let mut guard = 0;
        while let Some(t) = s.poll_timeout() {
            if t > d.at || guard > 64 {
                break;
            }
            s.handle_timeout(t);
            guard += 1;
        }
        // Non-RTP UDP (DNS, STUN, …) and malformed event payloads are skipped.
        let _ = s.handle_datagram(d.at, &d.payload);
        events.extend(std::iter::from_fn(|| s.poll()));
    }
    s.finish();
    events.extend(std::iter::from_fn(|| s.poll()));
    let mut out = Decoded::default();
    for e in events {
        match e {
            // A press already on when the capture began starts at its first packet.
            SessionEvent::Press(p) => out.presses.push(Press {
                start_ms: p.start_ms.max(0.0),
                end_ms: p.end_ms.max(0.0),
                ..p
            }),
            SessionEvent::Note(n) => out.notes.push(n),
            _ => {}
        }
    }
    out.presses
        .sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms).then(a.ssrc.cmp(&b.ssrc)));
    out
}
