//! Criterion benchmarks of lock memory images (BRIEF §7: the image of one door of the
//! reference site in ≤ 1 ms; ≤ 64 KiB for 4,000 offline entries). Owns three groups:
//!
//! - `lock-image/reference`: building (and sealing) the image of the reference
//!   site's offline door with the most entries; decoding it (tag check and parse);
//!   one decision from it (a card of one of its holders);
//! - `lock-image/4000-entries`: the same for a door with 4,000 offline users, one card
//!   each; the image's size is printed and asserted to be at most 64 KiB;
//! - `offline-code`: verifying an offline code on the lock (BRIEF §7: ≤ 10 µs).
//!
//! Setting up generates and compiles the reference site (about 20 s on 2 cores).
//! `cargo bench -p accessctl-benches --bench offline`.

use accessctl_benches::workload::{Workload, WINDOW_START};
use accessctl_benches::SiteParams;
use accessctl_core::model::{Credential, DoorId, Policy};
use accessctl_core::offline::code::{
    check_code, door_code_key, issue as issue_code, CodeRequest, CodeVerifier,
};
use accessctl_core::offline::{build_image, lock_key, BuiltImage, Issue, LockImage};
use accessctl_core::secret::Key;
use accessctl_core::{check, CompiledPolicy, Presented, Sources, Timestamp};
use criterion::{criterion_group, criterion_main, Criterion};
use std::fmt::Write as _;
use std::hint::black_box;

/// The most a 4,000-entry image may take.
const SIZE_TARGET: usize = 64 * 1024;

fn site_key() -> Key {
    Key::from_entropy([0x5e; 32])
}

fn issue() -> Issue {
    Issue::at(Timestamp(WINDOW_START))
}

fn build(policy: &Policy, compiled: &CompiledPolicy, door: DoorId) -> BuiltImage {
    let key = lock_key(&site_key(), &policy.doors[door.index()].name);
    build_image(policy, compiled, door, &key, issue()).expect("the image builds")
}

/// The offline door whose image holds the most entries.
fn busiest_offline_door(policy: &Policy, compiled: &CompiledPolicy) -> (DoorId, BuiltImage) {
    policy
        .doors
        .iter()
        .enumerate()
        .filter(|(_, d)| d.connectivity == accessctl_core::model::Connectivity::Offline)
        .map(|(i, _)| DoorId(i as u32))
        .map(|door| (door, build(policy, compiled, door)))
        .max_by_key(|(_, built)| built.contents.entries())
        .expect("the reference site has offline doors")
}

/// A card of the image's first holder that has one.
fn holder_card(policy: &Policy, built: &BuiltImage) -> u64 {
    built
        .map
        .holders
        .iter()
        .flat_map(|u| policy.users[u.index()].credentials.iter())
        .find_map(|c| match c {
            Credential::Card(n) => Some(*n),
            _ => None,
        })
        .expect("a holder with a card")
}

fn measure(
    c: &mut Criterion,
    group: &str,
    policy: &Policy,
    compiled: &CompiledPolicy,
    door: DoorId,
) {
    let built = build(policy, compiled, door);
    let key = lock_key(&site_key(), &policy.doors[door.index()].name);
    let image = LockImage::decode(&built.bytes, &key).expect("authentic");
    let card = Presented {
        card: Some(holder_card(policy, &built)),
        ..Presented::default()
    };
    // A Monday, 10:00 UTC.
    let at = Timestamp(WINDOW_START + 10 * 3600);
    let summary = built.contents.summary();
    eprintln!(
        "{group}: door `{}`: {} entries ({} holders, {} schedules, {} revoked), {} bytes; \
         a card of a holder: {}",
        summary.door,
        summary.entries,
        summary.holders,
        summary.schedules,
        summary.revocations,
        summary.bytes,
        image.decide(&card, at).reason
    );
    let mut g = c.benchmark_group(group);
    g.bench_function("build", |b| {
        b.iter(|| build_image(policy, compiled, black_box(door), &key, issue()))
    });
    g.bench_function("decode", |b| {
        b.iter(|| LockImage::decode(black_box(&built.bytes), &key))
    });
    g.bench_function("decide", |b| b.iter(|| image.decide(black_box(&card), at)));
    g.finish();
}

