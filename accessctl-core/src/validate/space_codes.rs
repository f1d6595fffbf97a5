//! Permanent space codes alike on one door (E0406).
//!
//! Owns expanding each space code's targets to doors and finding two codes with the
//! same characters on one door, which a lock could not tell apart. Each pair of
//! codes is reported once, at the later one, with the earlier one shown.
//!
//! It must never print a code (it is a secret kept in the locks' memory) and never
//! judge a code's form (that is [`super::values`]).

use super::names::Names;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{DoorId, Policy};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::hash_map::Entry;

/// Reports every two space codes alike on one door.
pub(super) fn check(names: &Names<'_>, policy: &Policy, diags: &mut Vec<Diagnostic>) {
    let mut on_door: HashMap<(DoorId, &str), usize> = HashMap::default();
    let mut reported: HashSet<(usize, usize)> = HashSet::default();
    for (index, ((code, _), lowered)) in names.codes.iter().zip(&policy.space_codes).enumerate() {
        let doors = lowered.targets.iter().flat_map(|t| policy.doors_of(*t));
        for door in doors {
            let first = match on_door.entry((door, code.code.value.as_str())) {
                Entry::Vacant(slot) => {
                    slot.insert(index);
                    continue;
                }
                Entry::Occupied(first) => *first.get(),
            };
            if first == index || !reported.insert((first, index)) {
                continue;
            }
            let Some((earlier, _)) = names.codes.get(first) else {
                continue;
            };
            let door = names.door_name(door);
            diags.push(
                Diagnostic::error(
                    Code::SpaceCodeCollision,
                    code.code.span,
                    format!("two permanent space codes alike on door `{door}`"),
                )
                .with_label("the same code as another one on this door")
                .with_secondary(earlier.code.span, "the other code")
                .with_help("a lock cannot tell them apart: change one of them"),
            );
        }
    }
}
