//! What a store restored from a backup takes back, without a login, from a tablet it forgot
//! (`POST /v1/rejoin`, `rejoin.rs`): the devices the team signed in, and nothing else. Each
//! rule is tried as an outsider would try to get round it (a made-up member, an invitation
//! forged in an administrator's name, another team's statements, a device id taken over, an
//! invitation used twice, a revoked device), and each refusal changes nothing in the store.
//! On SQLite, and on PostgreSQL when KOMORA_TEST_POSTGRES is set.

use komora_protocol::roster::{SignedStatement, Statement, MAX_ROSTER_STATEMENTS};
use komora_protocol::{Id16, Role};
use komora_sync_server::db::postgres::PostgresDb;
use komora_sync_server::db::sqlite::SqliteDb;
use komora_sync_server::db::{Db, DbResult, DeviceRow, NewDevice, NewInvite};
use komora_sync_server::rejoin::Refusal;
use komora_sync_server::roster_replay;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{Ed25519KeyPair, KeyPair};

const NOW: u64 = 1_800_000_000_000;

/// A store driven from plain test code: each call runs to its end on the store's runtime.
struct Store {
    rt: tokio::runtime::Runtime,
    db: Box<dyn Db>,
}

impl Store {
    fn create_team(&self, team: Id16, device: &NewDevice, now: u64) -> DbResult<()> {
        self.rt
            .block_on(self.db.create_team(team, device.clone(), now))
    }

    fn roster(&self, team: Id16, after: u32, limit: u32) -> DbResult<(Vec<Vec<u8>>, u32)> {
        self.rt.block_on(self.db.roster(team, after, limit))
    }

    fn device(&self, id: Id16) -> DbResult<Option<DeviceRow>> {
        self.rt.block_on(self.db.device(id))
    }

    fn create_invite(&self, invite: &NewInvite) -> DbResult<()> {
        self.rt.block_on(self.db.create_invite(invite.clone()))
    }

    fn enroll(
        &self,
        lookup: &[u8],
        device: &NewDevice,
        now: u64,
    ) -> DbResult<(Id16, Role, Vec<u8>)> {
        self.rt
            .block_on(self.db.enroll(lookup.to_vec(), device.clone(), now))
    }
}

/// `rejoin::rejoin` on `db`, to its end.
fn rejoin(
    db: &Store,
    team: Id16,
    device: Id16,
    chain: &[Vec<u8>],
    now: u64,
) -> DbResult<Result<u32, Refusal>> {
    db.rt.block_on(komora_sync_server::rejoin::rejoin(
        db.db.as_ref(),
        team,
        device,
        chain,
        now,
    ))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    SystemRandom::new().fill(&mut out).unwrap();
    out
}

/// An Ed25519 key of a device, or of an invitation.
struct Key(Ed25519KeyPair);

impl Key {
    fn new() -> Self {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        Key(Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap())
    }

    fn pk(&self) -> [u8; 32] {
        self.0.public_key().as_ref().try_into().unwrap()
    }

    fn sign(&self, statement: &Statement) -> Vec<u8> {
        let bytes = statement.encode();
        SignedStatement {
            signature: self
                .0
                .sign(&SignedStatement::message(&bytes))
                .as_ref()
                .to_vec(),
            statement: bytes,
        }
        .to_bytes()
    }
}

struct Device {
    id: Id16,
    key: Key,
}

impl Device {
    fn new() -> Self {
        Device {
            id: Id16(random()),
            key: Key::new(),
        }
    }
}

/// An invitation by `issuer` and the member statement of a new device its key signed.
struct Joined {
    device: Device,
    invite_key: Key,
    invite: Vec<u8>,
    member: Vec<u8>,
}

impl Joined {
    fn pair(&self) -> Vec<Vec<u8>> {
        vec![self.invite.clone(), self.member.clone()]
    }
}

fn invite(team: Id16, issuer: &Device, role: Role, epoch: u32, key: &Key) -> Vec<u8> {
    issuer.key.sign(&Statement::Invite {
        team,
        issuer: issuer.id,
        invite_pk: key.pk(),
        role,
        epoch,
    })
}

