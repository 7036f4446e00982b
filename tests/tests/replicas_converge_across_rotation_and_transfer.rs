//! Property: the operations that are not plain edits change nothing in what the remaining
//! tablets agree on. Five tablets of the Huye team (the administrator, a supervisor, three
//! counsellors) work on every kind of record as in `replicas_always_converge.rs`, sync through
//! a real server on a loopback socket and pass batch files to each other; meanwhile:
//! - the administrator revokes the third counsellor's tablet (lost): the team key rotates to
//!   a new epoch she never receives; the others go on writing under the old key until they
//!   sync, and a tablet that has not synced yet refuses, and later takes from the server,
//!   what was sealed under the new one;
//! - the administrator moves a case to the Nyanza team (`copy_case_files`), then erases its
//!   clients' files in Huye, while counsellors may still be editing them offline.
//!
//! Once everyone has synced and received everything again by batch files in random order
//! with duplicates: every remaining Huye tablet shows the same, keeps every concurrent value
//! the kinds promise to keep, shows nothing of an erased file (nor does any copy of their logs
//! or of the server's store), and the lost tablet's work counts up to what the server had when
//! she was revoked; the Nyanza tablets both show each moved record as Huye showed it when it
//! moved.
//!
//! The lost tablet passes batch files to others too, before it is lost: what it gave a
//! colleague that way and never synced counts on every tablet or on none (a tablet that merged
//! it before learning the cutoff withdraws it, `convergence_gaps.rs`).
//!
//! Each case starts a server and enrols seven vaults on disk: CI runs 24 cases; the long run
//! is `KOMORA_FLEET_CASES=500 cargo test --release -p komora-scenarios --test
//! replicas_converge_across_rotation_and_transfer`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use komora_core::{HttpTransport, RecordId, Role, Vault, VaultOptions};
use komora_scenarios::convergence::fleet::Fleet;
use komora_scenarios::convergence::kinds::{by_name, ActionRef, Shown};
use komora_scenarios::convergence::model::Made;
use komora_scenarios::server::TestServer;
use komora_scenarios::{fast_options, quick_retries, ManualClock, Rng};
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

/// Huye's tablets, by index in the fleet.
const ADMIN: usize = 0;
const SUPERVISOR: usize = 1;
/// The counsellor whose tablet is lost and revoked.
const LOST: usize = 4;
const HUYE: usize = 5;

#[derive(Clone, Debug)]
enum Step {
    Do {
        at: usize,
        action: ActionRef,
        picks: [u8; 3],
        value: u16,
    },
    Deliver {
        from: usize,
        to: usize,
        share: u8,
        seed: u64,
    },
    Sync {
        at: usize,
    },
    Wait {
        at: usize,
        ms: u64,
    },
    /// The administrator revokes the lost tablet (the first time only).
    Revoke,
    /// The administrator moves a case to Nyanza and erases its files in Huye.
    Transfer {
        pick: u8,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let action = Union::new_weighted(
        ActionRef::all()
            .into_iter()
            .map(|(weight, a)| (weight, Just(a).boxed()))
            .collect(),
    );
    let r = 0..HUYE;
    prop_oneof![
        12 => (r.clone(), action, any::<[u8; 3]>(), any::<u16>())
            .prop_map(|(at, action, picks, value)| Step::Do { at, action, picks, value }),
        3 => (r.clone(), r.clone(), prop_oneof![Just(0u8), 1u8..4], any::<u64>())
            .prop_map(|(from, to, share, seed)| Step::Deliver { from, to, share, seed }),
        3 => r.clone().prop_map(|at| Step::Sync { at }),
        1 => (r, 0u64..100_000).prop_map(|(at, ms)| Step::Wait { at, ms }),
        1 => Just(Step::Revoke),
        1 => any::<u8>().prop_map(|pick| Step::Transfer { pick }),
    ]
}

/// A morning's first records, before the day's mixed work: clients, their consent, cases,
/// sessions, groups (so a short case reaches deep files).
fn first_records() -> impl Strategy<Value = Step> {
    let founding = [
        ("client", "add", 4),
        ("consent", "give", 3),
        ("case", "open", 3),
        ("session", "add", 3),
        ("group", "add", 1),
        ("group_session", "add", 1),
    ];
    let action = Union::new_weighted(
        founding
            .iter()
            .map(|(k, a, w)| (*w, Just(ActionRef::named(k, a)).boxed()))
            .collect(),
    );
    (0..HUYE, action, any::<[u8; 3]>(), any::<u16>()).prop_map(|(at, action, picks, value)| {
        Step::Do {
            at,
            action,
            picks,
            value,
        }
    })
}

type Case = (Vec<Step>, Vec<Step>, u64);

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(first_records(), 0..16),
        prop::collection::vec(step(), 1..80),
        any::<u64>(),
    )
}

