//! The routes. Each handler decodes its whole request, checks it, then makes one storage call.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use komora_protocol::roster::{SignedStatement, Statement, MAX_ROSTER_PAGE};
use komora_protocol::{
    envelope, BootstrapRequest, ChallengeRequest, ChallengeResponse, DeviceRegistration,
    EnrollRequest, EnrollResponse, ErrorCode, Id16, InviteRequest, InviteResponse, PullPage,
    PushBatch, PushResponse, RegisteredResponse, Role, TokenRequest, TokenResponse,
    DEFAULT_PULL_BYTES, MAX_CONTROL_BYTES, MAX_PULL_BYTES, MAX_PUSH_OPS,
};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{UnparsedPublicKey, ED25519};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::auth::{sha256, Authed, ClientAddr, CHALLENGE_TTL_MS, TOKEN_TTL_MS};
use crate::db::{DbResult, IncomingOp, NewDevice, NewInvite};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::{now_ms, AppState};

/// The protocol version a request speaks (its header; none: 1, the release before it).
pub fn protocol_of(headers: &axum::http::HeaderMap) -> u32 {
    headers
        .get(komora_protocol::PROTOCOL_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1)
}

/// Await a storage call. A panic in it becomes a 500, never a dropped connection or a dead
/// server.
pub async fn stored<T>(
    call: impl std::future::Future<Output = DbResult<T>>,
) -> Result<T, ApiError> {
    match futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(call)).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(_) => {
            tracing::error!("a storage call panicked");
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "the server could not complete the request",
            ))
        }
    }
}

fn json<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    if body.len() > MAX_CONTROL_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooLarge,
            "the request is too large",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|_| ApiError::bad_request("the request body is not what this route expects"))
}

fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .expect("the OS random number generator failed");
    out
}

/// Whether two lists name the same devices, each once.
fn same_devices(a: impl Iterator<Item = Id16>, b: impl Iterator<Item = Id16>) -> bool {
    let (mut a, mut b): (Vec<_>, Vec<_>) = (a.collect(), b.collect());
    a.sort();
    b.sort();
    a.windows(2).all(|w| w[0] != w[1]) && a == b
}

/// Decode a signed statement for the team's device list, whole and bounded.
fn statement(bytes: &komora_protocol::Bytes) -> Result<(SignedStatement, Statement), ApiError> {
    SignedStatement::from_bytes(&bytes.0)
        .ok_or_else(|| ApiError::bad_request("the signed device-list statement is malformed"))
}

/// Check a statement's signature. Devices check every statement again: this only keeps
/// garbage out of the list.
fn signed_by(signed: &SignedStatement, pk: &[u8]) -> Result<(), ApiError> {
    UnparsedPublicKey::new(&ED25519, pk)
        .verify(
            &SignedStatement::message(&signed.statement),
            &signed.signature,
        )
        .map_err(|_| ApiError::bad_request("the device-list statement's signature is not valid"))
}

/// Which statement a device registers with.
enum Introduction {
    /// The founding administrator: the genesis of this team, signed by the device itself.
    Founder { team: Id16 },
    /// A device using an invitation: its member statement, signed with the invitation key
    /// that the inviter's statement names (checked against the invitation at enrolment).
    Member,
}

/// A device's registration and the signed statement that introduces it, which must be of the
/// expected kind and name the same device and keys.
fn check_registration(
    d: &DeviceRegistration,
    signed: &komora_protocol::Bytes,
    expected: Introduction,
) -> Result<NewDevice, ApiError> {
    if d.sign_pk.0.len() != 32 {
        return Err(ApiError::bad_request("a device's signing key is 32 bytes"));
    }
    if d.kx_pk.0.len() != 32 {
        return Err(ApiError::bad_request(
            "a device's key-agreement key is 32 bytes",
        ));
    }
    let (signed_statement, st) = statement(signed)?;
    let mut invite = None;
    let (device, sign_pk, kx_pk) = match (st, expected) {
        (
            Statement::Genesis {
                team,
                device,
                sign_pk,
                kx_pk,
            },
            Introduction::Founder { team: expected },
        ) if team == expected => {
            signed_by(&signed_statement, &sign_pk)?;
            (device, sign_pk, kx_pk)
        }
        (
            Statement::Member {
                invite_pk,
                device,
                sign_pk,
                kx_pk,
            },
            Introduction::Member,
        ) => {
            signed_by(&signed_statement, &invite_pk)?;
            invite = Some(invite_pk);
            (device, sign_pk, kx_pk)
        }
        _ => return Err(ApiError::bad_request(
            "a founder registers with its team's genesis, a new device with its member statement",
        )),
    };
    if device != d.device_id || sign_pk[..] != d.sign_pk.0[..] || kx_pk[..] != d.kx_pk.0[..] {
        return Err(ApiError::bad_request(
            "the signed statement names another device or other keys",
        ));
    }
    Ok(NewDevice {
        id: d.device_id,
        sign_pk: d.sign_pk.0.clone(),
        kx_pk: d.kx_pk.0.clone(),
        statement: signed.0.clone(),
        invite_pk: invite,
    })
}

fn limited(
    limiter: &crate::limiter::RateLimiter,
    metrics: &Metrics,
    addr: ClientAddr,
) -> Result<(), ApiError> {
    // An IPv6 network counts as one sender, an IPv4-mapped address as its IPv4 one.
    if limiter.allow(crate::address::sender(addr.0)) {
        Ok(())
    } else {
        metrics.rate_limited.inc();
        Err(ApiError::rate_limited())
    }
}

