//! "Did you mean …?": the nearest known name to a misspelled one.
//!
//! Owns the edit distance and the rule for when a candidate is close enough to offer.
//! It never decides whether a name is wrong, only what to suggest once it is.

/// The candidate closest to `name`, if one is close enough to be a likely typo: at
/// most one edit for names up to 4 characters, two up to 8, three beyond. Ties go to
/// the first candidate given.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let budget = match name.chars().count() {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= budget)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The Damerau–Levenshtein distance (optimal string alignment) between `a` and `b`,
/// counted in characters, case-insensitively.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let width = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for (j, cell) in rows.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        set(&mut rows, at(i, 0), i);
        for j in 1..=b.len() {
            let same = a.get(i - 1) == b.get(j - 1);
            let mut best = (get(&rows, at(i - 1, j)) + 1)
                .min(get(&rows, at(i, j - 1)) + 1)
                .min(get(&rows, at(i - 1, j - 1)) + usize::from(!same));
            let swapped =
                i > 1 && j > 1 && a.get(i - 1) == b.get(j - 2) && a.get(i - 2) == b.get(j - 1);
            if swapped {
                best = best.min(get(&rows, at(i - 2, j - 2)) + 1);
            }
            set(&mut rows, at(i, j), best);
        }
    }
    get(&rows, at(a.len(), b.len()))
}

fn get(rows: &[usize], i: usize) -> usize {
    rows.get(i).copied().unwrap_or(usize::MAX / 2)
}

fn set(rows: &mut [usize], i: usize, value: usize) {
    if let Some(cell) = rows.get_mut(i) {
        *cell = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(distance("main", "main"), 0);
        assert_eq!(distance("mian", "main"), 1);
        assert_eq!(distance("offices", "office"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("Main", "main"), 0);
    }

    #[test]
    fn nearest_offers_only_close_names() {
        let names = ["main", "meeting", "r2"];
        assert_eq!(nearest("mian", names), Some("main"));
        assert_eq!(nearest("meting", names), Some("meeting"));
        assert_eq!(nearest("garage", names), None);
    }
}
