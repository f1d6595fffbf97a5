//! Offline: what a lock with no network holds and how it decides alone.
//!
//! Owns the lock memory image (its binary format, how it is built from a compiled
//! policy for one door, and how it is read back), the offline evaluator that decides
//! from an image alone exactly as the compiled engine would in offline mode, and the
//! algorithmic offline codes a lock verifies with only its secret and its clock, and
//! the lock's keypad that puts every secret typed at it behind one lockout. It
//! never reads a clock or a random source: instants and entropy come from the caller.
//!
//! ```
//! use accessctl_core::offline::{build_image, lock_key, Issue, LockImage};
//! use accessctl_core::secret::Key;
//! use accessctl_core::{check, CompiledPolicy, Timestamp, Presented, Reason, Sources};
//!
//! let mut sources = Sources::new();
//! sources.add("hq.acl", r#"
//! site hq { timezone "Europe/Paris"  door store { offline  capacity 100 }  code "483920" on store }
//! schedule office { mon..fri 08:00-19:00 }
//! account acme { user ana "Ana" { card 42  offline  schedule office  allow store } }
//! "#);
//! let policy = check(&sources).policy.expect("valid policy");
//! let compiled = CompiledPolicy::new(&policy);
//! let store = policy.door_named("store").expect("declared");
//!
//! // On the server: the lock's key comes from the site's key; build and seal the image.
//! let site_key = Key::from_entropy([7; 32]);
//! let key = lock_key(&site_key, "store");
//! let issued = Timestamp(1_795_000_000); // 2026-11-18
//! let built = build_image(&policy, &compiled, store, &key, Issue::at(issued))?;
//! assert_eq!(built.contents.summary().entries, 2);
//!
//! // On the lock: check the image with its key, then decide alone.
//! let image = LockImage::decode(&built.bytes, &key)?;
//! let card = Presented { card: Some(42), ..Presented::default() };
//! let monday_9am = Timestamp(1_795_420_800); // 2026-11-23T09:00 in Paris
//! assert_eq!(image.decide(&card, monday_9am).reason, Reason::Granted);
//! let code = Presented { pin: Some("483920"), ..Presented::default() };
//! assert_eq!(image.decide(&code, monday_9am).reason, Reason::SpaceCode);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod build;
pub mod code;
mod evaluate;
pub mod image;
mod keypad;
#[cfg(test)]
mod tests;

pub use build::{build_image, BuildError, BuiltImage, ImageMap, Issue};
pub use evaluate::{LockDecision, LockHolder};
pub use image::{
    inspect, lock_key, DecodeError, ImageContents, ImageSummary, Inspection, LockImage, SealError,
    UnverifiedImage,
};
pub use keypad::{judge_unknown, KeypadMemory, KeypadOutcome, LockKeypad, Unknown};