/// A login step for one device: limited per address and per device id, so a flood naming
/// one device from many addresses stops that device's logins only.
fn login_limited(state: &AppState, addr: ClientAddr, device: Id16) -> Result<(), ApiError> {
    limited(&state.login_limit, &state.metrics, addr)?;
    if state.device_limit.allow(device) {
        Ok(())
    } else {
        state.metrics.rate_limited.inc();
        Err(ApiError::rate_limited())
    }
}

/// A registered device that may log in: unknown is unauthenticated, revoked is told so.
async fn active_device(state: &Arc<AppState>, id: Id16) -> Result<crate::db::DeviceRow, ApiError> {
    let device = stored(state.db.device(id))
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    if device.revoked {
        return Err(ApiError::revoked());
    }
    Ok(device)
}

pub async fn health(
    State(state): State<Arc<AppState>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let waiting = stored(state.db.needs_bootstrap()).await?;
    // The backups' times and flags (no path, no error text): a stopped or failing backup is
    // seen where the administrator looks.
    let backup = state.backups.health(now_ms());
    Ok(Json(
        serde_json::json!({ "status": "ok", "bootstrapped": !waiting, "backup": backup }),
    ))
}

/// Prometheus text, for whoever holds the metrics token (`--metrics-token`): counts of requests
/// and operations say when and how much a team works, so they are not the whole internet's.
/// Without a token configured the route is off (404).
pub async fn metrics(
    State(state): State<Arc<AppState>>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let Some(expected) = state.metrics_token.as_deref() else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "metrics are off on this server (start it with --metrics-token)",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("");
    let same = crate::auth::sha256(given.as_bytes()) == crate::auth::sha256(expected.as_bytes());
    if !same {
        return Err(ApiError::unauthenticated());
    }
    Ok((
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        state.metrics.render(),
    )
        .into_response())
}

pub async fn bootstrap(
    State(state): State<Arc<AppState>>,
    addr: ClientAddr,
    body: Bytes,
) -> Result<Json<RegisteredResponse>, ApiError> {
    limited(&state.code_limit, &state.metrics, addr)?;
    let req: BootstrapRequest = json(&body)?;
    let device = check_registration(
        &req.device,
        &req.genesis,
        Introduction::Founder { team: req.team_id },
    )?;
    let code = komora_protocol::code::normalise(&req.code).ok_or_else(ApiError::invalid_code)?;
    let hash = sha256(code.as_bytes());
    let team = req.team_id;
    stored(state.db.bootstrap(hash, team, device, now_ms())).await?;
    tracing::info!("bootstrapped: first team and administrator device created");
    Ok(Json(RegisteredResponse {
        team_id: team,
        device_id: req.device.device_id,
        role: Role::Admin,
    }))
}

/// An administrator creates another team of the organisation (ADR 0011). The new team's
/// founder is a new device identity of the administrator's tablet, which signs the genesis of
/// the team's device list; the server never learns the team's name.
pub async fn create_team(
    State(state): State<Arc<AppState>>,
    who: Authed,
    body: Result<Json<komora_protocol::CreateTeamRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<RegisteredResponse>, ApiError> {
    who.require(&[Role::Admin], "only administrators create teams")?;
    let Json(req) = body.map_err(|_| ApiError::bad_request("a team needs an id and a founder"))?;
    let device = check_registration(
        &req.device,
        &req.genesis,
        Introduction::Founder { team: req.team_id },
    )?;
    let team = req.team_id;
    stored(state.db.create_team(team, device, now_ms())).await?;
    tracing::info!(team = %team, "team created");
    Ok(Json(RegisteredResponse {
        team_id: team,
        device_id: req.device.device_id,
        role: Role::Admin,
    }))
}

/// A challenge to sign, for a login or, for a revoked device, for the proof of its revocation
/// (`revocation_proof`): a revoked device is given one too, and refused at the token.
pub async fn challenge(
    State(state): State<Arc<AppState>>,
    addr: ClientAddr,
    body: Bytes,
) -> Result<Json<ChallengeResponse>, ApiError> {
    let req: ChallengeRequest = json(&body)?;
    let id = req.device_id;
    login_limited(&state, addr, id)?;
    stored(state.db.device(id))
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    let challenge: [u8; 32] = random();
    stored(
        state
            .db
            .put_challenge(challenge.to_vec(), id, now_ms() + CHALLENGE_TTL_MS),
    )
    .await?;
    Ok(Json(ChallengeResponse {
        challenge: komora_protocol::Bytes(challenge.to_vec()),
    }))
}

pub async fn token(
    State(state): State<Arc<AppState>>,
    addr: ClientAddr,
    body: Bytes,
) -> Result<Json<TokenResponse>, ApiError> {
    let req: TokenRequest = json(&body)?;
    let id = req.device_id;
    login_limited(&state, addr, id)?;
    let device = active_device(&state, id).await?;
    let challenge = req.challenge.0.clone();
    if !stored(state.db.take_challenge(challenge, id, now_ms())).await? {
        return Err(ApiError::unauthenticated());
    }
    let message = komora_protocol::login_message(&id, &req.challenge.0);
    UnparsedPublicKey::new(&ED25519, &device.sign_pk)
        .verify(&message, &req.signature.0)
        .map_err(|_| ApiError::unauthenticated())?;
    let raw: [u8; 32] = random();
    let token = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, raw);
    let hash = sha256(token.as_bytes());
    let team = device.team_id;
    let report = req.report.clone().map(bounded_report);
    let db = &state.db;
    let (roster_len, generation, head, own, erased_for_me) = stored(async {
        db.put_token(hash, id, now_ms() + TOKEN_TTL_MS).await?;
        if let Some(r) = report {
            db.report(id, r).await?;
        }
        Ok((
            db.roster_len(team).await?,
            db.generation().await?,
            db.head(team).await?,
            db.holds_of(team, id).await?,
            db.erased_for(team, id).await?,
        ))
    })
    .await?;
    Ok(Json(TokenResponse {
        token,
        expires_in_s: TOKEN_TTL_MS / 1000,
        team_id: device.team_id,
        role: device.role,
        team_epoch: device.team_epoch,
        roster_len,
        generation: komora_protocol::Bytes(generation.to_vec()),
        head,
        own,
        erased_for_me,
        serves_own: true,
    }))
}

