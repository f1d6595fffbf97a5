//! The reference-site generator for benchmarks (BRIEF §7).
//!
//! Owns [`reference_site`]: deterministic, valid and realistic policy text of any
//! size, from a tiny xorshift generator seeded by [`SiteParams`] (no `rand`). The
//! text has several sites in several time zones (one far from UTC), doors with
//! groups, paths, space codes, offline locks and two-factor doors, schedules with
//! weekday ranges, midnight crossings and holiday calendars, accounts with
//! sub-accounts nested three deep whose ceilings bound their members' grants and
//! rights, users with unique cards, PINs, QR codes and mobile keys, tags, validity
//! windows, offline and inactive users, and appointments. It is written in
//! canonical form, so formatting it is a fixed point.
//!
//! It must never produce a policy with errors or warnings: the unit tests check the
//! small site through `accessctl_core::check`.
//!
//! [`workload`] turns a generated site into what the decision benchmarks ask: the
//! site checked and compiled, and card presentations sampled by expected answer.

use std::fmt::Write as _;

pub mod workload;

/// How big a site to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteParams {
    /// Users, in all accounts together.
    pub users: usize,
    /// Doors, over all sites.
    pub doors: usize,
    /// Schedules.
    pub schedules: usize,
    /// Sub-accounts, nested up to three deep.
    pub subaccounts: usize,
    /// Seed of the generator: the same parameters always give the same text.
    pub seed: u64,
}

impl SiteParams {
    /// The reference site of BRIEF §7: 100,000 users, 5,000 doors, 500 schedules,
    /// 200 sub-accounts.
    pub fn reference() -> SiteParams {
        SiteParams {
            users: 100_000,
            doors: 5_000,
            schedules: 500,
            subaccounts: 200,
            seed: 0x05EE_DAC1_2026,
        }
    }

    /// A tiny site with every construct, for tests.
    pub fn small() -> SiteParams {
        SiteParams {
            users: 200,
            doors: 40,
            schedules: 12,
            subaccounts: 6,
            seed: 7,
        }
    }
}

/// Generates the policy text of a site of the given size.
pub fn reference_site(params: &SiteParams) -> String {
    let layout = Layout::new(params);
    let mut gen = Gen::new(params, &layout);
    gen.run();
    gen.out.buf
}

// ---------------------------------------------------------------------------------
// Randomness

/// xorshift64*: small, fast, deterministic; never zero.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`0` when `n` is zero).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next() % n as u64) as usize
    }

    /// True `percent` times out of a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------
// Fixed vocabularies

const ZONES: [(&str, &str); 8] = [
    ("Europe/Paris", "Paris"),
    ("Pacific/Auckland", "Auckland"),
    ("America/New_York", "New York"),
    ("Europe/London", "London"),
    ("Asia/Tokyo", "Tokyo"),
    ("Pacific/Kiritimati", "Kiritimati"),
    ("America/Los_Angeles", "Los Angeles"),
    ("Australia/Sydney", "Sydney"),
];

