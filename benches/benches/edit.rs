//! Criterion benchmark of one `user set` on the reference site (BRIEF §7: ≤ 1 s end to
//! end). Owns one measurement: the CLI's whole run of `accessctl user set NAME --tag
//! bench` (then `--untag bench`, so that every iteration writes) on the reference
//! site (about 22 MB, one file) in a temporary directory — read, lossless edit, check of
//! the result, atomic write. `cargo bench -p accessctl-benches --bench edit`.

use std::hint::black_box;
use std::time::Duration;

use accessctl_benches::{reference_site, SiteParams};
use accessctl_cli::console::Console;
use accessctl_cli::exit::Exit;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};

/// The first user of the reference site's text.
fn first_user(text: &str) -> String {
    let at = text
        .find("\n    user ")
        .or_else(|| text.find("user "))
        .unwrap();
    let rest = text[at..].trim_start().strip_prefix("user ").unwrap();
    rest.split_whitespace().next().unwrap().to_owned()
}

fn user_set(c: &mut Criterion) {
    let text = reference_site(&SiteParams::reference());
    let user = first_user(&text);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reference.acl");
    std::fs::write(&path, &text).unwrap();
    let policy = path.display().to_string();

    let mut group = c.benchmark_group("reference-site");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(20));
    let mut tag = true;
    group.bench_function("user set (read, edit, check, write)", |b| {
        b.iter(|| {
            let change = if tag { "--tag" } else { "--untag" };
            tag = !tag;
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let mut console = Console {
                out: &mut out,
                err: &mut err,
                color: false,
                err_color: false,
                terminal: None,
            };
            let args = [
                "accessctl",
                "user",
                "set",
                &user,
                change,
                "bench",
                "--policy",
                &policy,
            ];
            let exit = accessctl_cli::run_with(black_box(args), &mut console);
            assert_eq!(exit, Exit::Success, "{}", String::from_utf8_lossy(&err));
        })
    });
    group.finish();
}

criterion_group!(benches, user_set);
criterion_main!(benches);
