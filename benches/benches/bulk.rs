//! Criterion benchmark of `accessctl bulk` on the reference site (issue 15: `bulk`
//! tagging 10,000 users, end to end, in at most 2 s).
//!
//! Owns `bulk/tag-10000`: the command run as a person would run it, `accessctl bulk
//! --policy site.acl --tagged T… --tag bulk_tagged --yes`, through
//! `accessctl_cli::run_with` with its output captured — reading the 22 MB file,
//! checking it, selecting the users of enough tags to make at least 10,000 (tags are
//! OR'd), one `Edit::ChangeUser` each applied at once by the core's `edit::apply`
//! (`apply_checked`, on the texts already checked, which validates the result), the
//! diff and the atomic write. Each iteration starts from the
//! original file, put back outside the measurement. Setting up generates the reference
//! site (about 10 s on 2 cores) and prints how many users the filter selects.
//! `cargo bench -p accessctl-benches --bench bulk`.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use accessctl_benches::{reference_site, SiteParams};
use accessctl_cli::console::Console;
use accessctl_cli::exit::Exit;
use accessctl_core::edit::{self, Edit, UserPatch};
use accessctl_core::select::{select, Filter};
use accessctl_core::{check, FileId, Sources};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};

/// How many users the benchmark's filter must select at least.
const AT_LEAST: usize = 10_000;

/// The tags whose union first reaches [`AT_LEAST`] users, and that union's size.
fn tags_for(text: &str) -> (Vec<String>, usize) {
    let mut sources = Sources::new();
    sources.add("site.acl", text);
    let policy = check(&sources).policy.expect("the reference site is valid");
    let mut tags: Vec<String> = policy.users.iter().flat_map(|u| u.tags.clone()).collect();
    tags.sort();
    tags.dedup();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
    let mut chosen = Vec::new();
    for tag in tags {
        chosen.push(tag);
        let filter = Filter {
            tagged: chosen.clone(),
            ..Filter::default()
        };
        let selected = select(&policy, &filter, today).expect("known tags").len();
        if selected >= AT_LEAST {
            return (chosen, selected);
        }
    }
    panic!("the reference site has fewer than {AT_LEAST} tagged users");
}

fn run_bulk(args: &[String]) -> Exit {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut console = Console {
        out: &mut out,
        err: &mut err,
        color: false,
        err_color: false,
        terminal: None,
    };
    let exit = accessctl_cli::run_with(args, &mut console);
    assert_eq!(exit, Exit::Success, "{}", String::from_utf8_lossy(&err));
    exit
}

/// Prints the time of each stage of one run, once: where the time goes.
fn stages(text: &str, tags: &[String]) {
    let clock = Instant::now();
    let mut sources = Sources::new();
    sources.add("site.acl", text);
    let checked = check(&sources);
    let policy = checked.policy.clone().expect("the reference site is valid");
    let checked_in = clock.elapsed();
    let filter = Filter {
        tagged: tags.to_vec(),
        ..Filter::default()
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
    let clock = Instant::now();
    let selected = select(&policy, &filter, today).expect("known tags");
    let selected_in = clock.elapsed();
    let patch = UserPatch {
        tags_added: vec!["bulk_tagged".to_owned()],
        ..UserPatch::default()
    };
    let edits: Vec<Edit> = selected
        .iter()
        .map(|u| Edit::ChangeUser {
            user: policy.users[u.index()].name.clone(),
            patch: patch.clone(),
        })
        .collect();
    let clock = Instant::now();
    let edited = edit::apply_checked(&sources, checked, &edits).expect("the edits apply");
    let applied_in = clock.elapsed();
    let clock = Instant::now();
    let diff = accessctl_cli::diff::unified(
        sources.get(FileId(0)).text(),
        edited.sources.get(FileId(0)).text(),
        "site.acl",
    );
    let diffed_in = clock.elapsed();
    eprintln!(
        "bulk stages: check {checked_in:.2?}, select {selected_in:.2?}, edit::apply_checked \
         (the edits, then the result checked) {applied_in:.2?}, diff {diffed_in:.2?} \
         ({} bytes)",
        diff.len()
    );
}

fn bulk(c: &mut Criterion) {
    let text = reference_site(&SiteParams::reference());
    let (tags, selected) = tags_for(&text);
    eprintln!(
        "bulk: --tagged {} selects {selected} of 100,000 users",
        tags.join(" --tagged ")
    );
    stages(&text, &tags);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("site.acl");
    let mut args: Vec<String> = ["accessctl", "bulk", "--policy"]
        .map(str::to_owned)
        .to_vec();
    args.push(path.display().to_string());
    for tag in &tags {
        args.extend(["--tagged".to_owned(), tag.clone()]);
    }
    args.extend(["--tag", "bulk_tagged", "--yes"].map(str::to_owned));

    let reset = |path: &Path| std::fs::write(path, &text).expect("the site written");
    reset(&path);
    run_bulk(&args);
    let written = std::fs::read_to_string(&path).expect("the site read back");
    assert_eq!(
        written.matches("bulk_tagged").count(),
        selected,
        "one tag added per selected user"
    );

    let mut group = c.benchmark_group("bulk");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    group.bench_function("tag-10000", |b| {
        b.iter_batched(
            || reset(&path),
            |()| black_box(run_bulk(&args)),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bulk);
criterion_main!(benches);
