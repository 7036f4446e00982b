//! What a counsellor waits for after typing her PIN (issue 21, "the caseload's first paint"):
//! the unlock at the shipped KDF cost, then the first caseload (or review queue) query, which
//! builds the case-work index from the vault's cases, sessions, consents, referrals and
//! assessments; then the same query again, on the index already built. Two vaults: a
//! counsellor's (200 clients, 2,000 sessions with notes) and a supervisor's (2,000 clients,
//! 20,000 sessions), written on an in-memory replica and received by an on-disk vault in one
//! go, as a first sync would. Each vault has a twin as it was before records were indexed by
//! kind (migration 0009's index dropped), waited for in turn with it, so the before and after
//! see the same machine.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use komora_core::synthetic::Writer;
use komora_core::{
    CaseloadFilter, ConsentDecision, ConsentGiver, DeviceId, Language, NewAssessment, NewCase,
    NewClient, NewConsent, NewReferral, NewSession, Sex, TeamKeys, Vault, VaultOptions,
};

pub struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    /// The same vault without the index of records by kind (before migration 0009).
    before: PathBuf,
    empty: PathBuf,
    pub counsellor: DeviceId,
    pub clients: usize,
    pub sessions: usize,
}

impl Fixture {
    /// `clients` clients, each with one case, consent to services and sharing, and
    /// `per_client` sessions with notes; every fourth client an assessment, every tenth a
    /// referral. The vault is sealed at the shipped KDF cost.
    pub fn build(clients: usize, per_client: usize) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let team = TeamKeys::generate();
        let mut src =
            Vault::ephemeral(&team, std::sync::Arc::new(komora_core::SystemClock)).unwrap();
        let mut w = Writer::new(21);
        let ids = src
            .add_clients(
                &(0..clients)
                    .map(|i| NewClient {
                        name: w.name(),
                        code: Some(w.code()),
                        sex: Some(if i % 3 == 0 { Sex::Male } else { Sex::Female }),
                        birth_year: Some(1950 + (i % 50) as u16),
                        location: Some(komora_core::LocationInput {
                            district: ["Huye", "Nyanza", "Nyaruguru", "Gisagara"][i % 4].into(),
                            ..Default::default()
                        }),
                        ..Default::default()
                    })
                    .collect::<Vec<_>>(),
            )
            .unwrap();
        let today = src.today();
        let mut sessions = 0;
        for (i, id) in ids.iter().enumerate() {
            for scope in ["services", "sharing"] {
                src.add_consent(&NewConsent {
                    client: *id,
                    scope: scope.into(),
                    decision: ConsentDecision::Given,
                    language: Language::Kinyarwanda,
                    given_by: ConsentGiver::Client,
                    guardian_name: None,
                    date: Some(today.add_days(-400)),
                })
                .unwrap();
            }
            let case = src
                .add_case(&NewCase {
                    clients: vec![*id],
                    problems: vec!["trauma".into()],
                    opened: Some(today.add_days(-400)),
                    ..Default::default()
                })
                .unwrap();
            for k in 0..per_client {
                let mut s = NewSession::new(case, ["office", "home-visit", "phone"][k % 3]);
                s.date = Some(today.add_days(-((k * 14 + i % 14) as i64)));
                s.notes = Some(w.note());
                if k == 0 {
                    s.next_appointment = s.date.map(|d| d.add_days((i % 20) as i64));
                    s.follow_up_plan = Some(w.follow_up_plan());
                }
                src.add_session(&s).unwrap();
                sessions += 1;
            }
            if i % 4 == 0 {
                let mut a = NewAssessment::new(*id, "phq-9", vec![(i % 4) as u8; 9]);
                a.date = Some(today.add_days(-30));
                src.add_assessment(&a).unwrap();
            }
            if i % 10 == 0 {
                let mut r = NewReferral::new(*id, "health-centre");
                r.case = Some(case);
                r.date = Some(today.add_days(-20));
                r.follow_up = Some(today.add_days(-((i % 3) as i64)));
                src.add_referral(&r).unwrap();
            }
        }
        let path = dir.path().join("vault");
        let mut v =
            Vault::create_joined(&path, super::PASS, &team, VaultOptions::default()).unwrap();
        v.apply_ops(&src.all_ops().unwrap()).unwrap();
        v.lock();
        let before = dir.path().join("before");
        std::fs::create_dir(&before).unwrap();
        for f in std::fs::read_dir(&path).unwrap() {
            let f = f.unwrap();
            std::fs::copy(f.path(), before.join(f.file_name())).unwrap();
        }
        rusqlite::Connection::open(before.join("komora.db"))
            .unwrap()
            .execute_batch("DROP INDEX records_by_kind")
            .unwrap();
        let empty = dir.path().join("empty");
        Vault::create_joined(&empty, super::PASS, &team, VaultOptions::default())
            .unwrap()
            .lock();
        Fixture {
            _dir: dir,
            path,
            before,
            empty,
            counsellor: src.device_id(),
            clients,
            sessions,
        }
    }

    fn filter(&self, everyone: bool) -> CaseloadFilter {
        CaseloadFilter {
            counsellor: Some(self.counsellor),
            everyone,
            ..Default::default()
        }
    }

    /// One wait, as she lives it: the unlock (and an empty vault's, the KDF alone), the
    /// first query after it, the same query again; then the client list. `before`: on the
    /// twin without the index of records by kind.
    pub fn wait(&self, supervisor: bool, before: bool) -> Wait {
        let t = Instant::now();
        Vault::open(&self.empty, super::PASS, VaultOptions::default())
            .unwrap()
            .lock();
        let kdf = t.elapsed();
        let t = Instant::now();
        let path = if before { &self.before } else { &self.path };
        let v = Vault::open(path, super::PASS, VaultOptions::default()).unwrap();
        let unlock = t.elapsed();
        let query = || {
            let t = Instant::now();
            let n = if supervisor {
                v.review_queue().unwrap().len()
            } else {
                v.caseload(&self.filter(false)).unwrap().len()
            };
            (t.elapsed(), n)
        };
        let (first, n) = query();
        let expected = if supervisor {
            self.sessions
        } else {
            self.clients
        };
        assert_eq!(n, expected, "every case (or session) is on her screen");
        let (again, _) = query();
        let t = Instant::now();
        assert_eq!(v.clients().unwrap().items.len(), self.clients);
        let clients = t.elapsed();
        v.lock();
        Wait {
            floor: self.rows_floor(),
            kdf,
            unlock,
            first,
            again,
            clients,
        }
    }
}