fn member(invite_key: &Key, device: &Device) -> Vec<u8> {
    invite_key.sign(&Statement::Member {
        invite_pk: invite_key.pk(),
        device: device.id,
        sign_pk: device.key.pk(),
        kx_pk: [7; 32],
    })
}

fn join(team: Id16, issuer: &Device, role: Role, epoch: u32) -> Joined {
    let device = Device::new();
    let invite_key = Key::new();
    Joined {
        invite: invite(team, issuer, role, epoch, &invite_key),
        member: member(&invite_key, &device),
        device,
        invite_key,
    }
}

/// A team as a restored store holds it: its founding administrator and a supervisor.
struct Team {
    id: Id16,
    admin: Device,
    supervisor: Joined,
}

fn team(db: &Store) -> Team {
    let id = Id16(random());
    let admin = Device::new();
    let genesis = admin.key.sign(&Statement::Genesis {
        team: id,
        device: admin.id,
        sign_pk: admin.key.pk(),
        kx_pk: [7; 32],
    });
    db.create_team(
        id,
        &NewDevice {
            id: admin.id,
            sign_pk: admin.key.pk().to_vec(),
            kx_pk: vec![7; 32],
            statement: genesis,
            invite_pk: None,
        },
        NOW,
    )
    .unwrap();
    let supervisor = join(id, &admin, Role::Supervisor, 1);
    db.rt
        .block_on(roster_replay::append(
            db.db.as_ref(),
            id,
            &supervisor.pair(),
            NOW,
        ))
        .unwrap();
    Team {
        id,
        admin,
        supervisor,
    }
}

/// What an outsider can see change: the team's list and a device's registration.
fn state(db: &Store, team: Id16, device: Id16) -> (Vec<Vec<u8>>, Option<(Role, bool)>) {
    let (list, _) = db.roster(team, 0, MAX_ROSTER_STATEMENTS).unwrap();
    let row = db.device(device).unwrap().map(|d| (d.role, d.revoked));
    (list, row)
}

/// `chain`, handed back for `device`, is refused as `why` and changes nothing.
fn refused(db: &Store, t: &Team, device: Id16, chain: &[Vec<u8>], why: fn(Refusal) -> bool) {
    let before = state(db, t.id, device);
    let answer = rejoin(db, t.id, device, chain, NOW).unwrap();
    assert!(answer.is_err_and(why), "{answer:?}");
    assert_eq!(state(db, t.id, device), before, "a refusal changes nothing");
}

fn not_admitted(r: Refusal) -> bool {
    matches!(r, Refusal::NotAdmitted(_))
}

fn malformed(r: Refusal) -> bool {
    matches!(r, Refusal::Malformed(_))
}

