//! What one small edit costs on the wire (issue 20, ADR 0022), measured from outside: the
//! bytes another tablet receives for it (`Vault::export_batch` for a replica that has
//! everything else, what `komora ops export --for` writes, minus the same file with nothing
//! new in it), for an everyday mix of one-field edits made by a counsellor of a real team
//! (enrolled on a real server, so the team's format packs and compresses bodies). Each edit
//! sent alone, and ten edits of ten different clients travelling together; median and p90.
//! Beside it, Automerge (the best-known CRDT library) for the same edits to the same fields:
//! one change per edit, and the ten edits in one change of one document holding the caseload
//! (Automerge's best case for batching), unencrypted and unsigned.
//!
//! `cargo run --release -p komora-scenarios --features automerge-compare --bin edit_bytes`
//! (`--rounds N`, 10 by default: N rounds of ten edits alone and ten together;
//! `--team-format N` founds the team at format N, this app's by default, so one binary measures
//! the 512-byte floor of format 4 against the 384-byte floor of format 5, ADR 0022). Prints a
//! markdown table.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ReadDoc, ROOT};
use komora_core::{
    CaseEdit, ClientEdit, NewClient, NewSession, RecordId, RiskLevel, Role, SessionEdit, Sex, Vault,
};
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin_with, enrol, fast_options, open_case_with_consent, sync};

/// One client of the caseload, and what an edit touches.
struct Client {
    id: RecordId,
    case: RecordId,
    session: RecordId,
}

/// The everyday one-field edits, in turn: (field as Automerge stores it, the new value).
const EDITS: usize = 7;

fn edit(v: &mut Vault, c: &Client, kind: usize, n: usize) -> (&'static str, String) {
    match kind % EDITS {
        0 => {
            let phone = format!("0788{:06}", 100_000 + n * 7_919 % 900_000);
            let e = ClientEdit {
                phone: Some(Some(phone.clone())),
                ..Default::default()
            };
            v.edit_client(c.id, &e).unwrap();
            ("phone", phone)
        }
        1 => {
            let name = format!("Uwimana Claudine {n}");
            let e = ClientEdit {
                name: Some(name.clone()),
                ..Default::default()
            };
            v.edit_client(c.id, &e).unwrap();
            ("name", name)
        }
        2 => {
            let year = 1960 + (n % 40) as u16;
            let e = ClientEdit {
                birth_year: Some(Some(year)),
                ..Default::default()
            };
            v.edit_client(c.id, &e).unwrap();
            ("birth_year", year.to_string())
        }
        3 => {
            let date = v.today().add_days(7 + (n % 21) as i64);
            let e = SessionEdit {
                next_appointment: Some(Some(date)),
                ..Default::default()
            };
            v.edit_session(c.session, &e).unwrap();
            ("next_appointment", date.to_string())
        }
        4 => {
            let plan =
                format!("Visit the family again after the harvest ({n}); see the youngest son.");
            let e = SessionEdit {
                follow_up_plan: Some(plan.clone()),
                ..Default::default()
            };
            v.edit_session(c.session, &e).unwrap();
            ("follow_up_plan", plan)
        }
        5 => {
            let minutes = 30 + (n % 60) as u16;
            let e = SessionEdit {
                duration_min: Some(minutes),
                ..Default::default()
            };
            v.edit_session(c.session, &e).unwrap();
            ("duration_min", minutes.to_string())
        }
        _ => {
            // Never the level the case has already (cases start low; each edit moves it on).
            let level = [RiskLevel::Medium, RiskLevel::High, RiskLevel::Low][n % 3];
            let e = CaseEdit {
                risk_level: Some(level),
                ..Default::default()
            };
            v.edit_case(c.case, &e).unwrap();
            ("risk_level", format!("{level:?}").to_lowercase())
        }
    }
}

/// Bytes another replica receives for what `v` wrote since `before` (the batch file's framing
/// of each operation included, the team's device list it also carries excluded).
/// Also returns how many operations that is (an edit that changes nothing writes none).
fn bytes_since(v: &Vault, before: &komora_core::Summary) -> (usize, usize) {
    let (with, ops) = v.export_batch(before).unwrap();
    let (without, none) = v.export_batch(&v.summary().unwrap()).unwrap();
    assert_eq!(none, 0);
    (with.len() - without.len(), ops)
}

fn percentile(mut xs: Vec<f64>, p: f64) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    xs[((xs.len() - 1) as f64 * p).round() as usize]
}

/// A caseload document as Automerge would hold it: one map per client with the same fields.
fn automerge_doc(clients: usize) -> (AutoCommit, Vec<automerge::ObjId>) {
    let mut doc = AutoCommit::new();
    let mut objs = Vec::new();
    for i in 0..clients {
        let c = doc
            .put_object(ROOT, format!("client-{i}"), ObjType::Map)
            .unwrap();
        doc.put(&c, "name", format!("Mukamana Odette {i}")).unwrap();
        doc.put(&c, "phone", format!("0788{:06}", i)).unwrap();
        doc.put(&c, "birth_year", 1978_i64).unwrap();
        doc.put(&c, "next_appointment", "2026-12-20").unwrap();
        doc.put(&c, "follow_up_plan", "Call next week.").unwrap();
        doc.put(&c, "duration_min", 45_i64).unwrap();
        doc.put(&c, "risk_level", "low").unwrap();
        objs.push(c);
    }
    doc.commit();
    let _ = doc.save_incremental();
    (doc, objs)
}