/// A revoked device, proven by its signature on a fresh challenge, is handed its team's signed
/// device list: it erases itself only once that list, checked from its own root of trust,
/// shows an administrator revoking it (issue 16, finding 1). A server's word alone erases
/// nothing, so this route gives the server no power it did not have.
pub async fn revocation_proof(
    State(state): State<Arc<AppState>>,
    addr: ClientAddr,
    body: Bytes,
) -> Result<Json<komora_protocol::roster::RosterResponse>, ApiError> {
    let req: komora_protocol::RevocationProofRequest = json(&body)?;
    let id = req.device_id;
    login_limited(&state, addr, id)?;
    let device = stored(state.db.device(id))
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    let challenge = req.challenge.0.clone();
    if !stored(state.db.take_challenge(challenge, id, now_ms())).await? {
        return Err(ApiError::unauthenticated());
    }
    let message = komora_protocol::revocation_proof_message(&id, &req.challenge.0);
    UnparsedPublicKey::new(&ED25519, &device.sign_pk)
        .verify(&message, &req.signature.0)
        .map_err(|_| ApiError::unauthenticated())?;
    if !device.revoked {
        return Err(ApiError::forbidden(
            "this device is not revoked: log in as usual",
        ));
    }
    let (team, after) = (device.team_id, req.after);
    let (statements, total) = stored(state.db.roster(team, after, MAX_ROSTER_PAGE as u32)).await?;
    let statements = within_page_budget(statements);
    tracing::info!("a revoked device fetched the proof of its revocation");
    Ok(Json(komora_protocol::roster::RosterResponse {
        statements: statements.into_iter().map(komora_protocol::Bytes).collect(),
        total,
    }))
}

/// A tablet handed back states, under its own signature, the last of its operations (it sent
/// them all first): receivers refuse anything it numbers later. An administrator then revokes
/// it as usual, which rotates the team key.
pub async fn retire(
    State(state): State<Arc<AppState>>,
    who: Authed,
    body: Result<Json<komora_protocol::RetireRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Json(req) = body.map_err(|_| ApiError::bad_request("retiring needs a signed statement"))?;
    let (signed, st) = statement(&req.statement)?;
    let last_seq = match st {
        Statement::Retire {
            team,
            device,
            last_seq,
        } if team == who.0.team_id && device == who.0.id => last_seq,
        _ => {
            return Err(ApiError::bad_request(
                "the statement must retire this device, in its team",
            ))
        }
    };
    signed_by(&signed, &who.0.sign_pk)?;
    let team = who.0.team_id;
    if !crate::roster_replay::retire_covers(state.db.as_ref(), team, who.0.id, last_seq).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::Conflict,
            "a tablet handed back must count every change it sent: sync, then hand it back",
        ));
    }
    let bytes = req.statement.0;
    stored(state.db.add_statement(team, bytes)).await?;
    tracing::info!("a device was handed back");
    Ok(Json(serde_json::json!({ "retired": true })))
}

/// `POST /v1/report`: how a device stands at the end of a sync (what waits on it, what it could
/// not read), when that differs from what it said at login, for the fleet view. Counts and
/// times only; the device's own report, nobody else's.
pub async fn report(
    State(state): State<Arc<AppState>>,
    who: Authed,
    body: Result<Json<komora_protocol::DeviceReport>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Json(report) = body.map_err(|_| ApiError::bad_request("a device report"))?;
    let report = bounded_report(report);
    let id = who.0.id;
    stored(state.db.report(id, report)).await?;
    Ok(Json(serde_json::json!({ "kept": true })))
}

/// A device's report as kept: its version string cut to a sane length (it is free text).
fn bounded_report(mut r: komora_protocol::DeviceReport) -> komora_protocol::DeviceReport {
    r.app_version = r
        .app_version
        .chars()
        .filter(|c| !c.is_control())
        .take(32)
        .collect();
    r
}

pub async fn invite(
    State(state): State<Arc<AppState>>,
    who: Authed,
    body: Bytes,
) -> Result<Json<InviteResponse>, ApiError> {
    if !state.invite_limit.allow(who.0.id) {
        state.metrics.rate_limited.inc();
        return Err(ApiError::rate_limited());
    }
    let req: InviteRequest = json(&body)?;
    if !who.0.role.may_invite(req.role) {
        return Err(ApiError::forbidden(
            "this device's role may not invite that role",
        ));
    }
    if req.lookup.0.len() != 32
        || req.sealed_bundle.0.is_empty()
        || req.sealed_bundle.0.len() > 64 * 1024
    {
        return Err(ApiError::bad_request(
            "an invitation needs a 32-byte lookup and a sealed bundle under 64 KiB",
        ));
    }
    if !(60..=7 * 24 * 3600).contains(&req.expires_in_s) {
        return Err(ApiError::bad_request(
            "an invitation lasts between one minute and seven days",
        ));
    }
    let (signed, st) = statement(&req.invite)?;
    let invite_pk = match st {
        Statement::Invite {
            team,
            issuer,
            role,
            invite_pk,
            epoch,
        } if team == who.0.team_id && issuer == who.0.id && role == req.role => {
            if epoch != who.0.team_epoch {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    ErrorCode::StaleEpoch,
                    "the team key changed: sync, then invite again",
                ));
            }
            invite_pk
        }
        _ => {
            return Err(ApiError::bad_request(
                "the invitation statement must be this device's, for this team and role",
            ))
        }
    };
    signed_by(&signed, &who.0.sign_pk)?;
    let now = now_ms();
    let expires = now + req.expires_in_s * 1000;
    let invite = NewInvite {
        lookup: req.lookup.0,
        team: who.0.team_id,
        role: req.role,
        by: who.0.id,
        expires_ms: expires,
        bundle: req.sealed_bundle.0,
        statement: req.invite.0,
        invite_pk: Some(invite_pk),
    };
    // Each waiting invitation keeps up to 64 KiB: a team's are bounded (ADR 0027), counted in
    // the transaction that stores this one.
    stored(
        state
            .db
            .create_invite_within(invite, now, state.quotas.pending_invites_per_team),
    )
    .await?;
    Ok(Json(InviteResponse {
        expires_at_ms: expires,
    }))
}

