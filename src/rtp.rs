//! RTP (RFC 3550) fixed header: parsing and writing.
//!
//! [`parse`] splits a datagram into its [`RtpHeader`] and payload, honouring the CSRC list,
//! the header extension and padding. Every length is checked against the buffer; a bad packet
//! gives an [`RtpError`] naming the field and the byte offset, never a panic.
//!
//! ```
//! use touchtone::rtp::{parse, RtpHeader};
//! let header = RtpHeader { marker: true, payload_type: 101, sequence: 7, timestamp: 160, ssrc: 0xdead_beef, ..Default::default() };
//! let mut datagram = Vec::new();
//! header.write(&mut datagram);
//! datagram.extend_from_slice(&[5, 0x8a, 0x00, 0xa0]);
//! let packet = parse(&datagram).unwrap();
//! assert_eq!(packet.header, header);
//! assert_eq!(packet.payload, &[5, 0x8a, 0x00, 0xa0]);
//! ```

use std::fmt;

/// The fixed RTP header (12 bytes) plus what the CSRC list and extension told us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtpHeader {
    /// Version field; always 2 for a packet that [`parse`] accepted.
    pub version: u8,
    /// The P bit: the payload was followed by padding (already removed from the payload).
    pub padding: bool,
    /// The X bit: a header extension followed the CSRC list (skipped).
    pub extension: bool,
    /// Number of CSRC identifiers (0–15).
    pub csrc_count: u8,
    /// The M bit (for telephone-events: the first packet of an event).
    pub marker: bool,
    /// Payload type (0–127).
    pub payload_type: u8,
    /// Sequence number.
    pub sequence: u16,
    /// Timestamp, in the payload format's clock.
    pub timestamp: u32,
    /// Synchronisation source.
    pub ssrc: u32,
}

impl Default for RtpHeader {
    fn default() -> Self {
        RtpHeader {
            version: 2,
            padding: false,
            extension: false,
            csrc_count: 0,
            marker: false,
            payload_type: 0,
            sequence: 0,
            timestamp: 0,
            ssrc: 0,
        }
    }
}

impl RtpHeader {
    /// Appends the 12-byte fixed header (version 2, no padding, extension or CSRCs written,
    /// whatever those fields say) to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(0x80);
        out.push(((self.marker as u8) << 7) | (self.payload_type & 0x7f));
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.ssrc.to_be_bytes());
    }
}

/// A parsed packet: the header and the payload (CSRCs, extension and padding removed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    /// The header.
    pub header: RtpHeader,
    /// The payload bytes.
    pub payload: &'a [u8],
}

/// Why a datagram is not an RTP packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RtpError {
    /// Shorter than the 12-byte fixed header.
    TooShort {
        /// The datagram's length.
        len: usize,
    },
    /// Byte 0's two top bits are not version 2.
    BadVersion {
        /// The version found.
        version: u8,
    },
    /// The CSRC list (4 bytes each, from byte 12) runs past the end.
    CsrcTruncated {
        /// CSRC count from byte 0.
        count: u8,
        /// The datagram's length.
        len: usize,
    },
    /// The header extension starting at `offset` runs past the end.
    ExtensionTruncated {
        /// Byte offset of the extension header.
        offset: usize,
        /// The datagram's length.
        len: usize,
    },
    /// The padding count in the last byte is zero or larger than the payload.
    BadPadding {
        /// The padding count (value of the last byte).
        count: u8,
        /// Payload length before removing padding.
        payload_len: usize,
    },
}

impl fmt::Display for RtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RtpError::TooShort { len } => {
                write!(
                    f,
                    "RTP packet of {len} bytes is shorter than the 12-byte header"
                )
            }
            RtpError::BadVersion { version } => {
                write!(f, "RTP version {version} in byte 0 (expected 2)")
            }
            RtpError::CsrcTruncated { count, len } => write!(
                f,
                "{count} CSRCs (byte 0) need {} bytes, packet has {len}",
                12 + 4 * count as usize
            ),
            RtpError::ExtensionTruncated { offset, len } => write!(
                f,
                "header extension at byte {offset} runs past the end of the {len}-byte packet"
            ),
            RtpError::BadPadding { count, payload_len } => write!(
                f,
                "padding count {count} (last byte) is invalid for a {payload_len}-byte payload"
            ),
        }
    }
}

impl std::error::Error for RtpError {}

