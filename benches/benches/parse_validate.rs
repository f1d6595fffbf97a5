//! Criterion benchmarks of the policy language on the reference site (BRIEF §7:
//! parse + validate at ≥ 20 MB/s). Owns three measurements, each reported in bytes
//! of policy text per second: parse + validate (`accessctl_core::check`), parse
//! alone, and format alone (of the already parsed tree).
//!
//! Every iteration handles the whole reference site (about 22 MB), so the groups
//! use flat sampling with 10 samples: the run takes about a minute on 2 cores.
//! `cargo bench -p accessctl-benches`.

use accessctl_benches::{reference_site, SiteParams};
use accessctl_core::{check, format, syntax, FileId, Sources};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use std::hint::black_box;
use std::time::Duration;

fn reference_text() -> String {
    reference_site(&SiteParams::reference())
}

fn language(c: &mut Criterion) {
    let text = reference_text();
    let mut sources = Sources::new();
    sources.add("reference.acl", text.as_str());
    let parsed = syntax::parse(FileId(0), &text);

    let mut group = c.benchmark_group("reference-site");
    group
        .throughput(Throughput::Bytes(text.len() as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    group.bench_function("parse+validate", |b| b.iter(|| check(black_box(&sources))));
    group.bench_function("parse", |b| {
        b.iter(|| syntax::parse(FileId(0), black_box(&text)))
    });
    group.bench_function("format", |b| {
        b.iter(|| format::format(black_box(&parsed.file)))
    });
    group.finish();
}

criterion_group!(benches, language);
criterion_main!(benches);
