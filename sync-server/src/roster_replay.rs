//! Bringing a restored or rebuilt store level with the team's signed device list (issue 17).
//!
//! A store restored from a backup lacks the statements signed after the backup (a tablet
//! enrolled, a device revoked, a key rotated); a rebuilt one lacks all of them but the
//! genesis. Tablets hold the whole list and send back what the store lacks. Each statement is
//! checked as the server checks it when it first arrives (a member signed with its
//! invitation's key, an invitation and a snapshot signed by a registered device of the team),
//! kept in the order the tablet holds them, and applied: a member is registered with its
//! invitation's role; a snapshot revokes the devices it does not list and raises the team's
//! key epoch. Devices check every statement again from their own root of trust: this only
//! keeps the server's refusals (a revoked device's login, a stale epoch) what they were.

use std::collections::HashMap;

use komora_protocol::roster::{SignedStatement, Statement, MAX_ROSTER_STATEMENTS};
use komora_protocol::{Id16, Role};
use ring::signature::{UnparsedPublicKey, ED25519};

use crate::db::{Db, DbResult, DeviceRow, NewDevice, Readmitted};

fn signed_by(signed: &SignedStatement, pk: &[u8]) -> bool {
    UnparsedPublicKey::new(&ED25519, pk)
        .verify(
            &SignedStatement::message(&signed.statement),
            &signed.signature,
        )
        .is_ok()
}

/// The team's registered device `device`, if it is of `team`.
async fn registered(db: &dyn Db, team: Id16, device: Id16) -> Option<DeviceRow> {
    db.device(device)
        .await
        .ok()
        .flatten()
        .filter(|d| d.team_id == team)
}

/// An invitation as stated in the list, if a registered device of the team whose role may
/// invite that role signed it (`active`: and is not revoked, for an invitation arriving now):
/// its invitation key and the role it invites (checked when a member names it). Without the
/// role's rule a counsellor's tablet could sign itself an invitation as an administrator and
/// have the server register that identity with the administrator's powers at the server
/// (revoking, rotating, erasing the team's operations); without the standing's, a revoked
/// tablet's keys could still admit new identities.
async fn issued_invite(
    db: &dyn Db,
    team: Id16,
    bytes: &[u8],
    active: bool,
) -> Option<([u8; 32], Role)> {
    let (
        signed,
        Statement::Invite {
            team: t,
            issuer,
            invite_pk,
            role,
            ..
        },
    ) = SignedStatement::from_bytes(bytes)?
    else {
        return None;
    };
    let issued = t == team
        && registered(db, team, issuer).await.is_some_and(|d| {
            d.role.may_invite(role) && !(active && d.revoked) && signed_by(&signed, &d.sign_pk)
        });
    issued.then_some((invite_pk, role))
}

/// Keep and apply the statements of `statements` the team's list lacks; returns how many.
pub async fn append(db: &dyn Db, team: Id16, statements: &[Vec<u8>], now: u64) -> DbResult<u32> {
    let (held, _) = db.roster(team, 0, MAX_ROSTER_STATEMENTS).await?;
    // Invitations as stated in the list (held and new): their role, checked when a member
    // names them.
    let mut invites: HashMap<[u8; 32], Role> = HashMap::new();
    for bytes in &held {
        if let Some((key, role)) = issued_invite(db, team, bytes, false).await {
            invites.insert(key, role);
        }
    }
    let mut added = 0;
    for bytes in statements {
        if held.contains(bytes) {
            continue;
        }
        let Some((signed, st)) = SignedStatement::from_bytes(bytes) else {
            continue;
        };
        if st.team().is_some_and(|t| t != team) {
            continue;
        }
        let keep = match &st {
            // The team exists: its genesis is held already, or the store was re-attached.
            Statement::Genesis { .. } => false,
            Statement::Invite { .. } => match issued_invite(db, team, bytes, true).await {
                Some((key, role)) => {
                    invites.insert(key, role);
                    true
                }
                None => false,
            },
            Statement::Member {
                invite_pk,
                device,
                sign_pk,
                kx_pk,
            } => match invites.get(invite_pk) {
                Some(role) if signed_by(&signed, invite_pk) => {
                    // Registered, and its invitation spent: a restored store must not let the
                    // code enrol a second tablet.
                    db.readmit(
                        team,
                        vec![Readmitted {
                            device: NewDevice {
                                id: *device,
                                sign_pk: sign_pk.to_vec(),
                                kx_pk: kx_pk.to_vec(),
                                statement: bytes.clone(),
                                invite_pk: Some(*invite_pk),
                            },
                            role: *role,
                            revoked: false,
                        }],
                        Vec::new(),
                        now,
                    )
                    .await?;
                    true
                }
                _ => false,
            },
            Statement::Snapshot {
                epoch,
                issuer,
                members,
                ..
            } => {
                // By an administrator the server has not seen revoked: a revoked one's keys
                // could sign a second list for an epoch it knew, which every tablet refuses
                // as a fork (two lists for one epoch), stopping the whole team's sync.
                let ok = registered(db, team, *issuer).await.is_some_and(|d| {
                    d.role == Role::Admin && !d.revoked && signed_by(&signed, &d.sign_pk)
                });
                if ok {
                    // Kept before it is applied: a device a rejoin registers meanwhile is then
                    // either among the devices read here, or sees this snapshot when it checks
                    // the list again after registering (`rejoin.rs`).
                    db.add_statement(team, bytes.clone()).await?;
                    added += 1;
                    for d in db.devices(team).await? {
                        if !d.revoked && !members.iter().any(|(m, _)| *m == d.id) {
                            db.revoke_to(team, d.id, *epoch, now).await?;
                        }
                    }
                    db.raise_epoch(team, *epoch).await?;
                }
                false
            }
            Statement::Cutoff { issuer, .. } => registered(db, team, *issuer)
                .await
                .is_some_and(|d| signed_by(&signed, &d.sign_pk)),
            Statement::Retire {
                device, last_seq, ..
            } => {
                registered(db, team, *device)
                    .await
                    .is_some_and(|d| signed_by(&signed, &d.sign_pk))
                    && retire_covers(db, team, *device, *last_seq).await?
            }
            Statement::ServerPins { issuer, .. } | Statement::Format { issuer, .. } => {
                registered(db, team, *issuer)
                    .await
                    .is_some_and(|d| d.role == Role::Admin && signed_by(&signed, &d.sign_pk))
            }
        };
        if keep {
            db.add_statement(team, bytes.clone()).await?;
            added += 1;
        }
    }
    Ok(added)
}