/// Parses one RTP datagram.
pub fn parse(buf: &[u8]) -> Result<RtpPacket<'_>, RtpError> {
    if buf.len() < 12 {
        return Err(RtpError::TooShort { len: buf.len() });
    }
    let b0 = buf[0];
    let version = b0 >> 6;
    if version != 2 {
        return Err(RtpError::BadVersion { version });
    }
    let padding = b0 & 0x20 != 0;
    let extension = b0 & 0x10 != 0;
    let csrc_count = b0 & 0x0f;
    let header = RtpHeader {
        version,
        padding,
        extension,
        csrc_count,
        marker: buf[1] & 0x80 != 0,
        payload_type: buf[1] & 0x7f,
        sequence: u16::from_be_bytes([buf[2], buf[3]]),
        timestamp: u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]),
        ssrc: u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]),
    };
    let mut offset = 12 + 4 * csrc_count as usize;
    if offset > buf.len() {
        return Err(RtpError::CsrcTruncated {
            count: csrc_count,
            len: buf.len(),
        });
    }
    if extension {
        let ext = offset;
        if ext + 4 > buf.len() {
            return Err(RtpError::ExtensionTruncated {
                offset: ext,
                len: buf.len(),
            });
        }
        let words = u16::from_be_bytes([buf[ext + 2], buf[ext + 3]]) as usize;
        offset = ext + 4 + 4 * words;
        if offset > buf.len() {
            return Err(RtpError::ExtensionTruncated {
                offset: ext,
                len: buf.len(),
            });
        }
    }
    let mut payload = &buf[offset..];
    if padding {
        let count = buf[buf.len() - 1];
        if count == 0 || count as usize > payload.len() {
            return Err(RtpError::BadPadding {
                count,
                payload_len: payload.len(),
            });
        }
        payload = &payload[..payload.len() - count as usize];
    }
    Ok(RtpPacket { header, payload })
}

/// `true` when `b` comes after `a` in RFC 3550 sequence-number order (modulo 2^16).
pub fn seq_newer(a: u16, b: u16) -> bool {
    let d = b.wrapping_sub(a);
    d != 0 && d < 0x8000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrc_extension_and_padding_are_stripped() {
        // V=2 P=1 X=1 CC=2, M=1 PT=0, seq 0x1234, ts 0x01020304, ssrc 0xaabbccdd.
        let mut p = vec![0xb2, 0x80, 0x12, 0x34, 1, 2, 3, 4, 0xaa, 0xbb, 0xcc, 0xdd];
        p.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 2]); // two CSRCs
        p.extend_from_slice(&[0xbe, 0xde, 0, 1, 9, 9, 9, 9]); // extension: one word
        p.extend_from_slice(&[0x55, 0x66, 0x77]); // payload
        p.extend_from_slice(&[0, 0, 3]); // three bytes of padding
        let pkt = parse(&p).unwrap();
        assert_eq!(pkt.payload, &[0x55, 0x66, 0x77]);
        let h = pkt.header;
        assert!(h.padding && h.extension && h.marker);
        assert_eq!((h.csrc_count, h.payload_type), (2, 0));
        assert_eq!(
            (h.sequence, h.timestamp, h.ssrc),
            (0x1234, 0x0102_0304, 0xaabb_ccdd)
        );
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(parse(&[0x80; 5]), Err(RtpError::TooShort { len: 5 }));
        assert_eq!(parse(&[0x40; 12]), Err(RtpError::BadVersion { version: 1 }));
        let mut p = vec![0x83, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            parse(&p),
            Err(RtpError::CsrcTruncated { count: 3, len: 16 })
        );
        p[0] = 0x90; // X=1, extension header claims 2 words but only 0 follow
        p.truncate(12);
        p.extend_from_slice(&[0, 0, 0, 2]);
        assert_eq!(
            parse(&p),
            Err(RtpError::ExtensionTruncated {
                offset: 12,
                len: 16
            })
        );
        let p = [0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 9];
        assert_eq!(
            parse(&p),
            Err(RtpError::BadPadding {
                count: 9,
                payload_len: 3
            })
        );
        let p = [0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            parse(&p),
            Err(RtpError::BadPadding {
                count: 0,
                payload_len: 1
            })
        );
    }

    #[test]
    fn sequence_order_wraps() {
        assert!(seq_newer(65535, 0));
        assert!(seq_newer(65000, 100));
        assert!(!seq_newer(100, 65000));
        assert!(!seq_newer(5, 5));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..80)) {
            if let Ok(p) = parse(&bytes) {
                proptest::prop_assert!(p.payload.len() + 12 <= bytes.len());
            }
        }
    }
}
