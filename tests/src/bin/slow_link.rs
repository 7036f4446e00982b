//! Low-bandwidth sync benchmark (issue 8): a counsellor's caseload of 200 clients and 2,000
//! sessions synced through a loopback proxy shaped like a 2G link (50 kbit/s each way, 300 ms
//! round trip), against the target of under 2 minutes. Results: docs/perf/low-bandwidth.md.
//!
//! Run: `cargo run --release -p komora-scenarios --bin slow_link`
//! Options: `--runs 3 --kbps 50 --rtt-ms 300 --clients 200 --sessions 2000 --cut 0.5`;
//! `--quick` is 20 clients, 200 sessions and one run (a check that it works, not a figure).
//! `--notes heldout|generator`: session notes cut from held-out public-domain prose in English,
//! French and Kinyarwanda (the default: the compression dictionary never saw it), or the
//! generator's mix of English, Kinyarwanda-like and French sentences (which the dictionary was
//! trained on: it flatters compression; `komora_scenarios::text`).
//! `--team-format N` founds the team at format N (default: this app's), so one binary measures
//! the bodies of before (2: uncompressed) against today's (3: compressed, ADR 0021).
//!
//! Each run: the real server (SQLite) on loopback, an administrator, a counsellor and three
//! supervisor tablets enrolled directly; the counsellor records the caseload with the case-work
//! API, then (all through the shaped link, each device's first sync):
//! 1. the counsellor pushes everything;
//! 2. a supervisor pulls everything;
//! 3. a second supervisor pulls, the link is cut once after `--cut` of the bytes step 2
//!    received, and the sync fails; it syncs again, and the bytes sent again are counted;
//! 4. a third supervisor pulls over plain loopback: the time the devices and the server spend
//!    without the link.
//!
//! Not part of `cargo test`: a full run takes about half an hour.

use std::collections::HashSet;

use komora_scenarios::text::{NoteSource, Notes};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use komora_core::{
    ConsentDecision, ConsentGiver, Date, DeviceId, HttpTransport, Language, LocationInput, NewCase,
    NewClient, NewConsent, NewSession, OpId, RecordId, RiskLevel, Role, Sex, SyncOptions,
    SyncPhase, SyncReport, Vault, VaultOptions,
};
use komora_protocol::*;
use komora_scenarios::counted::CountedTransport;
use komora_scenarios::proxy::{LinkShape, ShapedProxy};
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin, enrol, Rng};

const TARGET_S: f64 = 120.0;

struct Args {
    runs: usize,
    kbps: u64,
    rtt_ms: u64,
    clients: usize,
    sessions: usize,
    cut: f64,
    team_format: Option<u32>,
    notes: Notes,
}

fn args() -> Args {
    let mut a = Args {
        runs: 3,
        kbps: 50,
        rtt_ms: 300,
        clients: 200,
        sessions: 2_000,
        cut: 0.5,
        team_format: None,
        notes: Notes::HeldOut,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let value = || {
            argv.get(i + 1)
                .unwrap_or_else(|| panic!("{} needs a value", argv[i]))
                .clone()
        };
        match argv[i].as_str() {
            "--quick" => {
                a.clients = 20;
                a.sessions = 200;
                a.runs = 1;
                i += 1;
                continue;
            }
            "--runs" => a.runs = value().parse().expect("--runs N"),
            "--kbps" => a.kbps = value().parse().expect("--kbps N (0: unshaped)"),
            "--rtt-ms" => a.rtt_ms = value().parse().expect("--rtt-ms N"),
            "--clients" => a.clients = value().parse().expect("--clients N"),
            "--sessions" => a.sessions = value().parse().expect("--sessions N"),
            "--cut" => a.cut = value().parse().expect("--cut FRACTION"),
            "--notes" => a.notes = value().parse().unwrap_or_else(|e: String| panic!("{e}")),
            "--team-format" => {
                a.team_format = Some(value().parse().expect("--team-format N"));
            }
            other => panic!("unknown option {other}"),
        }
        i += 2;
    }
    assert!(a.runs >= 1 && a.clients >= 2 && a.sessions >= 1);
    assert!(
        a.cut > 0.0 && a.cut < 1.0,
        "--cut is a fraction of the pull"
    );
    a
}