/// What one unlock and first paint took.
pub struct Wait {
    /// An empty vault's unlock at the same KDF cost.
    pub kdf: Duration,
    pub unlock: Duration,
    /// The first query after unlock (builds the index).
    pub first: Duration,
    /// The same query again (the index built).
    pub again: Duration,
    /// The client list, next.
    pub clients: Duration,
    /// The floor of a page design (`Fixture::rows_floor`), measured after the vault locked.
    pub floor: Duration,
}

impl Wait {
    pub fn total(&self) -> Duration {
        self.unlock + self.first
    }

    /// What building the index took: the first query less the same query on a built index.
    pub fn index(&self) -> Duration {
        self.first.saturating_sub(self.again)
    }
}

/// The kinds the case-work index reads (`KindSpec::indexed`).
const INDEXED: [&str; 9] = [
    "case",
    "session",
    "assessment",
    "referral",
    "consent",
    "review",
    "group",
    "group_session",
    "rights_request",
];

impl Fixture {
    /// The floor under any design that keeps the index's fields in sealed pages checked
    /// against each state's fingerprint (ADR 0023): every row of the indexed kinds read on a
    /// fresh connection and its whole ciphertext hashed with SipHash-1-3, nothing opened,
    /// decoded or kept.
    pub fn rows_floor(&self) -> Duration {
        use std::hash::Hasher;
        let conn = rusqlite::Connection::open(self.path.join("komora.db")).unwrap();
        let t = Instant::now();
        let mut stmt = conn
            .prepare("SELECT record_id, epoch, state FROM records WHERE kind = ?1")
            .unwrap();
        let mut sum = 0u64;
        for kind in INDEXED {
            let mut rows = stmt.query([kind]).unwrap();
            while let Some(r) = rows.next().unwrap() {
                let mut h = siphasher::sip::SipHasher13::new_with_keys(1, 2);
                h.write(r.get_ref(0).unwrap().as_blob().unwrap());
                h.write(r.get_ref(2).unwrap().as_blob().unwrap());
                sum = sum.wrapping_add(h.finish());
            }
        }
        std::hint::black_box(sum);
        t.elapsed()
    }
}

/// What the index of records by kind costs a write: 200 client saves one transaction each
/// and an import of 10,000 clients, in a vault with it and one without, in turn.
pub struct WriteCost {
    pub saves: Duration,
    pub import: Duration,
}

