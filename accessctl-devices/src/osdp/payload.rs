//! The contract every command and reply data type meets, and the macro that builds the
//! [`Command`](super::Command) and [`Reply`](super::Reply) enums from a table of codes.
//!
//! Owns [`Payload`] and `message_enum!`. A payload reads its fields from a cursor and
//! writes them back, byte for byte; whether bytes remain after it is the caller's
//! check. Nothing here knows about frames or the secure channel.

use super::error::{EncodeError, PayloadError};
use super::wire::Cursor;

/// The data of one command or reply: decoded from the bytes after the code, encoded
/// back to the same bytes.
pub(crate) trait Payload: Sized {
    /// Reads the fields from `cursor`; the caller checks that nothing is left.
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError>;

    /// Appends the fields to `out`.
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError>;
}

/// Builds a message enum from its table: one variant per code, a unit variant for a
/// message without data, a one-field variant holding a [`Payload`] otherwise. Generates
/// `code()`, `name()`, `encode_data()`, `decode()` and `decode_at()`, and a module of
/// code constants.
macro_rules! message_enum {
    (@ignore $payload:ty, $($rest:tt)*) => { $($rest)* };
    (
        $(#[$meta:meta])*
        pub enum $name:ident / $codes:ident / $unknown:ident / $prefix:literal {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident $( ( $payload:ty ) )? = $code:literal, $constant:ident;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant $( ($payload) )?, )*
        }

        /// The message codes, named as the standard names them.
        pub mod $codes {
            $(
                #[doc = concat!("`", $prefix, stringify!($constant), "`")]
                pub const $constant: u8 = $code;
            )*
        }

        impl $name {
            /// The message code.
            pub fn code(&self) -> u8 {
                match self {
                    $( Self::$variant { .. } => $code, )*
                }
            }

            /// The standard's name for `code` (`"osdp_POLL"`), if this crate knows it.
            pub fn name(code: u8) -> Option<&'static str> {
                match code {
                    $( $code => Some(concat!($prefix, stringify!($constant))), )*
                    _ => None,
                }
            }

            /// The data bytes that follow the code on the wire.
            ///
            /// Errors when a variable-length field is too long for its count field.
            pub fn encode_data(&self) -> Result<Vec<u8>, $crate::osdp::EncodeError> {
                #[allow(unused_mut)]
                let mut out = Vec::new();
                match self {
                    $(
                        Self::$variant $( (message_enum!(@ignore $payload, value)) )? => {
                            $( message_enum!(@ignore $payload,
                                $crate::osdp::payload::Payload::encode(value, &mut out)?); )?
                        }
                    )*
                }
                Ok(out)
            }

            /// The message with code `code` and data `data`. Error offsets count from the
            /// first data byte (the code sits at offset −1).
            pub fn decode(code: u8, data: &[u8]) -> Result<Self, $crate::osdp::PayloadError> {
                Self::decode_at(code, data, 0)
            }

            /// As [`Self::decode`], the first data byte at offset `base`.
            pub(crate) fn decode_at(
                code: u8,
                data: &[u8],
                base: usize,
            ) -> Result<Self, $crate::osdp::PayloadError> {
                #[allow(unused_mut)]
                let mut cursor = $crate::osdp::wire::Cursor::new(data, base);
                let message = match code {
                    $(
                        $code => Self::$variant $( (
                            <$payload as $crate::osdp::payload::Payload>::decode(&mut cursor)?
                        ) )?,
                    )*
                    _ => {
                        return Err($crate::osdp::PayloadError::$unknown {
                            offset: base.saturating_sub(1),
                            code,
                        })
                    }
                };
                cursor.finish()?;
                Ok(message)
            }
        }
    };
}

pub(crate) use message_enum;