/// The fields of a record the move to another team keeps: every followed value and set (the
/// household links name clients the other team may not have).
fn kept_by_a_move(kind: &str, shown: &Shown) -> Vec<String> {
    by_name(kind)
        .fields
        .iter()
        .filter(|f| f.name != "links")
        .map(|f| match shown.elements(f.name) {
            Some(set) => format!("{}={set:?}", f.name),
            None => format!("{}={:?}", f.name, shown.value(f.name)),
        })
        .collect()
}

/// The kinds a move to another team copies (`casework/transfer.rs`). Rights requests are
/// left behind: `tests/tests/convergence_gaps.rs`.
const MOVED: &[&str] = &[
    "client",
    "consent",
    "case",
    "session",
    "assessment",
    "referral",
    "review",
];

/// Fields drop in this order: the vaults and the server before their folder.
struct World {
    fleet: Fleet,
    /// Nyanza's administrator (the same person, her vault of that team) and a counsellor.
    nyanza: Vec<Vault>,
    server: TestServer,
    revoked: bool,
    /// What Huye showed of each moved record when it moved.
    moved: Vec<(Made, Vec<String>)>,
    _dir: tempfile::TempDir,
}

fn options(clock: &Arc<ManualClock>) -> VaultOptions {
    VaultOptions {
        time: clock.clone(),
        ..fast_options()
    }
}

fn transport(server: &TestServer) -> HttpTransport {
    HttpTransport::new(&server.url).unwrap()
}

