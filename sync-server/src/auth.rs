//! Who is calling: the bearer token maps to a device, which must not be revoked. Tokens are
//! random 256-bit strings, stored as SHA-256 hashes, valid for 15 minutes.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use komora_protocol::Role;
use ring::digest::{digest, SHA256};

use crate::api::blocking;
use crate::db::DeviceRow;
use crate::error::ApiError;
use crate::{now_ms, AppState};

pub const TOKEN_TTL_MS: u64 = 15 * 60 * 1000;
pub const CHALLENGE_TTL_MS: u64 = 2 * 60 * 1000;

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    digest(&SHA256, bytes)
        .as_ref()
        .try_into()
        .expect("32 bytes")
}

/// An authenticated, not revoked device.
pub struct Authed(pub DeviceRow);

impl Authed {
    pub fn require(&self, allowed: &[Role], message: &'static str) -> Result<(), ApiError> {
        if allowed.contains(&self.0.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(message))
        }
    }
}

impl FromRequestParts<Arc<AppState>> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let token = header
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(ApiError::unauthenticated)?;
        if token.len() > 128 {
            return Err(ApiError::unauthenticated());
        }
        let hash = sha256(token.as_bytes());
        let now = now_ms();
        let device = blocking(state, move |db| {
            let Some(id) = db.token_device(&hash, now)? else {
                return Ok(None);
            };
            db.touch(id, now)?;
            db.device(id)
        })
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
        if device.revoked {
            return Err(ApiError::revoked());
        }
        Ok(Authed(device))
    }
}

/// The client's address, for rate limits (unknown when the router is called without a socket).
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(ClientAddr(addr))
    }
}