/// One sync through `url`: its report, time, requests, and when pushing ended.
struct Synced {
    report: komora_core::Result<SyncReport>,
    time: Duration,
    push_time: Duration,
    requests: u32,
    /// When the screens' pass was done and the long text began (ADR 0025): the caseload is
    /// usable from then on. `None`: one pass (not far behind).
    usable: Option<Duration>,
}

fn sync_through(v: &mut Vault, url: &str, opts: &SyncOptions) -> Synced {
    // With `SLOW_LINK_TRACE=1` in the environment, each request is printed with its times.
    let (mut t, calls) = CountedTransport::new(url, std::env::var_os("SLOW_LINK_TRACE").is_some());
    let start = Instant::now();
    let mut push_time = None;
    let report = v.sync(&mut t, opts, &mut |p| {
        if p.phase != SyncPhase::Pushing && push_time.is_none() {
            push_time = Some(start.elapsed());
        }
    });
    let time = start.elapsed();
    Synced {
        report,
        time,
        push_time: push_time.unwrap_or(time),
        requests: calls.total(),
        usable: t.long_text_from,
    }
}

// ---------------------------------------------------------------------------------------
// The caseload.

const GIVEN: &[&str] = &[
    "Odette",
    "Jeanne",
    "Claudine",
    "Immaculée",
    "Vestine",
    "Solange",
    "Aline",
    "Béatrice",
    "Jean",
    "Emmanuel",
    "Théoneste",
    "Innocent",
    "Eric",
    "Pascal",
    "Védaste",
    "Célestin",
];
const FAMILY: &[&str] = &[
    "Mukamana",
    "Uwimana",
    "Nyirahabimana",
    "Mukandayisenga",
    "Uwase",
    "Ingabire",
    "Habimana",
    "Niyonzima",
    "Nsengiyumva",
    "Hakizimana",
    "Bizimana",
    "Ndayisaba",
];
/// Real units from core/data/rwanda-admin-units.json (district, sector, cell, village).
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("Huye", "Gishamvu", "Nyakibanda", "Byimana"),
    ("Huye", "Huye", "Muyogoro", "Agacyamu"),
    ("Huye", "Karama", "Buhoro", "Kibingo"),
    ("Nyaruguru", "Busanze", "Kirarangombe", "Bukinanyana"),
    ("Nyaruguru", "Cyahinda", "Coko", "Agasharu"),
    ("Nyaruguru", "Kibeho", "Gakoma", "Nyagishayo"),
    ("Gisagara", "Gikonko", "Cyiri", "Curusi"),
    ("Gisagara", "Gishubi", "Gabiro", "Busave"),
];
const GROUPS: &[&str] = &[
    "genocide-survivor",
    "survivor-family",
    "ex-prisoner",
    "prisoner-family",
    "couple-in-conflict",
    "wounded-heart",
    "single-mother",
    "substance-use",
];
const PROBLEMS: &[&str] = &[
    "trauma",
    "grief",
    "domestic-conflict",
    "substance-use",
    "violence",
    "reintegration",
    "depression",
    "anxiety",
    "social-isolation",
];
const INTERVENTIONS: &[&str] = &[
    "psychoeducation",
    "supportive-counselling",
    "problem-solving",
    "family-mediation",
    "couple-dialogue",
    "relaxation",
    "safety-planning",
    "reconciliation",
    "referral",
];
const PLANS: &[&str] = &[
    "Practise the breathing exercise every evening and note the nights she sleeps well.",
    "Meet the couple together in two weeks; he will come if the work allows.",
    "Refer to the health centre for the headaches if they continue.",
    "Ask the local leader to join the next home visit to talk about the land.",
    "Continue with the healing group and check on attendance next time.",
    "Phone on Friday to hear how the talk with her brother went.",
];
const HOUSEHOLD: &[&str] = &[
    "her husband",
    "the eldest daughter",
    "two younger children",
    "his mother",
    "her sister",
    "a neighbour who helps with the children",
];
const SAFETY: &[&str] = &[
    "The husband was drinking when we arrived; meet at the health post next time.",
    "No concerns; the family welcomed us.",
    "A neighbour listened at the door; speak in the back room next time.",
    "Road impassable after rain; come in the morning.",
];

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len() as u64) as usize]
}