pub async fn enroll(
    State(state): State<Arc<AppState>>,
    addr: ClientAddr,
    body: Bytes,
) -> Result<Json<EnrollResponse>, ApiError> {
    limited(&state.code_limit, &state.metrics, addr)?;
    let req: EnrollRequest = json(&body)?;
    let device = check_registration(&req.device, &req.member, Introduction::Member)?;
    if req.lookup.0.len() != 32 {
        return Err(ApiError::invalid_code());
    }
    let (team_id, role, bundle) = stored(state.db.enroll(req.lookup.0, device, now_ms())).await?;
    tracing::info!(role = role.as_str(), "device enrolled");
    Ok(Json(EnrollResponse {
        team_id,
        role,
        sealed_bundle: komora_protocol::Bytes(bundle),
    }))
}

pub async fn push(
    State(state): State<Arc<AppState>>,
    who: Authed,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let malformed = || ApiError::bad_request("the push body is not a batch of operations");
    // Protocol 2 says each envelope's author and number; protocol 1 does not (then the
    // author is the pusher, the number unknown).
    let mut then_pull = None;
    let mut priority = Vec::new();
    let (batch, meta) = if protocol_of(&headers) >= 2 {
        // A tablet of protocol 2 sends the numbered layout and nothing after it.
        let b: komora_protocol::PushBatchV2 = if protocol_of(&headers) >= 3 {
            postcard::from_bytes(&body).map_err(|_| malformed())?
        } else {
            let b: komora_protocol::PushBatchNumbered =
                postcard::from_bytes(&body).map_err(|_| malformed())?;
            komora_protocol::PushBatchV2 {
                envelopes: b.envelopes,
                meta: b.meta,
                ..Default::default()
            }
        };
        if b.meta.len() != b.envelopes.len() {
            return Err(ApiError::bad_request(
                "a push must say the author and number of each operation",
            ));
        }
        // Protocol 3: the first pull page comes back with the answer (one round trip).
        if protocol_of(&headers) >= 3 {
            then_pull = b.then_pull;
            // The sender's priority classes: one per envelope, or none (all served first).
            if !b.priority.is_empty() && b.priority.len() != b.envelopes.len() {
                return Err(ApiError::bad_request(
                    "a push gives a priority class for each operation or for none",
                ));
            }
            priority = b.priority;
        }
        (
            PushBatch {
                envelopes: b.envelopes,
            },
            b.meta,
        )
    } else {
        let b: PushBatch = postcard::from_bytes(&body).map_err(|_| malformed())?;
        let n = b.envelopes.len();
        (b, vec![komora_protocol::OpMeta::default(); n])
    };
    let numbered = protocol_of(&headers) >= 2;
    if batch.envelopes.len() > MAX_PUSH_OPS {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooLarge,
            "too many operations in one push",
        ));
    }
    let mut ops = Vec::with_capacity(batch.envelopes.len());
    let mut bytes = 0u64;
    for (i, (env, m)) in batch.envelopes.into_iter().zip(meta).enumerate() {
        let h = envelope::header(&env).ok_or_else(|| {
            ApiError::bad_request("an operation in the batch is malformed; nothing was stored")
        })?;
        bytes += env.len() as u64;
        ops.push(IncomingOp {
            op_id: h.op_id,
            epoch: h.epoch,
            bytes: env,
            author: m.author,
            author_seq: numbered.then_some(m.seq),
            // Coarse by construction: an unknown byte is stored as the first class.
            priority: priority
                .get(i)
                .map_or(0, |b| komora_protocol::Priority::from_byte(*b) as u8),
        });
    }
    let (team, author) = (who.0.team_id, who.0.id);
    // The quotas of stored bytes of the device and of its team (ADR 0027): counted and checked
    // by the store in the push's own transaction, so pushes at once never pass them together.
    let quota = crate::db::PushQuota {
        device: state.quotas.device_bytes,
        team: state.quotas.team_bytes,
    };
    let (kept, duplicates) = match stored(state.db.push_within(team, author, ops, quota)).await {
        Err(e) if e.code == ErrorCode::QuotaExceeded => {
            tracing::warn!(device = %author, "a push refused: over the device's or the team's quota");
            return Err(e);
        }
        other => other?,
    };
    state.metrics.ops_stored.inc_by(kept.into());
    state.metrics.ops_duplicate.inc_by(duplicates.into());
    state.metrics.bytes_in.inc_by(bytes);
    if protocol_of(&headers) < 3 {
        return Ok(Json(PushResponse {
            stored: kept,
            duplicates,
            page: None,
        })
        .into_response());
    }
    let page = match then_pull {
        Some(ask) => Some(page_for(&state, &who, ask).await?),
        None => None,
    };
    binary(&komora_protocol::PushAnswer {
        stored: kept,
        duplicates,
        page,
    })
}

/// A postcard answer (operation data).
fn binary<T: serde::Serialize>(value: &T) -> Result<Response, ApiError> {
    let body = postcard::to_allocvec(value)
        .map_err(|_| ApiError::bad_request("the answer could not be encoded"))?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], body).into_response())
}