fn reference(c: &mut Criterion) {
    let workload = Workload::new(SiteParams::reference());
    let (door, _) = busiest_offline_door(&workload.policy, &workload.compiled);
    measure(
        c,
        "lock-image/reference",
        &workload.policy,
        &workload.compiled,
        door,
    );
}

/// A site with one offline door and 4,000 offline users holding one card each, with
/// 40 schedules, holidays, and validity windows for a third of them.
fn four_thousand_text() -> String {
    let mut text = String::from(
        "site hq { timezone \"Europe/Paris\"  door store { offline  capacity 4000  readers badge pin } }\n\
         holidays fr { 2026-01-01 2026-05-01 2026-07-14 2026-08-03..2026-08-21 2026-12-25 }\n",
    );
    for s in 0..40 {
        let _ = writeln!(
            text,
            "schedule s{s} {{ mon..fri {:02}:00-{:02}:30  sat 09:00-12:00  except holidays fr }}",
            6 + s % 4,
            17 + s % 6
        );
    }
    text.push_str("account acme {\n");
    for u in 0..4000 {
        let validity = if u % 3 == 0 {
            format!(
                "  valid 2026-{:02}-01..2027-{:02}-28",
                1 + u % 12,
                1 + u % 12
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            text,
            "  user u{u} \"User {u}\" {{ card {}  offline  schedule s{}{validity}  allow store }}",
            10_000_000 + u * 37,
            u % 40
        );
    }
    text.push('}');
    text
}

fn four_thousand(c: &mut Criterion) {
    let mut sources = Sources::new();
    sources.add("store.acl", four_thousand_text());
    let policy = check(&sources)
        .policy
        .expect("the 4,000-user site validates");
    let compiled = CompiledPolicy::new(&policy);
    let door = policy.door_named("store").expect("declared");
    let built = build(&policy, &compiled, door);
    let bytes = built.bytes.len();
    assert_eq!(built.contents.entries(), 4000);
    assert!(
        bytes <= SIZE_TARGET,
        "a 4,000-entry image takes {bytes} bytes, beyond {SIZE_TARGET}"
    );
    eprintln!(
        "lock-image/4000-entries: {bytes} bytes ({:.1} KiB, target ≤ 64 KiB)",
        bytes as f64 / 1024.0
    );
    measure(c, "lock-image/4000-entries", &policy, &compiled, door);
}

/// `offline-code/*`: the lock's side of an offline code (BRIEF §7: ≤ 10 µs): a valid
/// repeatable code through the lock's verifier (lockout and one-time memory
/// consulted), and the stateless check of a valid and of a wrong code.
fn offline_codes(c: &mut Criterion) {
    let door_key = door_code_key(&site_key(), "d00001");
    let request = CodeRequest {
        start: Timestamp(WINDOW_START),
        hours: 24,
        once: false,
        variant: 0,
    };
    let issued = issue_code(&door_key, &request).expect("a 24-hour code issues");
    let code = issued.code.expose_digits().to_owned();
    let now = Timestamp(WINDOW_START + 3600);
    // Another door's code for the same window: well formed, wrong for this lock.
    let other_door = door_code_key(&site_key(), "d00002");
    let wrong = issue_code(&other_door, &request).expect("issues");
    let wrong = wrong.code.expose_digits().to_owned();
    let mut verifier = CodeVerifier::new(door_key.clone());
    let mut group = c.benchmark_group("offline-code");
    group.bench_function("verify-accepted", |b| {
        b.iter(|| verifier.verify(black_box(&code), black_box(now)))
    });
    group.bench_function("check-accepted", |b| {
        b.iter(|| check_code(&door_key, black_box(&code), black_box(now)))
    });
    group.bench_function("check-wrong", |b| {
        b.iter(|| check_code(&door_key, black_box(&wrong), black_box(now)))
    });
    group.finish();
}

criterion_group!(benches, reference, four_thousand, offline_codes);
criterion_main!(benches);
