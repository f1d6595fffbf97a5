//! What a Wiegand format is: a length, parity rules and the fields that carry the card.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{formats, WiegandError};

/// A run of bits holding one number, read most significant bit first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Field {
    offset: u8,
    width: u8,
}

impl Field {
    /// The `width` bits starting at `offset` (0 is the first bit transmitted).
    pub const fn new(offset: u8, width: u8) -> Self {
        Self { offset, width }
    }

    /// The offset of its first (most significant) bit.
    pub fn offset(&self) -> usize {
        usize::from(self.offset)
    }

    /// How many bits it has.
    pub fn width(&self) -> usize {
        usize::from(self.width)
    }

    /// The largest value it holds.
    pub fn max(&self) -> u64 {
        if self.width >= 64 {
            u64::MAX
        } else {
            (1u64 << self.width) - 1
        }
    }
}

/// Which of a card's numbers a [`Field`] carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// The facility (site, company) code.
    Facility,
    /// The card number.
    Card,
}

impl fmt::Display for FieldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FieldKind::Facility => "facility code",
            FieldKind::Card => "card number",
        })
    }
}

/// The kind of a parity bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Parity {
    /// The parity bit and the bits it covers hold an even number of ones.
    Even,
    /// The parity bit and the bits it covers hold an odd number of ones.
    Odd,
}

impl fmt::Display for Parity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Parity::Even => "even",
            Parity::Odd => "odd",
        })
    }
}

/// One parity bit of a format: where it sits, its kind, and the bits it covers.
///
/// The covered bits are a mask in which bit `i` stands for frame offset `i`. A rule may
/// cover another rule's parity bit (HID Corporate 1000 does); a format lists its rules in
/// the order an encoder computes them, each rule covering only bits already final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParityRule {
    offset: u8,
    kind: Parity,
    covers: u128,
}

impl ParityRule {
    /// A parity bit at `offset` covering every offset from `first` to `last` inclusive.
    pub const fn over_range(offset: u8, kind: Parity, first: u8, last: u8) -> Self {
        let mut covers = 0u128;
        let mut at = first;
        while at <= last {
            covers |= 1u128 << at;
            at += 1;
        }
        Self::over_mask(offset, kind, covers)
    }

    /// A parity bit at `offset` covering the offsets set in `covers` (bit `i` stands for
    /// offset `i`).
    pub const fn over_mask(offset: u8, kind: Parity, covers: u128) -> Self {
        Self {
            offset,
            kind,
            covers,
        }
    }

    /// The parity bit's offset in the frame.
    pub fn offset(&self) -> usize {
        usize::from(self.offset)
    }

    /// Even or odd.
    pub fn kind(&self) -> Parity {
        self.kind
    }

    /// The covered offsets as a mask: bit `i` stands for offset `i`.
    pub fn covers_mask(&self) -> u128 {
        self.covers
    }

    /// Whether the rule covers the bit at `offset`.
    pub fn covers(&self, offset: usize) -> bool {
        offset < 128 && self.covers >> offset & 1 == 1
    }

    /// The covered offsets, in increasing order.
    pub fn covered(&self) -> impl Iterator<Item = usize> {
        let covers = self.covers;
        (0..128).filter(move |&offset| covers >> offset & 1 == 1)
    }
}

/// How a format lays its bits out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Layout {
    /// A fixed length with parity bits and fields.
    Fixed {
        bits: u8,
        parity: &'static [ParityRule],
        facility: Option<Field>,
        card: Field,
    },
    /// Any length, no parity, the whole frame as the card number.
    Raw,
}

/// A Wiegand card format: its name, length, parity rules and fields.
///
/// The known formats are constants in [`formats`]; [`Format::by_name`] finds one by its
/// name. Formats serialize as their name (`"h10301"`).
///
/// ```
/// use accessctl_devices::wiegand::{formats, Format};
///
/// let format = Format::by_name("H10301").unwrap();
/// assert_eq!(format, formats::H10301);
/// assert_eq!(format.name(), "h10301");
/// assert_eq!(format.bit_len(), Some(26));
/// assert_eq!(format.facility_field().map(|f| (f.offset(), f.width())), Some((1, 8)));
/// assert_eq!(format.card_field().map(|f| (f.offset(), f.width())), Some((9, 16)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Format {
    name: &'static str,
    title: &'static str,
    layout: Layout,
}

impl Format {
    /// A fixed-length format. The catalogue's formats are built with it and checked by
    /// its tests; it stays private until custom formats have a validating constructor.
    pub(crate) const fn fixed(
        name: &'static str,
        title: &'static str,
        bits: u8,
        parity: &'static [ParityRule],
        facility: Option<Field>,
        card: Field,
    ) -> Self {
        Self {
            name,
            title,
            layout: Layout::Fixed {
                bits,
                parity,
                facility,
                card,
            },
        }
    }

    /// The raw format: any length, no parity.
    pub(crate) const fn raw(name: &'static str, title: &'static str) -> Self {
        Self {
            name,
            title,
            layout: Layout::Raw,
        }
    }

    /// The format named `name` in the catalogue, ignoring ASCII case.
    pub fn by_name(name: &str) -> Option<Format> {
        formats::ALL
            .iter()
            .find(|format| format.name.eq_ignore_ascii_case(name))
            .copied()
    }

    /// Its short name, lowercase (`"h10301"`): the name used in policies, JSON and
    /// [`Format::by_name`].
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// A human description (`"HID H10301 26-bit"`).
    pub fn title(&self) -> &'static str {
        self.title
    }

    /// Its length in bits, or `None` for the raw format, which takes any length.
    pub fn bit_len(&self) -> Option<usize> {
        match self.layout {
            Layout::Fixed { bits, .. } => Some(usize::from(bits)),
            Layout::Raw => None,
        }
    }

    /// Whether it reads frames of `len` bits.
    pub fn accepts_len(&self, len: usize) -> bool {
        self.bit_len().is_none_or(|bits| bits == len)
    }

    /// Whether it is the raw format.
    pub fn is_raw(&self) -> bool {
        matches!(self.layout, Layout::Raw)
    }

    /// Its parity rules, in the order an encoder computes them; empty for raw.
    pub fn parity_rules(&self) -> &'static [ParityRule] {
        match self.layout {
            Layout::Fixed { parity, .. } => parity,
            Layout::Raw => &[],
        }
    }

    /// The field holding the facility code, if it has one.
    pub fn facility_field(&self) -> Option<Field> {
        match self.layout {
            Layout::Fixed { facility, .. } => facility,
            Layout::Raw => None,
        }
    }

    /// The field holding the card number; `None` for raw, whose card number is the whole
    /// frame.
    pub fn card_field(&self) -> Option<Field> {
        match self.layout {
            Layout::Fixed { card, .. } => Some(card),
            Layout::Raw => None,
        }
    }
}

impl fmt::Debug for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Format({})", self.name)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl FromStr for Format {
    type Err = WiegandError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Format::by_name(name).ok_or_else(|| WiegandError::UnknownFormat {
            name: name.to_owned(),
        })
    }
}

impl Serialize for Format {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name)
    }
}

impl<'de> Deserialize<'de> for Format {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}