/// A holiday: first day, last day of a range, label.
type Day = (&'static str, Option<&'static str>, &'static str);

/// Holiday calendars: name and days.
const CALENDARS: [(&str, &[Day]); 4] = [
    (
        "fr",
        &[
            ("2026-01-01", None, "Jour de l'an"),
            ("2026-05-01", None, "Fête du travail"),
            ("2026-07-14", None, "Fête nationale"),
            ("2026-08-03", Some("2026-08-21"), "Fermeture estivale"),
            ("2026-12-25", None, "Noël"),
        ],
    ),
    (
        "nz",
        &[
            ("2026-01-01", Some("2026-01-02"), "New Year"),
            ("2026-02-06", None, "Waitangi Day"),
            ("2026-04-27", None, "ANZAC Day (observed)"),
            ("2026-12-25", None, "Christmas Day"),
        ],
    ),
    (
        "us",
        &[
            ("2026-01-01", None, "New Year's Day"),
            ("2026-07-03", None, "Independence Day (observed)"),
            ("2026-11-26", Some("2026-11-27"), "Thanksgiving"),
            ("2026-12-25", None, "Christmas Day"),
        ],
    ),
    (
        "jp",
        &[
            ("2026-01-01", Some("2026-01-03"), "Shōgatsu"),
            ("2026-04-29", None, "Shōwa Day"),
            ("2026-05-03", Some("2026-05-06"), "Golden Week"),
        ],
    ),
];

const FIRST: [(&str, &str); 24] = [
    ("ana", "Ana"),
    ("louis", "Louis"),
    ("emma", "Emma"),
    ("hugo", "Hugo"),
    ("chloe", "Chloé"),
    ("noah", "Noah"),
    ("ines", "Inès"),
    ("arthur", "Arthur"),
    ("olivia", "Olivia"),
    ("james", "James"),
    ("mia", "Mia"),
    ("liam", "Liam"),
    ("yuki", "Yuki"),
    ("haruto", "Haruto"),
    ("aroha", "Aroha"),
    ("tama", "Tama"),
    ("sofia", "Sofía"),
    ("mateo", "Mateo"),
    ("elodie", "Élodie"),
    ("karim", "Karim"),
    ("priya", "Priya"),
    ("wei", "Wei"),
    ("fatou", "Fatou"),
    ("lukas", "Lukas"),
];

const LAST: [(&str, &str); 24] = [
    ("martin", "Martin"),
    ("bernard", "Bernard"),
    ("dubois", "Dubois"),
    ("lefevre", "Lefèvre"),
    ("smith", "Smith"),
    ("jones", "Jones"),
    ("brown", "Brown"),
    ("taylor", "Taylor"),
    ("sato", "Sato"),
    ("suzuki", "Suzuki"),
    ("ngata", "Ngata"),
    ("walker", "Walker"),
    ("garcia", "García"),
    ("lopez", "López"),
    ("nguyen", "Nguyen"),
    ("haddad", "Haddad"),
    ("diallo", "Diallo"),
    ("muller", "Müller"),
    ("rossi", "Rossi"),
    ("kowalski", "Kowalski"),
    ("patel", "Patel"),
    ("chen", "Chen"),
    ("oconnor", "O'Connor"),
    ("silva", "Silva"),
];

const TAGS: [&str; 12] = [
    "staff",
    "marketing",
    "engineering",
    "finance",
    "sales",
    "facilities",
    "contractor",
    "night-shift",
    "members",
    "interns",
    "visitors",
    "security",
];

const DOOR_KINDS: [&str; 8] = [
    "Entrance",
    "Office",
    "Meeting room",
    "Stairwell",
    "Storage",
    "Car park",
    "Server room",
    "Lounge",
];

const TOP_ACCOUNTS: [(&str, &str); 4] = [
    ("northwind", "Northwind Facilities"),
    ("contoso", "Contoso Workspace"),
    ("fabrikam", "Fabrikam Campus"),
    ("initech", "Initech Properties"),
];

/// Rights a sub-account may be given, in canonical order.
const DELEGABLE: [&str; 11] = [
    "users",
    "badges",
    "codes",
    "mobile",
    "remote",
    "schedules",
    "history",
    "export",
    "bulk",
    "appointments",
    "keys",
];

const DOORS_PER_SITE: usize = 250;
const DOORS_PER_GROUP: usize = 10;
const DOORS_PER_PATH: usize = 25;

// ---------------------------------------------------------------------------------
// Layout: what exists, decided before any text is written

/// A site's doors (global indexes), groups and paths.
struct SitePlan {
    doors: std::ops::Range<usize>,
    groups: Vec<Vec<usize>>,
    paths: Vec<Vec<usize>>,
}

/// Who a sub-account hangs under.
#[derive(Clone, Copy)]
enum Parent {
    Top(usize),
    Sub(usize),
}

/// A sub-account: its place in the tree and its ceiling.
struct SubPlan {
    site: usize,
    /// `None`: the whole site; otherwise indexes of the site's groups.
    groups: Option<Vec<usize>>,
    rights: Vec<&'static str>,
    children: Vec<usize>,
    users: usize,
}

struct Layout {
    sites: Vec<SitePlan>,
    subs: Vec<SubPlan>,
    /// Direct sub-accounts and member count of each top-level account.
    tops: Vec<(Vec<usize>, usize)>,
}

impl Layout {
    fn new(p: &SiteParams) -> Layout {
        let mut rng = Rng::new(p.seed ^ 0x1A70_0717);
        let sites = plan_sites(p.doors);
        let mut layout = Layout {
            subs: Vec::new(),
            tops: vec![(Vec::new(), 0); TOP_ACCOUNTS.len()],
            sites,
        };
        layout.plan_subs(p.subaccounts, &mut rng);
        layout.plan_members(p.users);
        layout
    }

    fn plan_subs(&mut self, n: usize, rng: &mut Rng) {
        let level1 = n.div_ceil(5);
        let level2 = n.div_ceil(2).min(n - level1);
        for i in 0..n {
            let parent = if i < level1 {
                Parent::Top(i % TOP_ACCOUNTS.len())
            } else if i < level1 + level2 {
                Parent::Sub((i - level1) % level1)
            } else {
                Parent::Sub(level1 + (i - level1 - level2) % level2.max(1))
            };
            let sub = self.plan_sub(i, parent, rng);
            self.subs.push(sub);
            match parent {
                Parent::Top(t) => self.tops[t].0.push(i),
                Parent::Sub(s) => self.subs[s].children.push(i),
            }
        }
    }

    fn plan_sub(&self, i: usize, parent: Parent, rng: &mut Rng) -> SubPlan {
        let (site, groups, rights) = match parent {
            Parent::Top(_) => {
                let rights = subset(&DELEGABLE, rng, 60);
                (i % self.sites.len(), None, rights)
            }
            Parent::Sub(s) => {
                let up = &self.subs[s];
                let all: Vec<usize> = match &up.groups {
                    None => (0..self.sites[up.site].groups.len()).collect(),
                    Some(g) => g.clone(),
                };
                let groups = subset(&all, rng, 40);
                (up.site, Some(groups), subset(&up.rights, rng, 70))
            }
        };
        SubPlan {
            site,
            groups,
            rights,
            children: Vec::new(),
            users: 0,
        }
    }

    /// Keyholders (one per site) go to the first account; of the rest, a fifth to
    /// top-level accounts and four fifths to sub-accounts.
    fn plan_members(&mut self, users: usize) {
        let rest = users.saturating_sub(self.sites.len());
        let to_subs = if self.subs.is_empty() {
            0
        } else {
            rest - rest / 5
        };
        spread(to_subs, self.subs.iter_mut().map(|s| &mut s.users));
        spread(rest - to_subs, self.tops.iter_mut().map(|t| &mut t.1));
    }
}

fn plan_sites(doors: usize) -> Vec<SitePlan> {
    let n = (doors / DOORS_PER_SITE).clamp(2, 20);
    let mut start = 0;
    (0..n)
        .map(|s| {
            let count = doors / n + usize::from(s < doors % n);
            let range = start..start + count.max(2);
            start = range.end;
            plan_site(range)
        })
        .collect()
}

fn plan_site(doors: std::ops::Range<usize>) -> SitePlan {
    let list: Vec<usize> = doors.clone().collect();
    let groups = list
        .chunks(DOORS_PER_GROUP)
        .map(<[usize]>::to_vec)
        .collect();
    let n = list.len();
    let paths = (0..(n / DOORS_PER_PATH).max(1))
        .map(|j| {
            let mut path = vec![list[0], list[1 + (j * 3) % (n - 1)]];
            if n > 2 {
                path.push(list[1 + (j * 3 + 1) % (n - 1)]);
            }
            path
        })
        .collect();
    SitePlan {
        doors,
        groups,
        paths,
    }
}

/// A non-empty subset of `items`, each kept with the given chance, in order.
fn subset<T: Clone>(items: &[T], rng: &mut Rng, percent: u64) -> Vec<T> {
    let mut out: Vec<T> = items
        .iter()
        .filter(|_| rng.chance(percent))
        .cloned()
        .collect();
    if out.is_empty() {
        out.push(items[rng.below(items.len())].clone());
    }
    out
}

/// Shares `total` as evenly as possible over `slots`.
fn spread<'a>(total: usize, slots: impl ExactSizeIterator<Item = &'a mut usize>) {
    let n = slots.len().max(1);
    for (i, slot) in slots.enumerate() {
        *slot = total / n + usize::from(i < total % n);
    }
}