impl World {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::start(&dir.path().join("server"));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let clocks: Vec<Arc<ManualClock>> = (0..HUYE + 2).map(|_| ManualClock::at(now)).collect();
        let mut t = transport(&server);
        let mut admin = Vault::bootstrap(
            dir.path().join("admin"),
            "admin passphrase",
            &mut t,
            &server.url,
            server.bootstrap_code.as_deref().unwrap(),
            "AMI",
            "Huye",
            options(&clocks[ADMIN]),
        )
        .unwrap();
        let mut admin_nyanza = admin
            .create_team(
                &mut t,
                dir.path().join("admin-nyanza"),
                "admin passphrase",
                "Nyanza",
                options(&clocks[HUYE]),
            )
            .unwrap();
        let enrol = |inviter: &mut Vault, role: Role, name: &str, clock: &Arc<ManualClock>| {
            let mut t = transport(&server);
            let code = inviter
                .invite(&mut t, role, Duration::from_secs(3600))
                .unwrap()
                .code;
            Vault::enroll(
                dir.path().join(name),
                "tablet passphrase",
                &mut t,
                &server.url,
                &code,
                options(clock),
            )
            .unwrap()
        };
        let mut huye = vec![];
        huye.push(enrol(
            &mut admin,
            Role::Supervisor,
            "supervisor",
            &clocks[SUPERVISOR],
        ));
        for (i, clock) in clocks.iter().enumerate().take(HUYE).skip(2) {
            huye.push(enrol(&mut admin, Role::Counsellor, &format!("c{i}"), clock));
        }
        huye.insert(ADMIN, admin);
        let jean = enrol(
            &mut admin_nyanza,
            Role::Counsellor,
            "jean",
            &clocks[HUYE + 1],
        );
        // Everyone learns the team's device list (whose operations to accept).
        for v in huye.iter_mut().chain([&mut admin_nyanza]) {
            komora_scenarios::sync(v).unwrap();
        }
        let fleet = Fleet::enrolled(huye, clocks[..HUYE].to_vec());
        let mut world = Self {
            _dir: dir,
            server,
            fleet,
            nyanza: vec![admin_nyanza, jean],
            revoked: false,
            moved: Vec::new(),
        };
        for at in 0..HUYE {
            world.sync(at).unwrap();
        }
        world
    }

    fn sync(&mut self, at: usize) -> Result<(), String> {
        let url = self.server.url.clone();
        self.fleet.sync(at, |v| {
            v.sync(
                &mut HttpTransport::new(&url).unwrap(),
                &quick_retries(),
                &mut |_| {},
            )
            .map(|_| ())
        })
    }

    fn revoke(&mut self) -> Result<(), String> {
        if self.revoked {
            return Ok(());
        }
        self.revoked = true;
        let lost = self.fleet.vaults[LOST].device_id();
        let url = self.server.url.clone();
        self.fleet.sync(ADMIN, |v| {
            v.revoke_device(&mut HttpTransport::new(&url).unwrap(), lost)
        })?;
        self.fleet.lose(LOST);
        Ok(())
    }

    /// The administrator moves a case to Nyanza: the copy, sent to the server, then the
    /// erasure of its clients' files in Huye.
    fn transfer(&mut self, pick: u8) -> Result<(), String> {
        let admin = &self.fleet.vaults[ADMIN];
        let case_kind = by_name("case");
        let cases: Vec<RecordId> = self
            .fleet
            .model
            .made
            .iter()
            .filter(|m| m.kind == "case" && (case_kind.read)(admin, m.id).is_some())
            .map(|m| m.id)
            .collect();
        if cases.is_empty() {
            return Ok(());
        }
        let case = cases[usize::from(pick) % cases.len()];
        let clients: Vec<RecordId> = admin
            .case(case)
            .unwrap()
            .clients
            .into_iter()
            .filter(|c| admin.client(*c).is_ok())
            .collect();
        let mut snapshot = Vec::new();
        for m in &self.fleet.model.made {
            if !m.file.is_some_and(|f| clients.contains(&f)) || !MOVED.contains(&m.kind) {
                continue;
            }
            if let Some(shown) = (by_name(m.kind).read)(admin, m.id) {
                snapshot.push((m.clone(), kept_by_a_move(m.kind, &shown)));
            }
        }
        match admin.copy_case_files(case, &mut self.nyanza[0]) {
            Ok(_) => {}
            // A client of the case whose details have not reached the administrator's tablet
            // (her file's keys came alone): the move waits for a sync.
            Err(komora_core::Error::Validation { field: "case", .. }) => return Ok(()),
            Err(e) => return Err(format!("the move failed: {e:?}")),
        }
        komora_scenarios::sync(&mut self.nyanza[0]).map_err(|e| format!("{e:?}"))?;
        for c in clients {
            self.fleet.erase(ADMIN, c, "transferred")?;
        }
        self.moved.extend(snapshot);
        Ok(())
    }

    /// Nyanza's tablets both show every moved record as Huye showed it when it moved.
    fn check_nyanza(&mut self) -> Result<(), String> {
        for v in &mut self.nyanza {
            komora_scenarios::sync(v).map_err(|e| format!("{e:?}"))?;
        }
        for v in &self.nyanza {
            for (m, then) in &self.moved {
                let Some(now) = (by_name(m.kind).read)(v, m.id) else {
                    return Err(format!("{} {} did not reach Nyanza", m.kind, m.id));
                };
                let now = kept_by_a_move(m.kind, &now);
                if &now != then {
                    return Err(format!(
                        "{} {} shows in Nyanza {now:?}, Huye showed {then:?}",
                        m.kind, m.id
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Over the run: cases, revocations, moved records, and operations the remaining tablets held.
static SEEN: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];

fn run((first, steps, seed): &Case) -> Result<(), TestCaseError> {
    SEEN[0].fetch_add(1, Ordering::Relaxed);
    let mut w = World::new();
    let fail = TestCaseError::fail;
    for s in first.iter().chain(steps) {
        match *s {
            Step::Do {
                at,
                action,
                picks,
                value,
            } => w.fleet.act(at, action, picks, value),
            Step::Deliver {
                from,
                to,
                share,
                seed,
            } => w.fleet.deliver(from, to, share, seed),
            Step::Sync { at } => w.sync(at),
            Step::Wait { at, ms } => {
                w.fleet.wait(at, ms);
                Ok(())
            }
            Step::Revoke => w.revoke(),
            Step::Transfer { pick } => w.transfer(pick),
        }
        .map_err(fail)?;
    }
    // Everyone syncs twice (all push, then all pull), in a random order, then receives every
    // operation again by batch files, shuffled, with duplicates, then syncs twice more (to
    // share the audit notes of what the batch files brought that was refused).
    let mut rng = Rng::new(*seed);
    let mut sync_all = |w: &mut World| -> Result<(), TestCaseError> {
        for _ in 0..2 {
            let mut order: Vec<usize> = w.fleet.live().collect();
            rng.shuffle(&mut order);
            for at in order {
                w.sync(at).map_err(fail)?;
            }
        }
        Ok(())
    };
    sync_all(&mut w)?;
    w.fleet.deliver_everything(*seed).map_err(fail)?;
    sync_all(&mut w)?;
    let team = w.fleet.vaults[ADMIN].sync_settings().unwrap().team_id;
    let server_copy = w.server.team_copy(team);
    w.fleet.check(&server_copy).map_err(fail)?;
    w.check_nyanza().map_err(fail)?;
    SEEN[1].fetch_add(u64::from(w.revoked), Ordering::Relaxed);
    SEEN[2].fetch_add(w.moved.len() as u64, Ordering::Relaxed);
    SEEN[3].fetch_add(server_copy.len() as u64, Ordering::Relaxed);
    Ok(())
}

fn cases() -> u32 {
    std::env::var("KOMORA_FLEET_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24)
}

#[test]
fn tablets_converge_across_a_key_rotation_and_a_case_moving_to_another_team() {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        source_file: Some(file!()),
        ..Config::default()
    });
    let result = runner.run(&case(), |c| run(&c));
    let [cases, revoked, moved, ops] = SEEN.each_ref().map(|n| n.load(Ordering::Relaxed));
    eprintln!(
        "{cases} runs: {revoked} with a revocation, {moved} records moved to Nyanza, \
         {ops} operations on the server at the end"
    );
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, (first, steps, seed))) => {
            let steps: Vec<String> = first
                .iter()
                .chain(&steps)
                .map(|s| format!("{s:?}"))
                .collect();
            panic!(
                "{why}\nminimal failing case: delivery seed {seed}, {} steps:\n  {}",
                steps.len(),
                steps.join("\n  ")
            );
        }
        Err(e) => panic!("{e}"),
    }
}