fn on_every_store(test: fn(&Store)) {
    let dir = tempfile::tempdir().unwrap();
    test(&Store {
        rt: runtime(),
        db: Box::new(SqliteDb::open(&dir.path().join("komora-sync.db")).unwrap()),
    });
    let Ok(url) = std::env::var("KOMORA_TEST_POSTGRES") else {
        eprintln!("KOMORA_TEST_POSTGRES is not set: the rejoin rules run on SQLite only");
        return;
    };
    let schema = format!("t_rejoin_{}", hex(&random::<8>()));
    let rt = runtime();
    let db = rt
        .block_on(PostgresDb::open(&url, Some(&schema), 4))
        .unwrap();
    test(&Store {
        rt,
        db: Box::new(db),
    });
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_tablet_invited_after_the_backup_is_registered_from_its_invitation_and_its_join() {
    on_every_store(|db| {
        let t = team(db);
        let emile = join(t.id, &t.admin, Role::Counsellor, 1);
        let (before, _) = state(db, t.id, emile.device.id);
        assert_eq!(
            rejoin(db, t.id, emile.device.id, &emile.pair(), NOW).unwrap(),
            Ok(1)
        );
        let (after, row) = state(db, t.id, emile.device.id);
        assert_eq!(row, Some((Role::Counsellor, false)));
        assert_eq!(
            after.len(),
            before.len() + 2,
            "the list takes both statements"
        );
        // Handed back again (a retry, or anyone replaying them): nothing more happens.
        assert_eq!(
            rejoin(db, t.id, emile.device.id, &emile.pair(), NOW).unwrap(),
            Ok(0)
        );
        assert_eq!(state(db, t.id, emile.device.id).0, after);

        // A counsellor invited by a supervisor who was herself enrolled after the backup:
        // the chain brings both back.
        let sam = join(t.id, &t.admin, Role::Supervisor, 1);
        let claudine = join(t.id, &sam.device, Role::Counsellor, 1);
        let chain = [sam.pair(), claudine.pair()].concat();
        assert_eq!(
            rejoin(db, t.id, claudine.device.id, &chain, NOW).unwrap(),
            Ok(2)
        );
        assert_eq!(
            state(db, t.id, sam.device.id).1,
            Some((Role::Supervisor, false))
        );
    });
}

#[test]
fn made_up_or_foreign_statements_register_nothing() {
    on_every_store(|db| {
        let t = team(db);
        let emile = join(t.id, &t.admin, Role::Counsellor, 1);
        let outsider = Device::new();

        // A join not signed with the invitation's key: the administrator's genuine
        // invitation, and a member statement the outsider signed himself.
        let forged_join = Key::new().sign(&Statement::Member {
            invite_pk: emile.invite_key.pk(),
            device: outsider.id,
            sign_pk: outsider.key.pk(),
            kx_pk: [7; 32],
        });
        refused(
            db,
            &t,
            outsider.id,
            &[emile.invite.clone(), forged_join],
            not_admitted,
        );

        // An invitation in the administrator's name, signed with another key.
        let key = Key::new();
        let forged_invite = outsider.key.sign(&Statement::Invite {
            team: t.id,
            issuer: t.admin.id,
            invite_pk: key.pk(),
            role: Role::Admin,
            epoch: 1,
        });
        refused(
            db,
            &t,
            outsider.id,
            &[forged_invite, member(&key, &outsider)],
            not_admitted,
        );

        // An invitation by a device the server has never heard of.
        let stranger = join(t.id, &outsider, Role::Counsellor, 1);
        refused(db, &t, stranger.device.id, &stranger.pair(), not_admitted);

        // Another team's genuine statements, handed back as this team's.
        let other = team(db);
        let theirs = join(other.id, &other.admin, Role::Counsellor, 1);
        refused(db, &t, theirs.device.id, &theirs.pair(), not_admitted);

        // Garbage, a member statement alone, the pair the wrong way round, a chain that
        // admits another device than the one asking.
        refused(db, &t, outsider.id, &[b"garbage".to_vec()], malformed);
        refused(
            db,
            &t,
            emile.device.id,
            std::slice::from_ref(&emile.member),
            malformed,
        );
        refused(
            db,
            &t,
            emile.device.id,
            &[emile.member.clone(), emile.invite.clone()],
            malformed,
        );
        refused(db, &t, outsider.id, &emile.pair(), malformed);
        // None of those devices is known to the server, in either team.
        for d in [outsider.id, stranger.device.id, theirs.device.id] {
            assert!(db.device(d).unwrap().is_none());
        }
    });
}

#[test]
fn a_role_that_may_not_invite_and_a_device_id_taken_over_are_refused() {
    on_every_store(|db| {
        let t = team(db);
        // A counsellor enrolled after the backup "invites" a supervisor.
        let emile = join(t.id, &t.admin, Role::Counsellor, 1);
        let boss = join(t.id, &emile.device, Role::Supervisor, 1);
        let chain = [emile.pair(), boss.pair()].concat();
        refused(db, &t, boss.device.id, &chain, not_admitted);

        // A genuine invitation used for a device that takes the supervisor's id with its own
        // key: the server keeps the supervisor's key.
        let key = Key::new();
        let thief = Device {
            id: t.supervisor.device.id,
            key: Key::new(),
        };
        let chain = [
            invite(t.id, &t.admin, Role::Counsellor, 1, &key),
            member(&key, &thief),
        ];
        refused(db, &t, thief.id, &chain, not_admitted);
        let kept = db.device(t.supervisor.device.id).unwrap().unwrap();
        assert_eq!(kept.sign_pk, t.supervisor.device.key.pk().to_vec());
    });
}

#[test]
fn an_invitation_used_by_another_device_and_one_the_server_has_no_key_change_for_are_refused() {
    on_every_store(|db| {
        let t = team(db);
        // The supervisor's invitation, already used by her, signs in a second device.
        let second = Device::new();
        let chain = [
            t.supervisor.invite.clone(),
            member(&t.supervisor.invite_key, &second),
        ];
        refused(db, &t, second.id, &chain, not_admitted);

        // An invitation of key epoch 2, on a store that never heard of the rotation to it.
        let late = join(t.id, &t.admin, Role::Counsellor, 2);
        refused(db, &t, late.device.id, &late.pair(), |r| {
            r == Refusal::EpochAhead
        });
    });
}

#[test]
fn a_device_the_list_revokes_comes_back_revoked_and_cannot_invite_after_its_revocation() {
    on_every_store(|db| {
        let t = team(db);
        // After the backup: Fiona enrolled at epoch 1, then the administrator revoked the
        // supervisor and Fiona (a snapshot of epoch 2 keeps only himself). Another tablet
        // brought the snapshot back; only Fiona's tablet holds her join.
        let fiona = join(t.id, &t.admin, Role::Counsellor, 1);
        let snapshot = t.admin.key.sign(&Statement::Snapshot {
            team: t.id,
            epoch: 2,
            issuer: t.admin.id,
            members: vec![(t.admin.id, t.admin.key.pk())],
            key_id: [1; 32],
        });
        db.rt
            .block_on(roster_replay::append(
                db.db.as_ref(),
                t.id,
                &[snapshot],
                NOW,
            ))
            .unwrap();
        assert!(db.device(t.supervisor.device.id).unwrap().unwrap().revoked);

        assert_eq!(
            rejoin(db, t.id, fiona.device.id, &fiona.pair(), NOW).unwrap(),
            Ok(1)
        );
        assert_eq!(
            state(db, t.id, fiona.device.id).1,
            Some((Role::Counsellor, true)),
            "registered revoked: her login is refused, and she can fetch the signed proof"
        );

        // The revoked supervisor's invitation made after the rotation admits no one.
        let late = join(t.id, &t.supervisor.device, Role::Counsellor, 2);
        refused(db, &t, late.device.id, &late.pair(), not_admitted);
        // One she made while still a member does (its device is revoked with her, though).
        let early = join(t.id, &t.supervisor.device, Role::Counsellor, 1);
        assert_eq!(
            rejoin(db, t.id, early.device.id, &early.pair(), NOW).unwrap(),
            Ok(1)
        );
        assert!(db.device(early.device.id).unwrap().unwrap().revoked);
    });
}

#[test]
fn a_tablet_that_comes_back_spends_its_invitation_code() {
    on_every_store(|db| {
        let t = team(db);
        // The administrator invited Emile before the backup; Emile enrolled after it. The
        // restored store still holds the invitation, unused, with its sealed bundle.
        let emile = join(t.id, &t.admin, Role::Counsellor, 1);
        let lookup = random::<32>().to_vec();
        db.create_invite(&NewInvite {
            lookup: lookup.clone(),
            team: t.id,
            role: Role::Counsellor,
            by: t.admin.id,
            expires_ms: NOW + 3_600_000,
            bundle: vec![1; 64],
            statement: emile.invite.clone(),
            invite_pk: Some(emile.invite_key.pk()),
        })
        .unwrap();
        assert_eq!(
            rejoin(db, t.id, emile.device.id, &emile.pair(), NOW).unwrap(),
            Ok(1)
        );
        // Whoever saw the code cannot enrol a second tablet with it now.
        let second = Device::new();
        let attempt = db.enroll(
            &lookup,
            &NewDevice {
                id: second.id,
                sign_pk: second.key.pk().to_vec(),
                kx_pk: vec![7; 32],
                statement: member(&emile.invite_key, &second),
                invite_pk: Some(emile.invite_key.pk()),
            },
            NOW,
        );
        assert!(matches!(
            attempt,
            Err(komora_sync_server::db::DbError::InvalidCode)
        ));
    });
}