/// One kind of record written: how many operations and their sealed bytes.
struct Kind {
    name: &'static str,
    ops: usize,
    bytes: u64,
}

struct Caseload {
    kinds: Vec<Kind>,
    /// Characters of free text in the session records (notes, plans, household, safety).
    text_bytes: u64,
    record_time: Duration,
}

/// The operations added since the last call, counted under `name`.
fn tally(v: &Vault, seen: &mut HashSet<OpId>, name: &'static str, kinds: &mut Vec<Kind>) {
    let mut k = Kind {
        name,
        ops: 0,
        bytes: 0,
    };
    for env in v.all_ops().unwrap() {
        if seen.insert(env.op_id()) {
            k.ops += 1;
            k.bytes += env.encoded_len() as u64;
        }
    }
    kinds.push(k);
}

fn record_caseload(
    v: &mut Vault,
    supervisor: DeviceId,
    clients: usize,
    sessions: usize,
    notes: Notes,
    seed: u64,
) -> Caseload {
    let mut rng = Rng::new(seed);
    let mut source = NoteSource::new(notes, seed);
    let start = Instant::now();
    let today = v.today();
    let mut seen: HashSet<OpId> = v.all_ops().unwrap().iter().map(|e| e.op_id()).collect();
    let mut kinds = Vec::new();

    // Clients, entered at intake (one save for the lot: the form's batch import).
    let batch: Vec<NewClient> = (0..clients)
        .map(|i| {
            let (district, sector, cell, village) = PLACES[i % PLACES.len()];
            let female = rng.below(3) > 0;
            NewClient {
                name: format!(
                    "{} {}",
                    pick(&mut rng, FAMILY),
                    if female {
                        GIVEN[rng.below(8) as usize]
                    } else {
                        GIVEN[8 + rng.below(8) as usize]
                    }
                ),
                code: Some(format!("HUY-{:04}", i + 1)),
                sex: Some(if female { Sex::Female } else { Sex::Male }),
                birth_year: Some(1950 + rng.below(52) as u16),
                phone: (rng.below(4) > 0).then(|| format!("078{:07}", rng.below(10_000_000))),
                location: Some(LocationInput {
                    district: district.into(),
                    sector: Some(sector.into()),
                    cell: Some(cell.into()),
                    village: (rng.below(2) == 0).then(|| village.into()),
                }),
                target_groups: {
                    let mut g = vec![pick(&mut rng, GROUPS).to_owned()];
                    if rng.below(3) == 0 {
                        g.push(pick(&mut rng, GROUPS).to_owned());
                    }
                    g.sort();
                    g.dedup();
                    g
                },
            }
        })
        .collect();
    let ids = v.add_clients(&batch).unwrap();
    tally(v, &mut seen, "client", &mut kinds);

    // Cases: one per client, every eighth a couple, opened over the past year; consent to
    // services and to data recording is taken from each client when the case opens.
    let mut plan: Vec<(Vec<RecordId>, Date)> = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let couple = i % 8 == 0 && i + 1 < ids.len();
        let members = ids[i..i + 1 + usize::from(couple)].to_vec();
        i += members.len();
        plan.push((members, today.add_days(-(200 + rng.below(165) as i64))));
    }
    for (members, opened) in &plan {
        for &c in members {
            for scope in ["services", "data-recording"] {
                v.add_consent(&NewConsent {
                    client: c,
                    scope: scope.into(),
                    decision: ConsentDecision::Given,
                    language: Language::Kinyarwanda,
                    given_by: ConsentGiver::Client,
                    guardian_name: None,
                    date: Some(*opened),
                })
                .unwrap();
            }
        }
    }
    tally(v, &mut seen, "consent", &mut kinds);
    let mut cases: Vec<(RecordId, Date)> = Vec::new();
    for (members, opened) in plan {
        let mut problems = vec![pick(&mut rng, PROBLEMS).to_owned()];
        if rng.below(2) == 0 {
            problems.push(pick(&mut rng, PROBLEMS).to_owned());
        }
        if members.len() == 2 {
            problems.push("domestic-conflict".into());
        }
        let case = v
            .add_case(&NewCase {
                clients: members,
                problems,
                risk_level: Some(match rng.below(10) {
                    0 => RiskLevel::High,
                    1..=3 => RiskLevel::Medium,
                    _ => RiskLevel::Low,
                }),
                opened: Some(opened),
                counsellor: None,
                supervisor: Some(supervisor),
            })
            .unwrap();
        cases.push((case, opened));
    }
    tally(v, &mut seen, "case", &mut kinds);

    // Sessions: spread over the cases, a quarter of them home visits.
    let mut text_bytes = 0u64;
    for s in 0..sessions {
        let (case, opened) = cases[s % cases.len()];
        let span = (today.days() - opened.days()).max(0) as u64;
        let date = opened.add_days(rng.below(span + 1) as i64);
        let kind = rng.below(20);
        let modality = match kind {
            0..=4 => "home-visit",
            5..=7 => "phone",
            _ => "office",
        };
        let mut session = NewSession::new(case, modality);
        session.date = Some(date);
        session.duration_min = Some(30 + 5 * rng.below(19) as u16);
        let mut interventions: Vec<String> = (0..1 + rng.below(3))
            .map(|_| pick(&mut rng, INTERVENTIONS).to_owned())
            .collect();
        interventions.sort();
        interventions.dedup();
        session.interventions = interventions;
        let n = source.note();
        text_bytes += n.len() as u64;
        session.notes = Some(n);
        if rng.below(5) < 3 {
            let plan = pick(&mut rng, PLANS).to_owned();
            text_bytes += plan.len() as u64;
            session.follow_up_plan = Some(plan);
        }
        if rng.below(10) < 7 {
            session.next_appointment = Some(date.add_days(7 + rng.below(15) as i64));
        }
        if modality == "home-visit" {
            session.household_present = (0..1 + rng.below(3))
                .map(|_| pick(&mut rng, HOUSEHOLD).to_owned())
                .collect();
            session.household_present.sort();
            session.household_present.dedup();
            text_bytes += session
                .household_present
                .iter()
                .map(|h| h.len() as u64)
                .sum::<u64>();
            if rng.below(2) == 0 {
                let safety = pick(&mut rng, SAFETY).to_owned();
                text_bytes += safety.len() as u64;
                session.safety_notes = Some(safety);
            }
        }
        v.add_session(&session).unwrap();
    }
    tally(v, &mut seen, "session", &mut kinds);
    Caseload {
        kinds,
        text_bytes,
        record_time: start.elapsed(),
    }
}