/// The page `ask` names, for the asking device: the team's envelopes after the cursor (not
/// its own), with the team's key epoch and list length (protocol 3), and, if asked, what the
/// server holds of the device (what a login says: a tablet that kept its token learns it here).
async fn page_for(
    state: &Arc<AppState>,
    who: &Authed,
    ask: komora_protocol::PullAsk,
) -> Result<PullPage, ApiError> {
    let max = if ask.max_bytes == 0 {
        DEFAULT_PULL_BYTES
    } else {
        ask.max_bytes
    }
    .clamp(1024, MAX_PULL_BYTES);
    let (team, me) = (who.0.team_id, who.0.id);
    let after = ask.after.min(i64::MAX as u64); // stores count in signed 64-bit
    let at = ask.at.map(|a| a.0);
    let db = &state.db;
    let pass = crate::db::Pass {
        class: ask
            .class
            .map(|c| komora_protocol::Priority::from_byte(c) as u8),
        upto: ask.upto,
    };
    let mut page: PullPage = stored(db.pull_pass(team, me, after, max, at, pass)).await?;
    page.class = pass.class;
    page.team_epoch = who.0.team_epoch;
    page.roster_len = stored(db.roster_len(team)).await?;
    if ask.standing {
        let (own, erased_for_me) =
            stored(async { Ok((db.holds_of(team, me).await?, db.erased_for(team, me).await?)) })
                .await?;
        page.standing = Some(komora_protocol::Standing { own, erased_for_me });
    }
    state.metrics.ops_served.inc_by(page.envelopes.len() as u64);
    state
        .metrics
        .bytes_out
        .inc_by(page.envelopes.iter().map(|e| e.len() as u64).sum());
    Ok(page)
}

#[derive(Deserialize)]
pub struct PullQuery {
    #[serde(default)]
    after: u64,
    max_bytes: Option<u32>,
    /// The op id the device read at `after` (32 hex digits): the stream must still hold it.
    at: Option<String>,
    /// 1: say what the server holds of the asking device (`PullPage::standing`).
    standing: Option<u8>,
    /// Only operations of this priority class (a pass of a tablet far behind).
    class: Option<u8>,
    /// No further than this sequence number.
    upto: Option<u64>,
}

pub async fn pull(
    State(state): State<Arc<AppState>>,
    who: Authed,
    Query(q): Query<PullQuery>,
) -> Result<Response, ApiError> {
    let at = match q.at.as_deref() {
        None | Some("") => None,
        Some(hex) => Some(
            hex.parse::<Id16>()
                .map_err(|_| ApiError::bad_request("`at` is an op id of 32 hex digits"))?,
        ),
    };
    let ask = komora_protocol::PullAsk {
        after: q.after,
        max_bytes: q.max_bytes.unwrap_or(DEFAULT_PULL_BYTES),
        at,
        standing: q.standing.unwrap_or(0) != 0,
        class: q.class,
        upto: q.upto,
    };
    let page = page_for(&state, &who, ask).await?;
    binary(&page)
}

#[derive(Deserialize)]
pub struct PullOwnQuery {
    /// The asking device's own numbers wanted, as `lo-hi` ranges, comma-separated.
    numbers: String,
    #[serde(default)]
    after: u64,
    max_bytes: Option<u32>,
}

// The refusal below names the bound.
const _: () = assert!(komora_protocol::MAX_OWN_RANGES == 64);

/// `GET /v1/pull/own`: the asking device's own operations by number (ADR 0032), for a tablet
/// put back from an old copy of itself. Only what it pushed itself as their author: nobody
/// learns another device's operations here that a pull would not give them.
pub async fn pull_own(
    State(state): State<Arc<AppState>>,
    who: Authed,
    Query(q): Query<PullOwnQuery>,
) -> Result<Response, ApiError> {
    let numbers = komora_protocol::own_ranges_from_query(&q.numbers).ok_or(
        ApiError::bad_request("`numbers` is up to 64 ranges lo-hi, comma-separated"),
    )?;
    let max = q
        .max_bytes
        .unwrap_or(DEFAULT_PULL_BYTES)
        .clamp(1024, MAX_PULL_BYTES);
    let (team, me) = (who.0.team_id, who.0.id);
    let page = stored(state.db.pull_own(team, me, numbers, q.after, max)).await?;
    state.metrics.ops_served.inc_by(page.envelopes.len() as u64);
    state
        .metrics
        .bytes_out
        .inc_by(page.envelopes.iter().map(|e| e.len() as u64).sum());
    binary(&page)
}

pub async fn devices(
    State(state): State<Arc<AppState>>,
    who: Authed,
) -> Result<Json<Vec<komora_protocol::DeviceInfo>>, ApiError> {
    who.require(
        &[Role::Admin, Role::Supervisor],
        "only administrators and supervisors list devices",
    )?;
    let team = who.0.team_id;
    Ok(Json(stored(state.db.devices(team)).await?))
}

