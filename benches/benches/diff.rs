//! Criterion benchmark of the semantic diff (issue #15: "`diff` of two reference
//! sites differing in 1,000 users", well under a second). Owns the change: every
//! 100th user of the reference site (100,000 users) toggles `inactive`, so 1,000
//! users gain or lose every door they reach; `accessctl_core::diff::diff` of the two
//! checked policies is measured, both compilations included (parsing and validating
//! them is not: `check` is measured by `parse_validate`).
//!
//! `cargo bench -p accessctl-benches --bench diff`.

use accessctl_benches::{reference_site, SiteParams};
use accessctl_core::diff::diff;
use accessctl_core::{check, Checked, Sources};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use std::hint::black_box;
use std::time::Duration;

/// `text` with `inactive` toggled in every `every`-th user block; how many changed.
fn toggle_users(text: &str, every: usize) -> (String, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len() + 1000);
    let mut users = 0;
    let mut changed = 0;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if !trimmed.starts_with("user ") || !trimmed.ends_with('{') {
            out.push(line.to_string());
            i += 1;
            continue;
        }
        let indent = &line[..line.len() - trimmed.len()];
        let close = format!("{indent}}}");
        let end = (i..lines.len()).find(|&j| lines[j] == close).unwrap();
        let selected = users % every == 0;
        users += 1;
        let block = &lines[i..=end];
        if !selected {
            out.extend(block.iter().map(|l| l.to_string()));
        } else if block.iter().any(|l| l.trim() == "inactive") {
            out.extend(
                block
                    .iter()
                    .filter(|l| l.trim() != "inactive")
                    .map(|l| l.to_string()),
            );
            changed += 1;
        } else {
            out.push(line.to_string());
            out.push(format!("{indent}  inactive"));
            out.extend(block[1..].iter().map(|l| l.to_string()));
            changed += 1;
        }
        i = end + 1;
    }
    (out.join("\n") + "\n", changed)
}

fn checked(text: &str) -> Checked {
    let mut sources = Sources::new();
    sources.add("reference.acl", text);
    let checked = check(&sources);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics.first());
    checked
}

fn semantic_diff(c: &mut Criterion) {
    let text = reference_site(&SiteParams::reference());
    let (changed_text, changed) = toggle_users(&text, 100);
    assert_eq!(changed, 1000);
    let (old, new) = (checked(&text), checked(&changed_text));
    let once = diff(&old, &new);
    assert_eq!(once.affected_users(), 1000);
    println!(
        "diff of two reference sites differing in {changed} users: {} access deltas, {} other changes",
        once.access.len(),
        once.changes.len()
    );
    let mut group = c.benchmark_group("reference-site");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    group.bench_function("diff-1000-users", |b| {
        b.iter(|| diff(black_box(&old), black_box(&new)))
    });
    group.finish();
}

criterion_group!(benches, semantic_diff);
criterion_main!(benches);
