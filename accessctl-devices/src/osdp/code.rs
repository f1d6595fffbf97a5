//! Named one-byte (or two-byte) codes of the standard: a value type that keeps every
//! value it was given, with constants for the values the standard names.
//!
//! Owns the `code_type!` macro only. Codes are newtypes rather than enums so that a
//! value the standard does not name — a vendor extension, a newer revision — still
//! decodes and encodes back to the same byte; nothing here ever refuses a value.

/// Declares a code type: `pub struct Name(pub Repr)` with one constant per named value,
/// `name()`, `Debug` printing the name when there is one, and conversions from and to
/// the representation.
macro_rules! code_type {
    (
        $(#[$meta:meta])*
        $name:ident: $repr:ty {
            $( $(#[$const_meta:meta])* $constant:ident = $value:literal, $label:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub $repr);

        impl $name {
            $( $(#[$const_meta])* pub const $constant: Self = Self($value); )*

            /// The standard's name for this value, or `None` for a value it does not
            /// name.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($label), )*
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.name() {
                    Some(label) => write!(f, "{}({label})", stringify!($name)),
                    None => write!(f, "{}({:#x})", stringify!($name), self.0),
                }
            }
        }

        impl From<$repr> for $name {
            fn from(value: $repr) -> Self {
                Self(value)
            }
        }

        impl From<$name> for $repr {
            fn from(code: $name) -> Self {
                code.0
            }
        }
    };
}

pub(crate) use code_type;
