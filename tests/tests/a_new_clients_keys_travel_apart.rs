//! From team format 5 on, a new client is two operations (ADR 0022): the first carries only
//! her file's keys, the second her fields, so that both fit under the 384-byte padding floor.
//! A batch file, a page cut in two or a tablet that syncs half-way can deliver them apart and
//! in either order: every tablet must end up showing the same client, and an erasure must
//! destroy the keys' operation everywhere, the server included.

use komora_core::{NewClient, OpEnvelope, OpId, RecordId, Role, Sex, Vault};
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin, enrol, sync};

struct Team {
    _dir: tempfile::TempDir,
    server: TestServer,
    admin: Vault,
    claudine: Vault,
    eric: Vault,
    jeanne: Vault,
    diane: Vault,
}

/// An administrator, three counsellors and a data officer who have all synced, so each knows
/// the others.
fn team() -> Team {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let mut eric = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("e"));
    let mut jeanne = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("j"));
    let mut diane = enrol(
        &server,
        &mut admin,
        Role::DataOfficer,
        &dir.path().join("d"),
    );
    for v in [
        &mut admin,
        &mut claudine,
        &mut eric,
        &mut jeanne,
        &mut diane,
    ] {
        sync(v).unwrap();
    }
    assert_eq!(
        claudine.team_format().unwrap(),
        komora_core::format::KEYS_APART
    );
    Team {
        _dir: dir,
        server,
        admin,
        claudine,
        eric,
        jeanne,
        diane,
    }
}

/// Claudine records Odette offline: the two operations it made, keys first.
fn odette_offline(t: &mut Team) -> (RecordId, OpEnvelope, OpEnvelope) {
    let before = t.claudine.summary().unwrap();
    let odette = t
        .claudine
        .add_client(&NewClient {
            name: "Mukamana Odette".into(),
            sex: Some(Sex::Female),
            birth_year: Some(1978),
            phone: Some("0788123456".into()),
            ..Default::default()
        })
        .unwrap();
    let made = t.claudine.ops_missing_from(&before).unwrap();
    assert_eq!(made.len(), 2, "a new client is two operations at format 5");
    (odette, made[0].clone(), made[1].clone())
}

fn ids(v: &Vault) -> Vec<OpId> {
    v.all_ops().unwrap().iter().map(OpEnvelope::op_id).collect()
}

#[test]
fn a_new_clients_fields_that_arrive_before_her_keys_wait_and_she_then_appears_whole() {
    let mut t = team();
    let (odette, keys, fields) = odette_offline(&mut t);
    let shown = t.claudine.client(odette).unwrap();

    // Eric's batch file holds the fields alone: they wait, sealed; Odette is not shown.
    let report = t.eric.apply_ops(std::slice::from_ref(&fields)).unwrap();
    assert_eq!(report.waiting, vec![fields.op_id()]);
    assert!(t.eric.client(odette).is_err());
    // The keys come in the next file: the waiting fields merge, and he sees what she sees.
    let report = t.eric.apply_ops(std::slice::from_ref(&keys)).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(t.eric.client(odette).unwrap(), shown);

    // Jeanne gets the keys first, then the fields: the same client.
    t.jeanne.apply_ops(std::slice::from_ref(&keys)).unwrap();
    // Until her fields come she is not shown: no client with no name in the list.
    assert!(t.jeanne.client(odette).is_err());
    assert!(t.jeanne.clients().unwrap().items.is_empty());
    t.jeanne.apply_ops(std::slice::from_ref(&fields)).unwrap();
    assert_eq!(t.jeanne.client(odette).unwrap(), shown);

    // A data officer's tablet, fields first too: it learns the statistics key alone from
    // the keys, and opens her statistics, never her name.
    let report = t.diane.apply_ops(std::slice::from_ref(&fields)).unwrap();
    assert_eq!(report.waiting, vec![fields.op_id()]);
    t.diane.apply_ops(std::slice::from_ref(&keys)).unwrap();
    let counted = t.diane.client(odette).unwrap();
    assert_eq!(
        (counted.sex, counted.birth_year, counted.name.as_str()),
        (Some(Sex::Female), Some(1978), "")
    );

    // Through the server, the administrator gets both in one page.
    sync(&mut t.claudine).unwrap();
    sync(&mut t.admin).unwrap();
    assert_eq!(t.admin.client(odette).unwrap(), shown);
    // The client was made by the operation of her fields: the audit says "created" once.
    let created: Vec<_> = t
        .admin
        .audit_trail()
        .unwrap()
        .into_iter()
        .filter(|e| e.record == Some(odette))
        .collect();
    assert_eq!(created.len(), 1, "{created:?}");
    assert!(created[0].fields.contains(&"name".to_owned()));
}

#[test]
fn erasing_a_client_destroys_her_keys_operation_on_every_tablet_and_the_server() {
    let mut t = team();
    let (odette, keys, fields) = odette_offline(&mut t);
    sync(&mut t.claudine).unwrap();
    // Eric held both before the erasure; Jeanne had received only the keys, by file.
    sync(&mut t.eric).unwrap();
    t.jeanne.apply_ops(std::slice::from_ref(&keys)).unwrap();
    assert!(ids(&t.eric).contains(&keys.op_id()));
    assert!(ids(&t.jeanne).contains(&keys.op_id()));

    sync(&mut t.admin).unwrap();
    t.admin.erase_client(odette, "client-request").unwrap();
    sync(&mut t.admin).unwrap();
    for v in [&mut t.claudine, &mut t.eric, &mut t.jeanne] {
        sync(v).unwrap();
        let held = ids(v);
        assert!(!held.contains(&keys.op_id()), "a tablet kept her keys");
        assert!(!held.contains(&fields.op_id()));
        assert!(v.client(odette).is_err());
    }
    let team = t.claudine.sync_settings().unwrap().team_id;
    let on_server: Vec<OpId> = t
        .server
        .team_copy(team)
        .iter()
        .map(OpEnvelope::op_id)
        .collect();
    assert!(
        !on_server.contains(&keys.op_id()),
        "the server kept her keys"
    );
    assert!(!on_server.contains(&fields.op_id()));
    // A batch file made before the erasure brings her operations back to a tablet: neither
    // is kept, in either order.
    for order in [[&keys, &fields], [&fields, &keys]] {
        let report = t
            .eric
            .apply_ops(&[order[0].clone(), order[1].clone()])
            .unwrap();
        assert_eq!(report.erased, 2, "{report:?}");
        assert!(!ids(&t.eric).contains(&keys.op_id()));
        assert!(t.eric.client(odette).is_err());
    }
}