/// Revoke a device and rotate the team key in one step: the body carries the next epoch's key
/// wrapped for every device that stays. The server checks the set, never the keys.
pub async fn revoke(
    State(state): State<Arc<AppState>>,
    who: Authed,
    Path(id): Path<String>,
    body: Result<Json<komora_protocol::RevokeRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    who.require(&[Role::Admin], "only administrators revoke devices")?;
    let id: Id16 = id
        .parse()
        .map_err(|_| ApiError::bad_request("a device id is 32 hex digits"))?;
    if id == who.0.id {
        return Err(ApiError::bad_request("a device cannot revoke itself"));
    }
    let Json(req) = body.map_err(|_| {
        ApiError::bad_request("revoking needs the new team key wrapped for the devices that stay")
    })?;
    if req.grants.len() > 10_000 {
        return Err(ApiError::bad_request("too many grants"));
    }
    let (signed, st) = statement(&req.snapshot)?;
    match &st {
        Statement::Snapshot {
            team,
            epoch,
            issuer,
            members,
            ..
        } if *team == who.0.team_id
            && *epoch == req.new_epoch
            && *issuer == who.0.id
            && same_devices(
                members.iter().map(|(m, _)| *m),
                req.grants.iter().map(|g| g.device_id),
            ) => {}
        _ => {
            return Err(ApiError::bad_request(
                "the snapshot must list exactly the devices the new key is wrapped for",
            ))
        }
    }
    signed_by(&signed, &who.0.sign_pk)?;
    let mut statements = vec![req.snapshot.0];
    if let Some(cutoff) = req.cutoff {
        let (signed, st) = statement(&cutoff)?;
        match st {
            Statement::Cutoff {
                team,
                epoch,
                issuer,
                device,
                ..
            } if team == who.0.team_id
                && epoch == req.new_epoch
                && issuer == who.0.id
                && device == id => {}
            _ => return Err(ApiError::bad_request(
                "the cutoff must be this administrator's, for the revoked device and the new epoch",
            )),
        }
        signed_by(&signed, &who.0.sign_pk)?;
        statements.push(cutoff.0);
    }
    let grants: Vec<(Id16, Vec<u8>)> = req
        .grants
        .into_iter()
        .map(|g| (g.device_id, g.wrapped.0))
        .collect();
    let team = who.0.team_id;
    let epoch = req.new_epoch;
    if !stored(
        state
            .db
            .revoke(team, id, now_ms(), epoch, grants, statements),
    )
    .await?
    {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "no such device in this team",
        ));
    }
    tracing::info!(epoch, "device revoked, team key rotated");
    Ok(Json(serde_json::json!({ "revoked": true, "epoch": epoch })))
}

#[derive(Deserialize)]
pub struct KeysQuery {
    #[serde(default)]
    after: u32,
    /// 1: every giver's grant of each epoch, best first, for a tablet that tries each (ADR
    /// 0027). Without it, the first of each epoch only: a release before tried the grants it
    /// was given one after the other and gave up at the first that did not open.
    all: Option<u8>,
}

/// Delete the operations that carried an erased client file's key, and refuse them from now
/// on (ADR 0010). The server cannot check what they held (it cannot open them); it checks who
/// asks: a supervisor or an administrator of the team, holding its signing key (the request
/// is signed, so a stolen token alone erases nothing), citing an erasure operation it pushed
/// itself; only the team's own operations go, and each request is logged by device.
pub async fn erase(
    State(state): State<Arc<AppState>>,
    who: Authed,
    body: Result<Json<komora_protocol::EraseRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<komora_protocol::EraseResponse>, ApiError> {
    who.require(
        &[Role::Admin, Role::Supervisor],
        "only supervisors and administrators erase a client's file",
    )?;
    let Json(req) =
        body.map_err(|_| ApiError::bad_request("an erase request lists operation ids"))?;
    if req.op_ids.len() > komora_protocol::MAX_ERASE_OPS {
        return Err(ApiError::bad_request(
            "too many operations in one erase request",
        ));
    }
    let team = who.0.team_id;
    let message = komora_protocol::erase_message(&team, &req.erasure, &req.op_ids);
    UnparsedPublicKey::new(&ED25519, &who.0.sign_pk)
        .verify(&message, &req.signature.0)
        .map_err(|_| ApiError::forbidden("the erase request is not signed by this device's key"))?;
    let now = now_ms();
    let (by, erasure) = (who.0.id, req.erasure.0);
    let ids: Vec<[u8; 16]> = req.op_ids.iter().map(|i| i.0).collect();
    let erased = stored(state.db.erase_ops(team, by, erasure, ids, now)).await?;
    // Random ids only: which device asked, for which of its erasures, how many went.
    tracing::info!(team = %team, device = %by, erasure = %req.erasure, count = erased, "operations erased");
    Ok(Json(komora_protocol::EraseResponse { erased }))
}

/// The team's current key epoch and the keys wrapped for the asking device after `after`.
pub async fn keys(
    State(state): State<Arc<AppState>>,
    who: Authed,
    Query(q): Query<KeysQuery>,
) -> Result<Json<komora_protocol::KeyGrantsResponse>, ApiError> {
    let (team, me) = (who.0.team_id, who.0.id);
    let (current_epoch, mut grants) = stored(state.db.key_grants(team, me, q.after)).await?;
    if q.all.unwrap_or(0) == 0 {
        grants.dedup_by_key(|(epoch, _)| *epoch);
    }
    Ok(Json(komora_protocol::KeyGrantsResponse {
        current_epoch,
        grants: grants
            .into_iter()
            .map(|(epoch, wrapped)| komora_protocol::EpochGrant {
                epoch,
                wrapped: komora_protocol::Bytes(wrapped),
            })
            .collect(),
    }))
}

#[derive(Deserialize)]
pub struct RosterQuery {
    #[serde(default)]
    after: u32,
}

/// Most bytes of statements in one page of the signed list (at least one statement is sent):
/// devices read answers against a cap, so a page must stay well under it.
const ROSTER_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// Cut a page of statements at the byte budget, keeping at least the first.
fn within_page_budget(mut statements: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut bytes = 0usize;
    let keep = statements
        .iter()
        .position(|s| {
            bytes += s.len();
            bytes > ROSTER_PAGE_BYTES
        })
        .map_or(statements.len(), |i| i.max(1));
    statements.truncate(keep);
    statements
}

/// The team's signed device list from position `after`: statements as devices signed them.
pub async fn roster(
    State(state): State<Arc<AppState>>,
    who: Authed,
    Query(q): Query<RosterQuery>,
) -> Result<Json<komora_protocol::roster::RosterResponse>, ApiError> {
    let team = who.0.team_id;
    let (statements, total) =
        stored(state.db.roster(team, q.after, MAX_ROSTER_PAGE as u32)).await?;
    let statements = within_page_budget(statements);
    Ok(Json(komora_protocol::roster::RosterResponse {
        statements: statements.into_iter().map(komora_protocol::Bytes).collect(),
        total,
    }))
}

/// A device found the stream rolled back (a restored or rebuilt store): it says what it holds
/// per author; the server answers what it holds, where to pull from again, its key epoch and
/// list length, and the key grants it lacks, so the device can send back whatever the store
/// lost (issue 17).
pub async fn reconcile(
    State(state): State<Arc<AppState>>,
    who: Authed,
    body: Bytes,
) -> Result<Json<komora_protocol::ReconcileResponse>, ApiError> {
    if body.len() > 4 * MAX_CONTROL_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooLarge,
            "the request is too large",
        ));
    }
    let req: komora_protocol::ReconcileRequest = serde_json::from_slice(&body)
        .map_err(|_| ApiError::bad_request("a reconciliation says what the device holds"))?;
    let well_formed = req.holds.len() <= 100_000
        && req.holds.iter().all(|(_, r)| {
            r.len() <= 100_000
                && r.iter().all(|(lo, hi)| lo <= hi)
                && r.windows(2).all(|w| w[0].1 < w[1].0)
        });
    if !well_formed {
        return Err(ApiError::bad_request(
            "what the device holds must be sorted ranges per author",
        ));
    }
    let team = who.0.team_id;
    let db = &state.db;
    let response = stored(async {
        Ok(komora_protocol::ReconcileResponse {
            generation: komora_protocol::Bytes(db.generation().await?.to_vec()),
            head: db.head(team).await?,
            holds: db.holds(team, who.0.id).await?,
            resume_after: db.resume_after(team, who.0.id, req.holds).await?,
            epoch: db.device(who.0.id).await?.map_or(0, |d| d.team_epoch),
            roster_len: db.roster_len(team).await?,
            missing_grants: db
                .missing_grants(team, who.0.id)
                .await?
                .into_iter()
                .map(|(e, d, kx)| (e, d, komora_protocol::Bytes(kx)))
                .collect(),
        })
    })
    .await?;
    tracing::info!(team = %team, "a device reconciles with the stream");
    Ok(Json(response))
}

