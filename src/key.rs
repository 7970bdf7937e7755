//! The sixteen DTMF keys: characters, RFC 4733 event codes and frequencies.

use core::fmt;

/// Row (low-group) frequencies in Hz, ITU-T Q.23: 697, 770, 852, 941.
pub const ROW_FREQS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
/// Column (high-group) frequencies in Hz, ITU-T Q.23: 1209, 1336, 1477, 1633.
pub const COL_FREQS: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
/// All eight DTMF frequencies, low group first (index 0..4 rows, 4..8 columns).
pub const ALL_FREQS: [f64; 8] = [697.0, 770.0, 852.0, 941.0, 1209.0, 1336.0, 1477.0, 1633.0];

/// One of the sixteen DTMF keys.
///
/// ```
/// use touchtone::Key;
/// let k = Key::from_char('#').unwrap();
/// assert_eq!(k, Key::Pound);
/// assert_eq!(k.event_code(), 11);
/// assert_eq!(k.frequencies(), (941.0, 1477.0));
/// assert_eq!(Key::from_event_code(5), Some(Key::K5));
/// assert_eq!(k.to_string(), "#");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// `0` (941 + 1336 Hz)
    K0,
    /// `1` (697 + 1209 Hz)
    K1,
    /// `2` (697 + 1336 Hz)
    K2,
    /// `3` (697 + 1477 Hz)
    K3,
    /// `4` (770 + 1209 Hz)
    K4,
    /// `5` (770 + 1336 Hz)
    K5,
    /// `6` (770 + 1477 Hz)
    K6,
    /// `7` (852 + 1209 Hz)
    K7,
    /// `8` (852 + 1336 Hz)
    K8,
    /// `9` (852 + 1477 Hz)
    K9,
    /// `*` (941 + 1209 Hz)
    Star,
    /// `#` (941 + 1477 Hz)
    Pound,
    /// `A` (697 + 1633 Hz)
    A,
    /// `B` (770 + 1633 Hz)
    B,
    /// `C` (852 + 1633 Hz)
    C,
    /// `D` (941 + 1633 Hz)
    D,
}

/// The keypad layout: `KEYPAD[row][col]`.
const KEYPAD: [[Key; 4]; 4] = [
    [Key::K1, Key::K2, Key::K3, Key::A],
    [Key::K4, Key::K5, Key::K6, Key::B],
    [Key::K7, Key::K8, Key::K9, Key::C],
    [Key::Star, Key::K0, Key::Pound, Key::D],
];

/// A character that is not one of `0-9 A-D * #`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidKeyChar(pub char);

impl fmt::Display for InvalidKeyChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a DTMF key (expected one of 0-9 A-D * #)",
            self.0
        )
    }
}

impl std::error::Error for InvalidKeyChar {}

impl Key {
    /// All sixteen keys in RFC 4733 event-code order (`0`–`9`, `*`, `#`, `A`–`D`).
    pub const ALL: [Key; 16] = [
        Key::K0,
        Key::K1,
        Key::K2,
        Key::K3,
        Key::K4,
        Key::K5,
        Key::K6,
        Key::K7,
        Key::K8,
        Key::K9,
        Key::Star,
        Key::Pound,
        Key::A,
        Key::B,
        Key::C,
        Key::D,
    ];

    /// The key for a character `0-9`, `A-D` (either case), `*` or `#`.
    pub fn from_char(c: char) -> Option<Key> {
        Some(match c {
            '0'..='9' => Key::ALL[(c as u8 - b'0') as usize],
            '*' => Key::Star,
            '#' => Key::Pound,
            'A' | 'a' => Key::A,
            'B' | 'b' => Key::B,
            'C' | 'c' => Key::C,
            'D' | 'd' => Key::D,
            _ => return None,
        })
    }

    /// The key's character: `0-9`, `*`, `#` or `A-D` (upper case).
    pub fn to_char(self) -> char {
        b"0123456789*#ABCD"[self.event_code() as usize] as char
    }

    /// The RFC 4733 `telephone-event` code: `0`–`9` → 0–9, `*` → 10, `#` → 11, `A`–`D` → 12–15.
    pub fn event_code(self) -> u8 {
        self as u8
    }

    /// The key for an RFC 4733 event code 0–15; `None` for any other code.
    pub fn from_event_code(code: u8) -> Option<Key> {
        Key::ALL.get(code as usize).copied()
    }

    /// Row index 0–3 (697, 770, 852, 941 Hz).
    pub fn row(self) -> usize {
        match self {
            Key::K1 | Key::K2 | Key::K3 | Key::A => 0,
            Key::K4 | Key::K5 | Key::K6 | Key::B => 1,
            Key::K7 | Key::K8 | Key::K9 | Key::C => 2,
            Key::Star | Key::K0 | Key::Pound | Key::D => 3,
        }
    }

    /// Column index 0–3 (1209, 1336, 1477, 1633 Hz).
    pub fn col(self) -> usize {
        match self {
            Key::K1 | Key::K4 | Key::K7 | Key::Star => 0,
            Key::K2 | Key::K5 | Key::K8 | Key::K0 => 1,
            Key::K3 | Key::K6 | Key::K9 | Key::Pound => 2,
            Key::A | Key::B | Key::C | Key::D => 3,
        }
    }

    /// The key at keypad row `row` and column `col` (both 0–3).
    pub fn from_row_col(row: usize, col: usize) -> Option<Key> {
        KEYPAD.get(row)?.get(col).copied()
    }

    /// The low-group (row) frequency in Hz.
    pub fn row_freq(self) -> f64 {
        ROW_FREQS[self.row()]
    }

