//! Who is calling: the bearer token maps to a device, which must not be revoked. Tokens are
//! random 256-bit strings, stored as SHA-256 hashes, valid for 15 minutes.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use komora_protocol::Role;
use ring::digest::{digest, SHA256};

use crate::api::stored;
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
        let db = &state.db;
        let device = stored(async {
            let Some(id) = db.token_device(hash, now).await? else {
                return Ok(None);
            };
            db.touch(id, now).await?;
            db.device(id).await
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
///
/// Behind a reverse proxy every request comes from the proxy's address, so the whole
/// organisation would share one bucket and a flood from anyone would stop every tablet (issue
/// 16, finding 2). From a configured proxy, the client is the nearest address in the
/// `Forwarded` (RFC 7239) or `X-Forwarded-For` chain that is not itself a trusted proxy; from
/// anyone else those headers are ignored, since anyone can write them.
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<Arc<AppState>> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(ClientAddr(client_behind(
            peer,
            &parts.headers,
            &state.trusted_proxies,
        )))
    }
}

/// The address a request comes from, believing the forwarding headers of trusted proxies only.
pub fn client_behind(
    peer: IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
) -> IpAddr {
    // A dual-stack listener sees an IPv4 proxy as `::ffff:a.b.c.d`: it is trusted as itself.
    let is_trusted = |a: &IpAddr| trusted.iter().any(|n| n.contains(&a.to_canonical()));
    if !is_trusted(&peer) {
        return peer;
    }
    // The chain as the proxies appended to it: the client first, the last proxy last.
    let mut chain: Vec<IpAddr> = Vec::new();
    for value in headers.get_all("forwarded") {
        for element in value.to_str().unwrap_or("").split(',') {
            for pair in element.split(';') {
                if let Some((k, v)) = pair.trim().split_once('=') {
                    if k.trim().eq_ignore_ascii_case("for") {
                        if let Some(a) = forwarded_addr(v) {
                            chain.push(a);
                        }
                    }
                }
            }
        }
    }
    if chain.is_empty() {
        for value in headers.get_all("x-forwarded-for") {
            for part in value.to_str().unwrap_or("").split(',') {
                if let Some(a) = forwarded_addr(part) {
                    chain.push(a);
                }
            }
        }
    }
    chain
        .into_iter()
        .rev()
        .find(|a| !is_trusted(a))
        .unwrap_or(peer)
}

/// One address of a forwarding header: `192.0.2.1`, `"[2001:db8::1]:4711"`, `192.0.2.1:80`.
fn forwarded_addr(raw: &str) -> Option<IpAddr> {
    let v = raw.trim().trim_matches('"');
    if let Ok(a) = v.parse::<IpAddr>() {
        return Some(a);
    }
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    v.parse::<SocketAddr>().ok().map(|s| s.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> axum::http::HeaderMap {
        let mut h = axum::http::HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_a_trusted_proxy_is_believed_about_the_client() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/24".parse().unwrap()];
        let xff = headers(&[("x-forwarded-for", "203.0.113.9, 10.0.0.7")]);
        assert_eq!(
            client_behind(proxy, &xff, &trusted),
            "203.0.113.9".parse::<IpAddr>().unwrap(),
            "the nearest address that is not a proxy"
        );
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9")]);
        assert_eq!(
            client_behind(proxy, &spoofed, &trusted),
            "203.0.113.9".parse::<IpAddr>().unwrap(),
            "what the client wrote before its own address is not believed"
        );
        let forwarded = headers(&[("forwarded", r#"for="[2001:db8::1]:4711";proto=https"#)]);
        assert_eq!(
            client_behind(proxy, &forwarded, &trusted),
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
        let stranger: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(
            client_behind(stranger, &xff, &trusted),
            stranger,
            "not a proxy: ignored"
        );
        assert_eq!(client_behind(stranger, &xff, &[]), stranger);
        assert_eq!(client_behind(proxy, &headers(&[]), &trusted), proxy);
        let mapped: IpAddr = "::ffff:10.0.0.5".parse().unwrap();
        assert_eq!(
            client_behind(mapped, &xff, &trusted),
            "203.0.113.9".parse::<IpAddr>().unwrap(),
            "the proxy seen through a dual-stack listener"
        );
    }
}