// ---------------------------------------------------------------------------------------
// One run.

struct Run {
    caseload: Caseload,
    ops: u64,
    /// The counsellor's first sync through the link.
    push: Synced,
    push_up: u64,
    push_down: u64,
    push_floor: u64,
    /// The supervisor's first sync through the link.
    pull: Synced,
    pull_up: u64,
    pull_down: u64,
    pull_floor: u64,
    pull_received_ops: u64,
    /// The second supervisor's sync, cut; then again.
    cut_down_before: u64,
    cut_up_before: u64,
    cut_time: Duration,
    resumed: Synced,
    resumed_up: u64,
    resumed_down: u64,
    /// A third supervisor's first sync over plain loopback.
    loopback: Synced,
}

/// A folder of its own, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(run: usize) -> Self {
        let p = std::env::temp_dir().join(format!("komora-slow-link-{}-{run}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn one_run(a: &Args, run: usize) -> Run {
    let scratch = Scratch::new(run);
    let dir = scratch.path();
    let server = TestServer::start(&dir.join("server"));
    let mut admin = match a.team_format {
        None => bootstrap_admin(&server, &dir.join("admin")),
        Some(format) => {
            // The founder's app writes this format: the team starts at it, and every tablet
            // enrolled after it writes what it allows.
            let mut t = HttpTransport::new(&server.url).unwrap();
            Vault::bootstrap(
                dir.join("admin"),
                "admin passphrase",
                &mut t,
                &server.url,
                server.bootstrap_code.as_deref().unwrap(),
                "AMI",
                "Huye",
                VaultOptions {
                    app_format: format,
                    ..komora_scenarios::fast_options()
                },
            )
            .unwrap()
        }
    };
    let mut counsellor = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.join("counsellor"),
    );
    let mut supervisor = enrol(
        &server,
        &mut admin,
        Role::Supervisor,
        &dir.join("supervisor"),
    );
    let mut second = enrol(&server, &mut admin, Role::Supervisor, &dir.join("second"));
    let mut third = enrol(&server, &mut admin, Role::Supervisor, &dir.join("third"));

    eprintln!("run {run}: recording the caseload");
    let caseload = record_caseload(
        &mut counsellor,
        supervisor.device_id(),
        a.clients,
        a.sessions,
        a.notes,
        0x5eed + run as u64,
    );
    let ops = counsellor.summary().unwrap().len() as u64;
    eprintln!(
        "run {run}: {ops} operations recorded in {:.1} s",
        caseload.record_time.as_secs_f64()
    );

    let shape = LinkShape {
        bits_per_second: (a.kbps > 0).then_some(a.kbps * 1000),
        rtt: Duration::from_millis(a.rtt_ms),
    };
    let proxy = ShapedProxy::start(server.addr, shape);
    let opts = SyncOptions::default();

    eprintln!("run {run}: the counsellor pushes");
    proxy.reset();
    let push = sync_through(&mut counsellor, &proxy.url, &opts);
    let (push_up, push_down) = (proxy.to_server(), proxy.to_client());
    let pushed = match &push.report {
        Ok(r) => r,
        Err(e) => {
            // On a link too slow for a push batch to cross within the HTTP timeout, say so.
            eprintln!(
                "run {run}: the push failed after {:.1} s ({e}); {} bytes went up over {} requests",
                push.time.as_secs_f64(),
                proxy.to_server(),
                push.requests
            );
            std::process::exit(1);
        }
    };
    assert_eq!(pushed.sent_ops, ops, "everything pushed");
    let push_floor = pushed.sent_bytes;
    eprintln!(
        "run {run}: push {:.1} s, {push_up} bytes up, {push_down} down",
        push.time.as_secs_f64()
    );

    eprintln!("run {run}: the supervisor pulls");
    proxy.reset();
    let pull = sync_through(&mut supervisor, &proxy.url, &opts);
    let (pull_up, pull_down) = (proxy.to_server(), proxy.to_client());
    let pulled = pull.report.as_ref().expect("the pull succeeds");
    assert!(pulled.rejected.is_empty(), "nothing refused");
    assert!(pulled.applied >= ops, "everything applied");
    assert_eq!(
        supervisor.clients().unwrap().items.len(),
        a.clients,
        "the supervisor sees every client"
    );
    let pull_floor = pulled.received_bytes;
    let pull_received_ops = pulled.received_ops;
    eprintln!(
        "run {run}: pull {:.1} s, {pull_down} bytes down, {pull_up} up",
        pull.time.as_secs_f64()
    );

    eprintln!("run {run}: a second supervisor pulls, cut once");
    proxy.reset();
    proxy.cut_once_after((pull_down as f64 * a.cut) as u64);
    let once = SyncOptions {
        max_attempts: 1,
        ..SyncOptions::default()
    };
    let cut = sync_through(&mut second, &proxy.url, &once);
    assert!(cut.report.is_err(), "the cut interrupted the sync");
    assert_eq!(proxy.cuts(), 1);
    let (cut_up_before, cut_down_before) = (proxy.to_server(), proxy.to_client());
    proxy.reset();
    let resumed = sync_through(&mut second, &proxy.url, &opts);
    let (resumed_up, resumed_down) = (proxy.to_server(), proxy.to_client());
    resumed.report.as_ref().expect("the resumed sync succeeds");
    assert_eq!(
        second.summary().unwrap().len(),
        supervisor.summary().unwrap().len(),
        "nothing lost after the cut"
    );
    eprintln!(
        "run {run}: cut after {cut_down_before} bytes down, resumed with {resumed_down} more in {:.1} s",
        resumed.time.as_secs_f64()
    );

    let loopback = sync_through(&mut third, &server.url, &opts);
    let over_loopback = loopback
        .report
        .as_ref()
        .expect("the loopback pull succeeds");
    assert!(over_loopback.applied >= ops, "everything applied");

    drop(proxy);
    drop((admin, counsellor, supervisor, second, third));
    server.stop();
    Run {
        caseload,
        ops,
        push,
        push_up,
        push_down,
        push_floor,
        pull,
        pull_up,
        pull_down,
        pull_floor,
        pull_received_ops,
        cut_down_before,
        cut_up_before,
        cut_time: cut.time,
        resumed,
        resumed_up,
        resumed_down,
        loopback,
    }
}