/// Signed statements of the team's list the store lacks (a restore lost them, or the store was
/// rebuilt): each is checked as at enrolment and revocation, kept, and the devices and epoch
/// brought level with it (`roster_replay.rs`).
pub async fn roster_append(
    State(state): State<Arc<AppState>>,
    who: Authed,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    if body.len() > 64 * 1024 * 1024 {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooLarge,
            "the request is too large",
        ));
    }
    let req: komora_protocol::RosterAppend = serde_json::from_slice(&body)
        .map_err(|_| ApiError::bad_request("a list of signed statements"))?;
    if req.statements.len() > komora_protocol::roster::MAX_ROSTER_STATEMENTS as usize {
        return Err(ApiError::bad_request("too many statements"));
    }
    let team = who.0.team_id;
    let statements: Vec<Vec<u8>> = req.statements.into_iter().map(|b| b.0).collect();
    let added = stored(crate::roster_replay::append(
        state.db.as_ref(),
        team,
        &statements,
        now_ms(),
    ))
    .await?;
    if added > 0 {
        tracing::info!(team = %team, added, "statements of the team's list brought back");
    }
    Ok(Json(serde_json::json!({ "added": added })))
}

/// Team keys wrapped, by a device that holds them, for members the store has no grant for
/// (a restore lost them). The server cannot open them; a device accepts one only if it
/// matches the key an administrator's signed snapshot commits to.
pub async fn upload_grants(
    State(state): State<Arc<AppState>>,
    who: Authed,
    Json(req): Json<komora_protocol::GrantsUpload>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if req.grants.len() > 100_000
        || req
            .grants
            .iter()
            .any(|(_, _, w)| w.0.is_empty() || w.0.len() > 1024)
    {
        return Err(ApiError::bad_request(
            "grants of a sane size, at most 100,000",
        ));
    }
    // Only keys of epochs the team has reached: this route gives back what a restore lost.
    // A device of the team (a stolen tablet) that could store keys for the next epochs
    // blocked every later revocation, the new epoch's keys being already there.
    if req
        .grants
        .iter()
        .any(|(epoch, _, _)| *epoch < 2 || *epoch > who.0.team_epoch)
    {
        return Err(ApiError::bad_request(
            "keys are given back only for key epochs the team has reached",
        ));
    }
    let team = who.0.team_id;
    let grants: Vec<(u32, Id16, Vec<u8>)> = req
        .grants
        .into_iter()
        .map(|(e, d, w)| (e, d, w.0))
        .collect();
    let added = stored(state.db.add_grants(team, who.0.id, grants)).await?;
    Ok(Json(serde_json::json!({ "added": added })))
}

/// A re-attach request read and bounded: the same rules for the first team (with its code)
/// and the others. `what` says what the body should hold when it does not parse.
fn reattach_request(
    body: &[u8],
    what: &'static str,
) -> Result<komora_protocol::ReattachRequest, ApiError> {
    if body.len() > 64 * 1024 * 1024 {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooLarge,
            "the request is too large",
        ));
    }
    let req: komora_protocol::ReattachRequest =
        serde_json::from_slice(body).map_err(|_| ApiError::bad_request(what))?;
    if req.statements.len() > komora_protocol::roster::MAX_ROSTER_STATEMENTS as usize {
        return Err(ApiError::bad_request("too many statements"));
    }
    Ok(req)
}