// ---------------------------------------------------------------------------------
// Text

/// Writes one line at an indentation depth: `emit!(self, depth, "format", args…)`.
macro_rules! emit {
    ($gen:expr, $depth:expr, $($arg:tt)*) => {
        $gen.out.line($depth, format_args!($($arg)*))
    };
}

/// The text being written, one indented line at a time.
#[derive(Default)]
struct Out {
    buf: String,
}

impl Out {
    fn line(&mut self, depth: usize, args: std::fmt::Arguments) {
        for _ in 0..depth {
            self.buf.push_str("  ");
        }
        let _ = self.buf.write_fmt(args);
        self.buf.push('\n');
    }

    fn blank(&mut self) {
        self.buf.push('\n');
    }
}

/// What a member may be granted: a whole site, or some of its groups.
struct Scope {
    site: usize,
    groups: Option<Vec<usize>>,
}

struct Gen<'a> {
    p: &'a SiteParams,
    layout: &'a Layout,
    rng: Rng,
    out: Out,
    next_schedule: usize,
    next_user: usize,
    next_guest: usize,
    next_code: usize,
}

impl<'a> Gen<'a> {
    fn new(p: &'a SiteParams, layout: &'a Layout) -> Gen<'a> {
        let mut out = Out::default();
        out.buf.reserve(p.users * 240 + p.doors * 120);
        Gen {
            p,
            layout,
            rng: Rng::new(p.seed),
            out,
            next_schedule: 0,
            next_user: 0,
            next_guest: 0,
            next_code: 0,
        }
    }

    fn run(&mut self) {
        self.header();
        self.calendars();
        for i in 0..self.p.schedules.max(1) {
            self.schedule(i);
        }
        for s in 0..self.layout.sites.len() {
            self.site(s);
        }
        for t in 0..TOP_ACCOUNTS.len() {
            self.top_account(t);
        }
        // Top-level appointments, owned by no account (each item above ends with a
        // blank line).
        for k in 0..2 {
            if k > 0 {
                self.out.blank();
            }
            let site = k % self.layout.sites.len();
            self.appointment(0, &format!("open-day-{k}"), site);
        }
    }

    fn header(&mut self) {
        let p = self.p;
        emit!(
            self,
            0,
            "# Generated reference site: {} users, {} doors, {} schedules, {} sub-accounts (seed {}).",
            p.users,
            p.doors,
            p.schedules,
            p.subaccounts,
            p.seed
        );
    }

    /// The name of the next schedule in turn: every schedule gets used.
    fn take_schedule(&mut self) -> String {
        let i = self.next_schedule % self.p.schedules.max(1);
        self.next_schedule += 1;
        schedule_name(i)
    }

    // -- time ---------------------------------------------------------------------

    fn calendars(&mut self) {
        for (name, days) in CALENDARS {
            emit!(self, 0, "holidays {name} {{");
            for (from, to, label) in days {
                let range = to.map(|t| format!("..{t}")).unwrap_or_default();
                emit!(self, 1, "{from}{range} {}", quote(label));
            }
            emit!(self, 0, "}}");
            self.out.blank();
        }
    }

    fn schedule(&mut self, i: usize) {
        let name = schedule_name(i);
        let h = self.rng.below(3);
        let rules = match i % 5 {
            0 => vec![
                format!("mon..fri {}-{}", hm(7 + h, 0), hm(18 + h, 30)),
                format!("sat {}-{}", hm(9, 0), hm(12 + h, 0)),
            ],
            1 => vec![format!("mon..fri {}-{}", hm(21 + h, 0), hm(5 + h, 30))],
            2 => vec![format!("fri..mon {}-{}", hm(10, 0), hm(22 + h, 0))],
            3 => vec![format!(
                "mon,wed,fri {}-{} {}-{}",
                hm(7 + h, 0),
                hm(12, 0),
                hm(14, 0),
                hm(18 + h, 0)
            )],
            _ => vec![
                format!("mon..fri {}-{}", hm(6, 0), hm(20 + h, 0)),
                format!("sat..sun {}-{}", hm(0, 0), hm(24, 0)),
            ],
        };
        let calendar = CALENDARS[i % CALENDARS.len()].0;
        let closing = if i.is_multiple_of(3) {
            format!("holidays {calendar} {}-{}", hm(10, 0), hm(16, 0))
        } else {
            format!("except holidays {calendar}")
        };
        emit!(self, 0, "schedule {name} {{");
        for rule in rules.iter().chain([&closing]) {
            emit!(self, 1, "{rule}");
        }
        emit!(self, 0, "}}");
        self.out.blank();
    }

    // -- sites --------------------------------------------------------------------

    fn site(&mut self, s: usize) {
        let (zone, city) = ZONES[s % ZONES.len()];
        let layout = self.layout;
        let plan = &layout.sites[s];
        emit!(self, 0, "site {} \"{city} {s:02}\" {{", site_name(s));
        emit!(self, 1, "timezone \"{zone}\"");
        emit!(self, 1, "keystore \"{}.keys\"", site_name(s));
        self.out.blank();
        for d in plan.doors.clone() {
            self.door(d);
        }
        self.out.blank();
        self.site_selections(s);
        self.space_codes(s);
        emit!(self, 0, "}}");
        self.out.blank();
    }

    fn door(&mut self, d: usize) {
        let kind = self.rng.pick(&DOOR_KINDS);
        let (name, title) = (door_name(d), format!("{kind} {d}"));
        if self.rng.chance(8) {
            emit!(self, 1, "door {name} {}", quote(&title));
            return;
        }
        emit!(self, 1, "door {name} {} {{", quote(&title));
        let id = (d as u32).wrapping_mul(0x9E37_79B1);
        emit!(self, 2, "id \"{id:08x}\"");
        let offline = self.rng.chance(20);
        let two_factor = !offline && self.rng.chance(3);
        let readers = if offline || two_factor {
            "badge pin"
        } else {
            *self.rng.pick(&[
                "badge",
                "badge mobile",
                "badge pin qr mobile",
                "badge pin qr mobile remote",
            ])
        };
        emit!(self, 2, "readers {readers}");
        if self.rng.chance(10) {
            let schedule = self.take_schedule();
            emit!(self, 2, "schedule {schedule}");
        }
        if offline {
            emit!(self, 2, "offline");
            emit!(self, 2, "capacity 4000");
        }
        if two_factor {
            emit!(self, 2, "require badge pin");
        }
        emit!(self, 1, "}}");
    }

    fn site_selections(&mut self, s: usize) {
        let layout = self.layout;
        let plan = &layout.sites[s];
        for (g, doors) in plan.groups.iter().enumerate() {
            let names: Vec<String> = doors.iter().map(|d| door_name(*d)).collect();
            emit!(self, 1, "group {} = {}", group_name(s, g), names.join(" "));
        }
        for (j, doors) in plan.paths.iter().enumerate() {
            let names: Vec<String> = doors.iter().map(|d| door_name(*d)).collect();
            emit!(self, 1, "path {} = {}", path_name(s, j), names.join(" -> "));
        }
    }

    /// An emergency code for the whole site and one for its first group.
    fn space_codes(&mut self, s: usize) {
        for target in [
            format!("site {}", site_name(s)),
            format!("group {}", group_name(s, 0)),
        ] {
            let code = 100_000 + (self.next_code * 7_919) % 900_000;
            self.next_code += 1;
            emit!(self, 1, "code \"{code}\" on {target}");
        }
    }

    // -- accounts -----------------------------------------------------------------

    fn top_account(&mut self, t: usize) {
        let (name, title) = TOP_ACCOUNTS[t];
        let (subs, members) = self.layout.tops[t].clone();
        emit!(self, 0, "account {name} {} {{", quote(title));
        self.user(1, name, None, Some(vec!["all"]));
        if t == 0 {
            for s in 0..self.layout.sites.len() {
                self.keyholder(s);
            }
        }
        for _ in 0..members.saturating_sub(1) {
            self.user(1, name, None, None);
        }
        let sites = self.layout.sites.len();
        for k in 0..self.appointments_per_account() {
            self.out.blank();
            self.appointment(1, &format!("{name}-visit-{k:03}"), k % sites);
        }
        for sub in subs {
            self.out.blank();
            self.subaccount(1, sub);
        }
        emit!(self, 0, "}}");
        self.out.blank();
    }

    fn appointments_per_account(&self) -> usize {
        (self.p.users / 2_000).max(1)
    }

    fn subaccount(&mut self, depth: usize, i: usize) {
        let layout = self.layout;
        let sub = &layout.subs[i];
        let name = format!("tenant-{i:03}");
        let title = format!("Tenant {i:03}, {}", ZONES[sub.site % ZONES.len()].1);
        emit!(self, depth, "subaccount {name} {} {{", quote(&title));
        let targets = self.scope_targets(sub.site, sub.groups.as_deref());
        let schedule = self.take_schedule();
        emit!(
            self,
            depth + 1,
            "ceiling doors {targets} rights {} schedule {schedule}",
            sub.rights.join(" ")
        );
        self.out.blank();
        let scope = Scope {
            site: sub.site,
            groups: sub.groups.clone(),
        };
        for k in 0..sub.users {
            let rights = (k == 0).then(|| subset(&sub.rights, &mut self.rng, 60));
            self.user(depth + 1, &name, Some(&scope), rights);
        }
        for &child in &sub.children {
            self.out.blank();
            self.subaccount(depth + 1, child);
        }
        emit!(self, depth, "}}");
    }

    fn scope_targets(&self, site: usize, groups: Option<&[usize]>) -> String {
        match groups {
            None => format!("site {}", site_name(site)),
            Some(gs) => gs
                .iter()
                .map(|g| format!("group {}", group_name(site, *g)))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// The keyholder of a site: every group and path of it, card and PIN, so that
    /// every door, group and path is used.
    fn keyholder(&mut self, s: usize) {
        let layout = self.layout;
        let plan = &layout.sites[s];
        let mut targets: Vec<String> = (0..plan.groups.len())
            .map(|g| format!("group {}", group_name(s, g)))
            .collect();
        targets.extend((0..plan.paths.len()).map(|j| format!("path {}", path_name(s, j))));
        let u = self.next_user;
        self.next_user += 1;
        emit!(
            self,
            1,
            "user keyholder-{} \"Keyholder {s:02}\" {{",
            site_name(s)
        );
        emit!(self, 2, "email \"keyholder.{s:02}@northwind.example\"");
        emit!(self, 2, "card {}", card_number(u, &mut self.rng));
        emit!(self, 2, "pin \"{}\"", pin_code(u));
        emit!(self, 2, "tags security");
        emit!(self, 2, "allow {}", targets.join(" "));
        emit!(self, 1, "}}");
    }

    // -- users --------------------------------------------------------------------

    fn user(
        &mut self,
        depth: usize,
        domain: &str,
        scope: Option<&Scope>,
        rights: Option<Vec<&str>>,
    ) {
        let u = self.next_user;
        self.next_user += 1;
        let (first, last) = (*self.rng.pick(&FIRST), *self.rng.pick(&LAST));
        emit!(
            self,
            depth,
            "user {}-{}-{u} \"{} {}\" {{",
            first.0,
            last.0,
            first.1,
            last.1
        );
        let d = depth + 1;
        emit!(
            self,
            d,
            "email \"{}.{}.{u}@{domain}.example\"",
            first.0,
            last.0
        );
        self.credentials(d, u);
        self.user_flags(d, rights.is_some());
        self.grants(d, scope);
        if let Some(rights) = rights {
            self.admin(d, &rights);
        }
        emit!(self, depth, "}}");
    }

    fn credentials(&mut self, d: usize, u: usize) {
        let card = self.rng.chance(85);
        if card {
            let number = card_number(u, &mut self.rng);
            emit!(self, d, "card {number}");
        }
        if self.rng.chance(30) {
            emit!(self, d, "pin \"{}\"", pin_code(u));
        }
        if self.rng.chance(8) {
            let salt = self.rng.next() as u16;
            emit!(self, d, "qr \"QR-{u:06X}-{salt:04X}\"");
        }
        if !card || self.rng.chance(25) {
            let salt = self.rng.next() as u32;
            emit!(self, d, "mobile \"mk-{u:06x}{salt:08x}\"");
        }
    }

    fn user_flags(&mut self, d: usize, admin: bool) {
        if self.rng.chance(4) {
            emit!(self, d, "remote");
        }
        if self.rng.chance(10) {
            emit!(self, d, "offline");
        }
        if !admin && self.rng.chance(2) {
            emit!(self, d, "inactive");
        }
        if self.rng.chance(30) {
            let window = self.validity();
            emit!(self, d, "valid {window}");
        }
        if self.rng.chance(50) {
            let mut tags = vec![*self.rng.pick(&TAGS)];
            let second = *self.rng.pick(&TAGS);
            if self.rng.chance(30) && second != tags[0] {
                tags.push(second);
            }
            emit!(self, d, "tags {}", tags.join(" "));
        }
        if self.rng.chance(30) {
            let schedule = self.take_schedule();
            emit!(self, d, "schedule {schedule}");
        }
    }

    fn validity(&mut self) -> String {
        let from = format!(
            "2026-{:02}-{:02}",
            1 + self.rng.below(6),
            1 + self.rng.below(28)
        );
        let to = format!(
            "2026-{:02}-{:02}",
            7 + self.rng.below(6),
            1 + self.rng.below(28)
        );
        match self.rng.below(4) {
            0 => format!("{from}.."),
            1 => format!("..{to}"),
            _ => format!("{from}..{to}"),
        }
    }

    fn grants(&mut self, d: usize, scope: Option<&Scope>) {
        let owned;
        let scope = match scope {
            Some(scope) => scope,
            None => {
                owned = Scope {
                    site: self.rng.below(self.layout.sites.len()),
                    groups: None,
                };
                &owned
            }
        };
        let layout = self.layout;
        let plan = &layout.sites[scope.site];
        let groups: Vec<usize> = match &scope.groups {
            Some(g) => g.clone(),
            None => (0..plan.groups.len()).collect(),
        };
        let main = subset(&groups, &mut self.rng, 100 / groups.len().max(1) as u64);
        let mut targets: Vec<String> = main
            .iter()
            .map(|g| format!("group {}", group_name(scope.site, *g)))
            .collect();
        if scope.groups.is_none() && self.rng.chance(20) {
            let j = self.rng.below(plan.paths.len());
            targets.push(format!("path {}", path_name(scope.site, j)));
        }
        emit!(self, d, "allow {}", targets.join(" "));
        if self.rng.chance(10) {
            let g = *self.rng.pick(&groups);
            let door = *self.rng.pick(&plan.groups[g]);
            let schedule = self.take_schedule();
            emit!(self, d, "allow {} schedule {schedule}", door_name(door));
        }
    }

    fn admin(&mut self, d: usize, rights: &[&str]) {
        if self.rng.chance(30) {
            let ip = format!(
                "10.{}.{}.{}",
                self.rng.below(256),
                self.rng.below(256),
                1 + self.rng.below(254)
            );
            emit!(self, d, "admin {} ip \"{ip}\"", rights.join(" "));
        } else {
            emit!(self, d, "admin {}", rights.join(" "));
        }
    }

    // -- appointments -------------------------------------------------------------

    fn appointment(&mut self, depth: usize, name: &str, site: usize) {
        let date = format!(
            "2026-{:02}-{:02}",
            1 + self.rng.below(12),
            1 + self.rng.below(28)
        );
        let start = 8 + self.rng.below(9);
        let (from, to) = (hm(start, 30), hm(start + 1 + self.rng.below(3), 0));
        emit!(self, depth, "appointment {name} on {date} {from}-{to} {{");
        let d = depth + 1;
        if self.rng.chance(40) {
            emit!(
                self,
                d,
                "organizer \"Front desk {}\"",
                ZONES[site % ZONES.len()].1
            );
            emit!(self, d, "subject \"Visit {name}\"");
            emit!(self, d, "description \"Generated for benchmarks\"");
        }
        let layout = self.layout;
        let plan = &layout.sites[site];
        let target = if self.rng.chance(50) {
            format!("path {}", path_name(site, self.rng.below(plan.paths.len())))
        } else {
            format!(
                "group {}",
                group_name(site, self.rng.below(plan.groups.len()))
            )
        };
        emit!(self, d, "doors {target}");
        for _ in 0..1 + self.rng.below(3) {
            self.guest(d);
        }
        emit!(self, depth, "}}");
    }

    fn guest(&mut self, d: usize) {
        let g = self.next_guest;
        self.next_guest += 1;
        let (first, last) = (*self.rng.pick(&FIRST), *self.rng.pick(&LAST));
        let credential = match self.rng.below(3) {
            0 => format!(" pin \"{}\"", 1_000_000 + g),
            1 => format!(" qr \"GQR-{g:06X}\""),
            _ => String::new(),
        };
        emit!(
            self,
            d,
            "guest \"{} {}\" <{}.{}.g{g}@guests.example>{credential}",
            first.1,
            last.1,
            first.0,
            last.0
        );
    }
}

// ---------------------------------------------------------------------------------
// Names and values

fn site_name(s: usize) -> String {
    format!("s{s:02}")
}

fn door_name(d: usize) -> String {
    format!("d{d:05}")
}

fn group_name(s: usize, g: usize) -> String {
    format!("s{s:02}-g{g:03}")
}

fn path_name(s: usize, j: usize) -> String {
    format!("s{s:02}-p{j:02}")
}

fn schedule_name(i: usize) -> String {
    format!("sch-{i:03}")
}

fn hm(hour: usize, minute: usize) -> String {
    format!("{:02}:{minute:02}", hour % 25)
}

/// Unique per user: each user owns a block of 50 numbers.
fn card_number(u: usize, rng: &mut Rng) -> u64 {
    10_000_000 + u as u64 * 50 + rng.below(50) as u64
}

/// Unique per user: an affine bijection of `0..10^8`, always 8 digits.
fn pin_code(u: usize) -> String {
    format!("{:08}", (u as u64 * 7_919_993 + 12_345_678) % 100_000_000)
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use accessctl_core::{check, Sources};

    fn check_text(text: &str) -> accessctl_core::Checked {
        let mut sources = Sources::new();
        sources.add("site.acl", text);
        check(&sources)
    }

    #[test]
    fn small_site_is_deterministic() {
        let a = reference_site(&SiteParams::small());
        assert_eq!(a, reference_site(&SiteParams::small()));
        let other = SiteParams {
            seed: 8,
            ..SiteParams::small()
        };
        assert_ne!(a, reference_site(&other));
    }

    #[test]
    fn small_site_validates_without_diagnostics() {
        let text = reference_site(&SiteParams::small());
        let checked = check_text(&text);
        let shown: Vec<String> = checked
            .diagnostics
            .iter()
            .take(10)
            .map(|d| format!("{} {} at {}", d.code, d.message, d.primary.span.start))
            .collect();
        assert!(checked.diagnostics.is_empty(), "{shown:#?}");
        let policy = checked.policy.expect("a valid policy");
        let p = SiteParams::small();
        assert_eq!(policy.users.len(), p.users);
        assert_eq!(policy.doors.len(), p.doors);
        assert_eq!(policy.schedules.len(), p.schedules);
        let subs = policy
            .accounts
            .iter()
            .filter(|a| a.parent.is_some())
            .count();
        assert_eq!(subs, p.subaccounts);
    }

    #[test]
    fn small_site_nests_three_deep() {
        let text = reference_site(&SiteParams::small());
        let policy = check_text(&text).policy.expect("a valid policy");
        let deepest = (0..policy.accounts.len())
            .map(|a| {
                policy
                    .ancestry(accessctl_core::model::AccountId(a as u32))
                    .count()
            })
            .max();
        assert_eq!(deepest, Some(4));
    }

    #[test]
    fn small_site_is_canonical() {
        let text = reference_site(&SiteParams::small());
        let checked = check_text(&text);
        let printed = accessctl_core::format::format(&checked.files[0]);
        assert_eq!(printed, text);
    }
}