// ---------------------------------------------------------------------------------------
// The table.

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    let m = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    (m, v[0], v[n - 1])
}

fn thousands(n: f64) -> String {
    let s = format!("{:.0}", n);
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// "median (min-max)" of a figure over the runs.
fn spread(runs: &[Run], f: impl Fn(&Run) -> f64, fmt: impl Fn(f64) -> String) -> (f64, String) {
    let (m, lo, hi) = median(runs.iter().map(f).collect());
    let text = if runs.len() == 1 {
        fmt(m)
    } else {
        format!("{} ({}-{})", fmt(m), fmt(lo), fmt(hi))
    };
    (m, text)
}

fn secs(x: f64) -> String {
    format!("{x:.1} s")
}

fn bytes(x: f64) -> String {
    thousands(x)
}

fn main() {
    let a = args();
    let rate = if a.kbps > 0 {
        a.kbps as f64 * 1000.0 / 8.0
    } else {
        f64::INFINITY
    };
    eprintln!(
        "slow_link: {} clients, {} sessions, {} kbit/s each way, {} ms RTT, {} runs",
        a.clients, a.sessions, a.kbps, a.rtt_ms, a.runs
    );
    let runs: Vec<Run> = (1..=a.runs).map(|r| one_run(&a, r)).collect();

    let first = &runs[0];
    println!();
    println!(
        "Caseload of run 1: {} clients, {} sessions; {} operations; {} characters of session text ({})",
        a.clients,
        a.sessions,
        first.ops,
        thousands(first.caseload.text_bytes as f64),
        match a.notes {
            Notes::HeldOut => "notes from held-out prose in English, French and Kinyarwanda",
            Notes::Generator => "notes from the generator, which the dictionary was trained on",
        }
    );
    println!();
    println!("| records | operations | sealed bytes | bytes per operation | share of the floor |");
    println!("|---|---|---|---|---|");
    let all: u64 = first.caseload.kinds.iter().map(|k| k.bytes).sum();
    for k in &first.caseload.kinds {
        println!(
            "| {} | {} | {} | {:.0} | {:.0}% |",
            k.name,
            k.ops,
            thousands(k.bytes as f64),
            k.bytes as f64 / k.ops.max(1) as f64,
            100.0 * k.bytes as f64 / all.max(1) as f64
        );
    }

    println!();
    println!(
        "Link: {} kbit/s each way, {} ms RTT; {} runs, median (min-max); target {TARGET_S:.0} s",
        a.kbps, a.rtt_ms, a.runs
    );
    println!();
    println!("| measure | value | baseline | ratio | target |");
    println!("|---|---|---|---|---|");
    let (_, rec) = spread(&runs, |r| r.caseload.record_time.as_secs_f64(), secs);
    println!("| record the caseload on the tablet (no network) | {rec} | - | - | - |");

    // The counsellor's push.
    let (push_m, push_t) = spread(&runs, |r| r.push.time.as_secs_f64(), secs);
    let (floor_m, floor_t) = spread(&runs, |r| r.push_floor as f64, bytes);
    let link_floor = floor_m / rate;
    println!(
        "| counsellor's first sync: push everything ({} operations) | {push_t} | {TARGET_S:.0} s | {:.2}x | <= 1x |",
        first.ops,
        push_m / TARGET_S
    );
    println!(
        "| the same: time the envelopes alone need on the link | {} | push time | {:.2}x of it | - |",
        secs(link_floor),
        link_floor / push_m
    );
    let (up_m, up_t) = spread(&runs, |r| r.push_up as f64, bytes);
    println!(
        "| push: bytes up (HTTP included) | {up_t} | ciphertext floor {floor_t} | {:.3}x | <= 1.1x |",
        up_m / floor_m
    );
    let (_, down_t) = spread(&runs, |r| r.push_down as f64, bytes);
    let (_, req_t) = spread(&runs, |r| r.push.requests as f64, |x| format!("{x:.0}"));
    println!("| push: bytes down; requests | {down_t}; {req_t} requests | - | - | - |");

    // The supervisor's pull.
    let (pull_m, pull_t) = spread(&runs, |r| r.pull.time.as_secs_f64(), secs);
    let (pfloor_m, pfloor_t) = spread(&runs, |r| r.pull_floor as f64, bytes);
    println!(
        "| supervisor's first sync: pull everything ({} operations) | {pull_t} | {TARGET_S:.0} s | {:.2}x | <= 1x |",
        first.pull_received_ops,
        pull_m / TARGET_S
    );
    println!(
        "| the same: time the envelopes alone need on the link | {} | pull time | {:.2}x of it | - |",
        secs(pfloor_m / rate),
        pfloor_m / rate / pull_m
    );
    let (pdown_m, pdown_t) = spread(&runs, |r| r.pull_down as f64, bytes);
    println!(
        "| pull: bytes down (HTTP included) | {pdown_t} | ciphertext floor {pfloor_t} | {:.3}x | <= 1.1x |",
        pdown_m / pfloor_m
    );
    let (_, pup_t) = spread(&runs, |r| r.pull_up as f64, bytes);
    let (_, preq_t) = spread(&runs, |r| r.pull.requests as f64, |x| format!("{x:.0}"));
    println!("| pull: bytes up; requests | {pup_t}; {preq_t} requests | - | - | - |");
    if runs.iter().all(|r| r.pull.usable.is_some()) {
        let (use_m, use_t) = spread(
            &runs,
            |r| r.pull.usable.unwrap_or_default().as_secs_f64(),
            secs,
        );
        println!(
            "| pull: caseload usable (clients, cases, consents; the notes' pass begins) | {use_t} | whole pull | {:.3}x | < 30 s |",
            use_m / pull_m
        );
    }
    let (lo_m, lo_t) = spread(&runs, |r| r.loopback.time.as_secs_f64(), secs);
    println!(
        "| the same pull over plain loopback (devices and server alone) | {lo_t} | shaped pull | {:.3}x | - |",
        lo_m / pull_m
    );

    // The cut.
    let (_, before_t) = spread(&runs, |r| r.cut_down_before as f64, bytes);
    let (rdown_m, rdown_t) = spread(&runs, |r| r.resumed_down as f64, bytes);
    println!(
        "| pull cut once at {:.0}% of its bytes, then synced again: bytes down after the cut | {rdown_t} (cut after {before_t}) | whole pull {pdown_t} | {:.2}x | - |",
        a.cut * 100.0,
        rdown_m / pdown_m
    );
    let (resent_m, resent_t) = spread(
        &runs,
        |r| (r.cut_down_before + r.resumed_down) as f64 - r.pull_down as f64,
        bytes,
    );
    println!(
        "| the same: bytes received twice (before + after - whole pull) | {resent_t} | page limit {} | {:.2}x | - |",
        thousands(DEFAULT_PULL_BYTES as f64),
        resent_m / DEFAULT_PULL_BYTES as f64
    );
    let (_, rup_t) = spread(
        &runs,
        |r| (r.cut_up_before + r.resumed_up) as f64 - r.pull_up as f64,
        bytes,
    );
    let (cut_m, cut_t) = spread(&runs, |r| (r.cut_time + r.resumed.time).as_secs_f64(), secs);
    println!(
        "| the same: time, cut sync + resumed sync | {cut_t} | whole pull {pull_t} | {:.2}x | - |",
        cut_m / pull_m
    );
    println!("| the same: extra bytes up | {rup_t} | - | - | - |");
    let (_, push_only) = spread(&runs, |r| r.push.push_time.as_secs_f64(), secs);
    println!();
    println!("Of the counsellor's sync, pushing (login and keys included) took {push_only}.");
}