/// The answer to a re-attach: the team, back, and its founder (from the list's genesis).
fn reattached(team: Id16, statements: &[Vec<u8>]) -> Json<RegisteredResponse> {
    let founder = statements
        .first()
        .and_then(|s| match SignedStatement::from_bytes(s) {
            Some((_, Statement::Genesis { device, .. })) => Some(device),
            _ => None,
        });
    Json(RegisteredResponse {
        team_id: team,
        device_id: founder.unwrap_or(Id16([0; 16])),
        role: Role::Admin,
    })
}

/// A server lost with no backup, started empty, gets its team back from an administrator's
/// tablet: the one-time code it printed, the team's id and its whole signed list, checked
/// statement by statement (`roster_replay::reattach`). The tablets then fill it back.
pub async fn reattach(
    State(state): State<Arc<AppState>>,
    addr: ClientAddr,
    body: Bytes,
) -> Result<Json<RegisteredResponse>, ApiError> {
    limited(&state.code_limit, &state.metrics, addr)?;
    let req = reattach_request(&body, "a code, a team and its signed list")?;
    let code = komora_protocol::code::normalise(&req.code).ok_or_else(ApiError::invalid_code)?;
    let hash = sha256(code.as_bytes());
    let team = req.team_id;
    let statements: Vec<Vec<u8>> = req.statements.into_iter().map(|b| b.0).collect();
    let added = stored(crate::roster_replay::reattach(
        state.db.as_ref(),
        hash,
        team,
        &statements,
        now_ms(),
    ))
    .await?;
    tracing::info!(team = %team, statements = added + 1, "a team re-attached to a rebuilt server");
    Ok(reattached(team, &statements))
}

/// `POST /v1/teams/reattach`: another team of the organisation given back to a rebuilt server,
/// by an administrator whose own team is back already (as `create_team`: no code). The team's
/// list is checked from its genesis, as for the first team.
pub async fn reattach_team(
    State(state): State<Arc<AppState>>,
    who: Authed,
    body: Bytes,
) -> Result<Json<RegisteredResponse>, ApiError> {
    who.require(&[Role::Admin], "only administrators re-attach teams")?;
    let req = reattach_request(&body, "a team and its signed list")?;
    let team = req.team_id;
    let statements: Vec<Vec<u8>> = req.statements.into_iter().map(|b| b.0).collect();
    let added = stored(crate::roster_replay::reattach_team(
        state.db.as_ref(),
        team,
        &statements,
        now_ms(),
    ))
    .await?;
    tracing::info!(team = %team, statements = added + 1, "another team re-attached to a rebuilt server");
    Ok(reattached(team, &statements))
}

#[derive(Deserialize)]
pub struct PinsQuery {
    team: String,
}

/// The newest administrator-signed statements of this server's key pins, for a tablet that
/// no longer recognises the server's certificate (a server rebuilt on a new key). Without a
/// login: the tablet cannot log in until it trusts the server. It trusts nothing here that
/// its own root of trust does not vouch for.
pub async fn server_pins(
    State(state): State<Arc<AppState>>,
    addr: ClientAddr,
    Query(q): Query<PinsQuery>,
) -> Result<Json<komora_protocol::roster::RosterResponse>, ApiError> {
    limited(&state.code_limit, &state.metrics, addr)?;
    let team: Id16 = q
        .team
        .parse()
        .map_err(|_| ApiError::bad_request("a team id is 32 hex digits"))?;
    let statements = stored(crate::roster_replay::server_pins(state.db.as_ref(), team)).await?;
    let total = statements.len() as u32;
    Ok(Json(komora_protocol::roster::RosterResponse {
        statements: statements.into_iter().map(komora_protocol::Bytes).collect(),
        total,
    }))
}

/// A tablet this store does not know (restored from a backup taken before it enrolled, and no
/// other tablet had its entry) hands back, without a login, the signed statements that admit
/// it (`rejoin.rs`). Limited per address like the codes and per device id like logins; the
/// store is read only once the statements decode and the member statements' own signatures
/// check, and the team's list only once the first invitation's signature does.
pub async fn rejoin(
    State(state): State<Arc<AppState>>,
    addr: ClientAddr,
    body: Bytes,
) -> Result<Json<komora_protocol::RejoinResponse>, ApiError> {
    limited(&state.code_limit, &state.metrics, addr)?;
    let req: komora_protocol::RejoinRequest = json(&body)?;
    if !state.device_limit.allow(req.device_id) {
        state.metrics.rate_limited.inc();
        return Err(ApiError::rate_limited());
    }
    if req.chain.len() > 2 * komora_protocol::roster::MAX_REJOIN_LINKS {
        return Err(ApiError::bad_request("too many statements"));
    }
    let (team, device) = (req.team_id, req.device_id);
    let chain: Vec<Vec<u8>> = req.chain.into_iter().map(|b| b.0).collect();
    let outcome = stored(crate::rejoin::rejoin(
        state.db.as_ref(),
        team,
        device,
        &chain,
        now_ms(),
    ))
    .await?;
    match outcome {
        Ok(registered) => {
            if registered > 0 {
                tracing::info!(team = %team, registered, "a tablet the store had lost came back with its signed entry");
            }
            Ok(Json(komora_protocol::RejoinResponse { registered }))
        }
        Err(crate::rejoin::Refusal::Malformed(why)) => Err(ApiError::bad_request(why)),
        Err(crate::rejoin::Refusal::NotAdmitted(why)) => Err(ApiError::forbidden(why)),
        Err(crate::rejoin::Refusal::EpochAhead) => Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::Conflict,
            "this server has not heard of the team's latest key change yet: sync another \
             tablet of the team, then this one",
        )),
    }
}
