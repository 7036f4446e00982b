//! [`Transport`] over HTTP(S) with reqwest (blocking; rustls with ring, so it builds for
//! Android too). JSON for control routes, postcard for operation data.

use std::time::Duration;

use komora_protocol::*;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::transport::{Reply, Transport, TransportError};

pub struct HttpTransport {
    base: String,
    client: Client,
}

impl HttpTransport {
    /// A transport to the server at `base_url` (for example `https://sync.ami.rw`).
    pub fn new(base_url: &str) -> Result<Self, TransportError> {
        Self::with_request_limit(base_url, Duration::from_secs(120))
    }

    /// The same, with `limit` as the longest a request may take from start to answer.
    pub fn with_request_limit(base_url: &str, limit: Duration) -> Result<Self, TransportError> {
        let client = Client::builder()
            .connect_timeout(Duration::from_secs(15).min(limit))
            .timeout(limit)
            .build()
            .map_err(|e| TransportError::Network(e.to_string()))?;
        Ok(Self {
            base: base_url.trim_end_matches('/').to_owned(),
            client,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn send(&self, req: RequestBuilder) -> Reply<Response> {
        let resp = req
            .send()
            .map_err(|e| TransportError::Network(network_reason(&e)))?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        match resp.json::<ErrorBody>() {
            Ok(body) => Err(TransportError::Rejected {
                status,
                code: body.error,
                message: body.message,
            }),
            Err(_) if status >= 500 => Err(TransportError::Network(format!(
                "the server answered {status}"
            ))),
            Err(_) => Err(TransportError::Rejected {
                status,
                code: if status == 413 {
                    ErrorCode::TooLarge
                } else {
                    ErrorCode::BadRequest
                },
                message: format!("the server refused the request ({status})"),
            }),
        }
    }

    fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &B,
    ) -> Reply<T> {
        let mut req = self.client.post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(req)?
            .json()
            .map_err(|e| TransportError::Network(network_reason(&e)))
    }
}

fn network_reason(e: &reqwest::Error) -> String {
    // reqwest's messages name the URL, never a body or a header.
    if e.is_timeout() {
        "the server did not answer in time".into()
    } else if e.is_connect() {
        "cannot reach the server".into()
    } else {
        "the connection failed".into()
    }
}

impl Transport for HttpTransport {
    fn bootstrap(&mut self, req: &BootstrapRequest) -> Reply<RegisteredResponse> {
        self.post_json("/v1/bootstrap", None, req)
    }

    fn challenge(&mut self, req: &ChallengeRequest) -> Reply<ChallengeResponse> {
        self.post_json("/v1/auth/challenge", None, req)
    }

    fn token(&mut self, req: &TokenRequest) -> Reply<TokenResponse> {
        self.post_json("/v1/auth/token", None, req)
    }

    fn invite(&mut self, token: &str, req: &InviteRequest) -> Reply<InviteResponse> {
        self.post_json("/v1/invites", Some(token), req)
    }

    fn enroll(&mut self, req: &EnrollRequest) -> Reply<EnrollResponse> {
        self.post_json("/v1/enroll", None, req)
    }

    fn erase(&mut self, token: &str, req: &EraseRequest) -> Reply<EraseResponse> {
        self.post_json("/v1/erase", Some(token), req)
    }

    fn create_team(
        &mut self,
        token: &str,
        req: &komora_protocol::CreateTeamRequest,
    ) -> Reply<RegisteredResponse> {
        self.post_json("/v1/teams", Some(token), req)
    }

    fn revocation_proof(
        &mut self,
        req: &RevocationProofRequest,
    ) -> Reply<komora_protocol::roster::RosterResponse> {
        self.post_json("/v1/revocation", None, req)
    }

    fn retire(&mut self, token: &str, req: &RetireRequest) -> Reply<()> {
        self.post_json::<_, serde_json::Value>("/v1/devices/retire", Some(token), req)
            .map(|_| ())
    }

    fn push(&mut self, token: &str, batch: &PushBatch) -> Reply<PushResponse> {
        let body = postcard::to_allocvec(batch)
            .map_err(|_| TransportError::Network("cannot encode the batch".into()))?;
        let req = self
            .client
            .post(self.url("/v1/push"))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(body);
        self.send(req)?
            .json()
            .map_err(|e| TransportError::Network(network_reason(&e)))
    }

    fn pull(&mut self, token: &str, after: u64, max_bytes: u32) -> Reply<PullPage> {
        let req = self
            .client
            .get(self.url(&format!("/v1/pull?after={after}&max_bytes={max_bytes}")))
            .bearer_auth(token);
        let bytes = self
            .send(req)?
            .bytes()
            .map_err(|e| TransportError::Network(network_reason(&e)))?;
        postcard::from_bytes(&bytes)
            .map_err(|_| TransportError::Network("the page arrived damaged".into()))
    }

    fn devices(&mut self, token: &str) -> Reply<Vec<DeviceInfo>> {
        let req = self.client.get(self.url("/v1/devices")).bearer_auth(token);
        self.send(req)?
            .json()
            .map_err(|e| TransportError::Network(network_reason(&e)))
    }

    fn revoke(&mut self, token: &str, device: &Id16, body: &RevokeRequest) -> Reply<()> {
        self.post_json::<_, serde_json::Value>(
            &format!("/v1/devices/{device}/revoke"),
            Some(token),
            body,
        )
        .map(|_| ())
    }

    fn keys(&mut self, token: &str, after_epoch: u32) -> Reply<KeyGrantsResponse> {
        let req = self
            .client
            .get(self.url(&format!("/v1/keys?after={after_epoch}")))
            .bearer_auth(token);
        self.send(req)?
            .json()
            .map_err(|e| TransportError::Network(network_reason(&e)))
    }

    fn roster(
        &mut self,
        token: &str,
        after: u32,
    ) -> Reply<komora_protocol::roster::RosterResponse> {
        let req = self
            .client
            .get(self.url(&format!("/v1/roster?after={after}")))
            .bearer_auth(token);
        self.send(req)?
            .json()
            .map_err(|e| TransportError::Network(network_reason(&e)))
    }
}