pub fn write_cost(without_index: bool) -> WriteCost {
    let dir = tempfile::tempdir().unwrap();
    let fast = || VaultOptions {
        kdf: komora_core::KdfParams::INSECURE_FOR_TESTS,
        ..Default::default()
    };
    Vault::create(dir.path(), super::PASS, fast())
        .unwrap()
        .lock();
    if without_index {
        rusqlite::Connection::open(dir.path().join("komora.db"))
            .unwrap()
            .execute_batch("DROP INDEX records_by_kind")
            .unwrap();
    }
    let mut v = Vault::open(dir.path(), super::PASS, fast()).unwrap();
    let t = Instant::now();
    for i in 0..200 {
        v.add_client(&super::client(i)).unwrap();
    }
    let saves = t.elapsed();
    let clients: Vec<NewClient> = (200..10_200).map(super::client).collect();
    let t = Instant::now();
    v.add_clients(&clients).unwrap();
    WriteCost {
        saves,
        import: t.elapsed(),
    }
}

/// After against before, as the median of each run's ratio.
pub fn write_ratios(after: &[WriteCost], before: &[WriteCost]) -> String {
    let part = |f: &dyn Fn(&WriteCost) -> Duration| {
        let med = |xs: &[WriteCost]| {
            let mut v: Vec<Duration> = xs.iter().map(f).collect();
            v.sort();
            v[v.len() / 2]
        };
        let mut r: Vec<f64> = after
            .iter()
            .zip(before)
            .map(|(a, b)| f(a).as_secs_f64() / f(b).as_secs_f64())
            .collect();
        r.sort_by(f64::total_cmp);
        format!(
            "{} -> {} ({:.2}x)",
            ms(med(before)),
            ms(med(after)),
            r[r.len() / 2]
        )
    };
    format!(
        "| what the index by kind costs a write: before -> after (after / before) | {} | {} |",
        part(&|w| w.saves),
        part(&|w| w.import)
    )
}

pub const WRITE_HEADER: &str = "| | 200 client saves, one transaction each | 10,000 clients in one transaction |\n|---|---|---|";

fn median(waits: &[Wait], f: &dyn Fn(&Wait) -> Duration) -> Duration {
    let mut xs: Vec<Duration> = waits.iter().map(f).collect();
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// The median of each part over the runs, printed as one row.
pub fn row(what: &str, waits: &[Wait]) -> String {
    let median = |f: &dyn Fn(&Wait) -> Duration| median(waits, f);
    let (total, index) = (median(&Wait::total), median(&Wait::index));
    format!(
        "| {what} | {} | {} | {} | {} | {} | {} | {:.0}% | {:.1}..{:.1} s | {} | {} |",
        ms(median(&|w| w.kdf)),
        ms(median(&|w| w.unlock)),
        ms(median(&|w| w.first)),
        ms(median(&|w| w.again)),
        ms(index),
        ms(total),
        100.0 * index.as_secs_f64() / total.as_secs_f64(),
        3.0 * total.as_secs_f64(),
        5.0 * total.as_secs_f64(),
        ms(median(&|w| w.clients)),
        ms(median(&|w| w.floor)),
    )
}

pub const HEADER: &str = "| vault | empty vault's unlock (KDF) | unlock | first query (builds the index) | same query again | index build | unlock + first query | index share | on a tablet 3-5x slower | then the client list | floor of a page design (read and fingerprint every row) |\n|---|---|---|---|---|---|---|---|---|---|---|";

/// After against before, part by part: each run's pair (waited for one after the other)
/// gives a ratio; the row shows their medians.
pub fn ratios(what: &str, after: &[Wait], before: &[Wait]) -> String {
    let ratio = |f: &dyn Fn(&Wait) -> Duration| {
        let mut xs: Vec<f64> = after
            .iter()
            .zip(before)
            .map(|(a, b)| f(a).as_secs_f64() / f(b).as_secs_f64())
            .collect();
        xs.sort_by(f64::total_cmp);
        format!("{:.2}x", xs[xs.len() / 2])
    };
    format!(
        "| {what} | {} -> {} ({}) | {} -> {} ({}) | {} -> {} ({}) | {} -> {} ({}) |",
        ms(median(before, &|w| w.unlock)),
        ms(median(after, &|w| w.unlock)),
        ratio(&|w| w.unlock),
        ms(median(before, &|w| w.first)),
        ms(median(after, &|w| w.first)),
        ratio(&|w| w.first),
        ms(median(before, &Wait::total)),
        ms(median(after, &Wait::total)),
        ratio(&Wait::total),
        ms(median(before, &|w| w.clients)),
        ms(median(after, &|w| w.clients)),
        ratio(&|w| w.clients),
    )
}

pub const RATIOS_HEADER: &str = "| vault | unlock: before -> after (after / before) | first query | unlock + first query | then the client list |\n|---|---|---|---|---|";