    /// The high-group (column) frequency in Hz.
    pub fn col_freq(self) -> f64 {
        COL_FREQS[self.col()]
    }

    /// `(low, high)` nominal frequencies in Hz.
    pub fn frequencies(self) -> (f64, f64) {
        (self.row_freq(), self.col_freq())
    }
}

impl TryFrom<char> for Key {
    type Error = InvalidKeyChar;
    fn try_from(c: char) -> Result<Key, InvalidKeyChar> {
        Key::from_char(c).ok_or(InvalidKeyChar(c))
    }
}

impl From<Key> for char {
    fn from(k: Key) -> char {
        k.to_char()
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_char())
    }
}

/// A set of keys (a 16-bit mask indexed by [`Key::event_code`]).
///
/// ```
/// use touchtone::KeySet;
/// use touchtone::Key;
/// let s: KeySet = "#*".parse().unwrap();
/// assert!(s.contains(Key::Pound) && s.contains(Key::Star) && !s.contains(Key::K1));
/// assert_eq!(s.to_string(), "*#");
/// assert!(KeySet::EMPTY.is_empty());
/// assert_eq!(KeySet::ALL.len(), 16);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct KeySet(u16);

impl KeySet {
    /// No key.
    pub const EMPTY: KeySet = KeySet(0);
    /// All sixteen keys.
    pub const ALL: KeySet = KeySet(0xffff);
    /// The twelve keys of a phone keypad, `0-9 * #`.
    pub const KEYPAD: KeySet = KeySet(0x0fff);
    /// The digits `0-9`.
    pub const DIGITS: KeySet = KeySet(0x03ff);

    /// The set holding only `key`.
    pub const fn one(key: Key) -> KeySet {
        KeySet(1 << (key as u8))
    }

    /// The keys of a string of key characters, e.g. `"#*"`.
    ///
    /// # Errors
    /// The first character that is not a key.
    pub fn from_chars(s: &str) -> Result<KeySet, InvalidKeyChar> {
        let mut set = KeySet::EMPTY;
        for c in s.chars() {
            set = set.with(Key::try_from(c)?);
        }
        Ok(set)
    }

    /// This set plus `key`.
    #[must_use]
    pub const fn with(self, key: Key) -> KeySet {
        KeySet(self.0 | 1 << (key as u8))
    }

    /// This set without `key`.
    #[must_use]
    pub const fn without(self, key: Key) -> KeySet {
        KeySet(self.0 & !(1 << (key as u8)))
    }

    /// Whether `key` is in the set.
    pub const fn contains(self, key: Key) -> bool {
        self.0 & (1 << (key as u8)) != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Number of keys in the set.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the two sets share a key.
    pub const fn intersects(self, other: KeySet) -> bool {
        self.0 & other.0 != 0
    }

    /// The keys, in event-code order (`0-9 * # A-D`).
    pub fn iter(self) -> impl Iterator<Item = Key> {
        Key::ALL.into_iter().filter(move |k| self.contains(*k))
    }
}

impl core::str::FromStr for KeySet {
    type Err = InvalidKeyChar;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KeySet::from_chars(s)
    }
}

impl fmt::Display for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for k in self.iter() {
            write!(f, "{k}")?;
        }
        Ok(())
    }
}

impl FromIterator<Key> for KeySet {
    fn from_iter<I: IntoIterator<Item = Key>>(iter: I) -> Self {
        iter.into_iter().fold(KeySet::EMPTY, KeySet::with)
    }
}

/// A key is written as its character (`"5"`, `"#"`, `"A"`).
#[cfg(feature = "json")]
impl serde::Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut b = [0u8; 4];
        s.serialize_str(self.to_char().encode_utf8(&mut b))
    }
}

#[cfg(feature = "json")]
impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let mut cs = s.chars();
        match (cs.next().and_then(Key::from_char), cs.next()) {
            (Some(k), None) => Ok(k),
            _ => Err(serde::de::Error::custom(format!(
                "{s:?} is not a DTMF key (expected one of 0-9 A-D * #)"
            ))),
        }
    }
}

/// A set of keys is written as its keys' characters in event-code order (`"*#"`).
#[cfg(feature = "json")]
impl serde::Serialize for KeySet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[cfg(feature = "json")]
impl<'de> serde::Deserialize<'de> for KeySet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        KeySet::from_chars(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chars_and_codes_round_trip() {
        let chars = "0123456789*#ABCD";
        for (i, c) in chars.chars().enumerate() {
            let k = Key::from_char(c).unwrap();
            assert_eq!(k.event_code() as usize, i);
            assert_eq!(k.to_char(), c);
            assert_eq!(Key::from_event_code(i as u8), Some(k));
        }
        assert_eq!(Key::from_event_code(16), None);
        assert_eq!(Key::from_char('E'), None);
        assert_eq!(Key::try_from('x'), Err(InvalidKeyChar('x')));
        assert_eq!(Key::from_char('a'), Some(Key::A));
    }

    #[test]
    fn keypad_frequencies_match_q23() {
        // Independent of the match arms: the layout table of the requirements.
        let table = ["123A", "456B", "789C", "*0#D"];
        for (r, row) in table.iter().enumerate() {
            for (c, ch) in row.chars().enumerate() {
                let k = Key::from_char(ch).unwrap();
                assert_eq!(k.frequencies(), (ROW_FREQS[r], COL_FREQS[c]));
                assert_eq!(Key::from_row_col(r, c), Some(k));
            }
        }
    }
}