fn automerge_put(doc: &mut AutoCommit, obj: &automerge::ObjId, field: &str, value: &str) {
    match value.parse::<i64>() {
        Ok(n) => doc.put(obj, field, n).unwrap(),
        Err(_) => doc.put(obj, field, value).unwrap(),
    }
}

/// The value after `--name` on the command line, if given.
fn option(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

fn main() {
    let rounds: usize = option("--rounds")
        .map(|n| n.parse().expect("--rounds N"))
        .unwrap_or(10);
    let format: u32 = option("--team-format")
        .map(|n| n.parse().expect("--team-format N"))
        .unwrap_or(komora_core::format::APP_FORMAT);
    let dir = tempfile_dir();
    let server = TestServer::start(&dir.join("server"));
    let app = komora_core::VaultOptions {
        app_format: format,
        ..fast_options()
    };
    let mut admin = bootstrap_admin_with(&server, &dir.join("admin"), app);
    let mut v = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.join("counsellor"),
    );
    // A caseload of twenty clients, each with consents, a case and a session with a note.
    let clients: Vec<Client> = (0..20)
        .map(|i| {
            let id = v
                .add_client(&NewClient {
                    name: format!("Mukamana Odette {i}"),
                    sex: Some(Sex::Female),
                    birth_year: Some(1978),
                    phone: Some(format!("0788{i:06}")),
                    ..Default::default()
                })
                .unwrap();
            let case = open_case_with_consent(&mut v, id, "trauma");
            let mut s = NewSession::new(case, "home-visit");
            s.notes = Some("She slept better this week; her son visited twice.".into());
            s.follow_up_plan = Some("Call next week.".into());
            let session = v.add_session(&s).unwrap();
            Client { id, case, session }
        })
        .collect();
    sync(&mut v).unwrap();

    let (mut alone, mut together) = (Vec::new(), Vec::new());
    let (mut am_alone, mut am_together) = (Vec::new(), Vec::new());
    let (mut am_doc, am_objs) = automerge_doc(clients.len());
    let mut n = 0;
    for round in 0..rounds {
        // Ten edits, each sent alone.
        for k in 0..10 {
            let c = (round * 10 + k) % clients.len();
            let before = v.summary().unwrap();
            let (field, value) = edit(&mut v, &clients[c], k + round, n);
            n += 1;
            // An edit that sets the value a field already has (a risk level set again)
            // writes nothing: not counted.
            let (bytes, ops) = bytes_since(&v, &before);
            assert!(ops <= 1, "an everyday edit is one operation");
            if ops == 1 {
                alone.push(bytes as f64);
            }
            automerge_put(&mut am_doc, &am_objs[c], field, &value);
            am_doc.commit();
            am_alone.push(am_doc.save_incremental().len() as f64);
        }
        // Ten edits of ten different clients, travelling together.
        let before = v.summary().unwrap();
        for k in 0..10 {
            let c = (round * 10 + k + 5) % clients.len();
            let (field, value) = edit(&mut v, &clients[c], k + round + 3, n);
            n += 1;
            automerge_put(&mut am_doc, &am_objs[c], field, &value);
        }
        let (bytes, ops) = bytes_since(&v, &before);
        assert!(
            (8..=10).contains(&ops),
            "ten edits are (nearly) ten operations: {ops}"
        );
        together.push(bytes as f64 / ops as f64);
        am_doc.commit();
        am_together.push(am_doc.save_incremental().len() as f64 / 10.0);
    }
    let _ = am_doc.get(ROOT, "client-0");

    println!(
        "## Bytes per one-field edit, as another replica receives it (team format {format})\n"
    );
    println!(
        "{} edits alone and {} rounds of ten together; the mix: a client's phone, name or \
         birth year, a session's next appointment, follow-up plan or duration, a case's risk \
         level.\n",
        alone.len(),
        together.len()
    );
    println!("| | median | p90 | target |");
    println!("|---|---|---|---|");
    let row = |what: &str, xs: &[f64], target: &str| {
        println!(
            "| {what} | {:.0} | {:.0} | {target} |",
            percentile(xs.to_vec(), 0.5),
            percentile(xs.to_vec(), 0.9)
        );
    };
    row(
        "Komora, an edit sent alone (signed, sealed, padded)",
        &alone,
        "under 160",
    );
    row(
        "Komora, ten edits of ten clients together (per edit)",
        &together,
        "under 100",
    );
    row(
        "Automerge, one change per edit (clear, unsigned)",
        &am_alone,
        "",
    );
    row(
        "Automerge, ten edits in one change of one document (per edit)",
        &am_together,
        "",
    );
    std::fs::remove_dir_all(&dir).ok();
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("komora-edit-bytes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