/// Whether a hand-back naming `last_seq` as `device`'s last change covers every change of it
/// this store holds. Receivers refuse what a handed-back tablet numbers later, the lowest
/// statement holding: one naming less than it sent would take back, on every tablet that had
/// not received it yet, work it long sent (a counsellor erasing her own records).
pub async fn retire_covers(db: &dyn Db, team: Id16, device: Id16, last_seq: u64) -> DbResult<bool> {
    let held = db.holds_of(team, device).await?;
    Ok(held.last().is_none_or(|(_, highest)| last_seq >= *highest))
}

/// The newest statements naming the server's key pins, for a tablet that cannot check this
/// server's certificate any more (a server rebuilt on a new key): it checks them from its own
/// root of trust before it trusts a new key.
pub async fn server_pins(db: &dyn Db, team: Id16) -> DbResult<Vec<Vec<u8>>> {
    let (held, _) = db.roster(team, 0, MAX_ROSTER_STATEMENTS).await?;
    let mut pins: Vec<Vec<u8>> = held
        .into_iter()
        .filter(|b| {
            matches!(
                SignedStatement::from_bytes(b),
                Some((_, Statement::ServerPins { .. }))
            )
        })
        .collect();
    let keep = pins.len().saturating_sub(5);
    Ok(pins.split_off(keep))
}

/// Give an empty (rebuilt) store back its team: the genesis registers the founding device (as
/// the bootstrap does, consuming the one-time `code_hash`), then the rest of the list is
/// replayed.
pub async fn reattach(
    db: &dyn Db,
    code_hash: [u8; 32],
    team: Id16,
    statements: &[Vec<u8>],
    now: u64,
) -> DbResult<u32> {
    let founder = founder(team, statements)?;
    db.bootstrap(code_hash, team, founder, now).await?;
    append(db, team, &statements[1..], now).await
}

/// Give a rebuilt store another team of the organisation, at an administrator's request.
pub async fn reattach_team(
    db: &dyn Db,
    team: Id16,
    statements: &[Vec<u8>],
    now: u64,
) -> DbResult<u32> {
    let founder = founder(team, statements)?;
    db.create_team(team, founder, now).await?;
    append(db, team, &statements[1..], now).await
}

/// The founding device of `team`, from the genesis its list starts with (self-signed).
fn founder(team: Id16, statements: &[Vec<u8>]) -> DbResult<NewDevice> {
    let invalid = crate::db::DbError::Invalid(
        "a team's list starts with its genesis, signed by its founding device",
    );
    let first = statements.first().ok_or(invalid.clone())?;
    match SignedStatement::from_bytes(first) {
        Some((
            signed,
            Statement::Genesis {
                team: t,
                device,
                sign_pk,
                kx_pk,
            },
        )) if t == team && signed_by(&signed, &sign_pk) => Ok(NewDevice {
            id: device,
            sign_pk: sign_pk.to_vec(),
            kx_pk: kx_pk.to_vec(),
            statement: first.clone(),
            invite_pk: None,
        }),
        _ => Err(invalid),
    }
}
