//! [`Transport`] over HTTP(S) with reqwest (blocking; rustls with ring, so it builds for
//! Android too). JSON for control routes, postcard for operation data.
//!
//! Only `https://` leaves the machine: plain `http://` is refused before any connection unless
//! the server is this machine (`komora_protocol::server_url`). Whom the transport trusts for
//! the server (a pinned key, or the public roots) is `trust.rs`'s.

use std::time::Duration;

use komora_protocol::pin::CertificatePin;
use komora_protocol::server_url::check_server_url;

use komora_protocol::*;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::transport::{Reply, Transport, TransportError};

/// The largest answer of a control route a device reads (a token, keys, a device list, a page
/// of the signed list): far above any honest one, small enough for a cheap tablet. Every
/// answer is read against a cap before it is decoded (issue 16, finding 5): a server, or
/// anyone in its place, could otherwise send an answer without end.
const MAX_CONTROL_ANSWER: usize = 16 * 1024 * 1024;
/// The largest pull page a device reads: the most a page may hold, plus one envelope (a page
/// always carries its first) and the framing.
const MAX_PAGE_ANSWER: usize =
    MAX_PULL_BYTES as usize + komora_protocol::envelope::MAX_LEN + 64 * 1024;

/// An answer larger than any Komora server sends: refused, not retried (the same server would
/// send it again).
fn too_large() -> TransportError {
    TransportError::Rejected {
        status: 0,
        code: ErrorCode::TooLarge,
        message: "the server's answer is larger than any Komora answer: refused".into(),
    }
}

/// Read an answer's body, refusing it as soon as it passes `cap` bytes (whatever length it
/// announces): nothing beyond the cap is read or kept.
fn read_capped(resp: Response, cap: usize) -> Reply<Vec<u8>> {
    use std::io::Read;
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    resp.take(cap as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|_| TransportError::Network("the connection failed".into()))?;
    if body.len() > cap {
        return Err(too_large());
    }
    Ok(body)
}

/// A JSON answer, read within the control cap.
fn json_capped<T: DeserializeOwned>(resp: Response) -> Reply<T> {
    let body = read_capped(resp, MAX_CONTROL_ANSWER)?;
    serde_json::from_slice(&body)
        .map_err(|_| TransportError::Network("the answer arrived damaged".into()))
}

pub struct HttpTransport {
    base: String,
    client: Client,
    pins: Vec<CertificatePin>,
    /// The protocol this transport speaks: this build's, or an older one to play a tablet
    /// not yet updated (tests of version skew).
    protocol: u32,
    /// The `Date` of the server's latest answer, ms since 1970 (0: none yet).
    server_time: std::sync::atomic::AtomicU64,
}

const REQUEST_LIMIT: Duration = Duration::from_secs(120);

impl HttpTransport {
    /// A transport to the server at `base_url` (for example `https://sync.ami.rw`), trusting
    /// the public certificate authorities.
    pub fn new(base_url: &str) -> Result<Self, TransportError> {
        Self::build(base_url, &[], REQUEST_LIMIT)
    }

    /// A transport that trusts exactly the server keys `pins` (the public authorities when
    /// `pins` is empty).
    pub fn pinned(base_url: &str, pins: &[CertificatePin]) -> Result<Self, TransportError> {
        Self::build(base_url, pins, REQUEST_LIMIT)
    }

    /// A transport that accepts whatever key the server shows (the handshake still proves the
    /// server holds it) and records its pin: only to fetch the administrator-signed pins of a
    /// server this tablet no longer recognises, which are checked from the tablet's own root
    /// before the key is trusted (ADR 0016). Never for anything else.
    pub(crate) fn capturing(base_url: &str) -> Result<(Self, super::tls::SeenPin), TransportError> {
        check_server_url(base_url).map_err(TransportError::Address)?;
        let (config, seen) = super::tls::capturing_config()
            .map_err(|_| TransportError::Network("cannot set up TLS".into()))?;
        let client = Client::builder()
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .use_preconfigured_tls(config)
            .build()
            .map_err(|e| TransportError::Network(e.to_string()))?;
        Ok((
            Self {
                base: base_url.trim_end_matches('/').to_owned(),
                client,
                pins: Vec::new(),
                protocol: PROTOCOL_VERSION,
                server_time: Default::default(),
            },
            seen,
        ))
    }

    /// A transport trusting the public authorities, with `limit` as the longest a request may
    /// take from start to answer.
    pub fn with_request_limit(base_url: &str, limit: Duration) -> Result<Self, TransportError> {
        Self::build(base_url, &[], limit)
    }

    fn build(
        base_url: &str,
        pins: &[CertificatePin],
        limit: Duration,
    ) -> Result<Self, TransportError> {
        check_server_url(base_url).map_err(TransportError::Address)?;
        let mut builder = Client::builder()
            .connect_timeout(Duration::from_secs(15).min(limit))
            .timeout(limit)
            // The server never redirects; following one could lead to plain HTTP elsewhere.
            .redirect(reqwest::redirect::Policy::none());
        if !pins.is_empty() {
            let config = super::tls::pinned_config(pins)
                .map_err(|_| TransportError::Network("cannot set up TLS".into()))?;
            builder = builder.use_preconfigured_tls(config);
        }
        let client = builder
            .build()
            .map_err(|e| TransportError::Network(e.to_string()))?;
        Ok(Self {
            base: base_url.trim_end_matches('/').to_owned(),
            client,
            pins: pins.to_vec(),
            protocol: PROTOCOL_VERSION,
            server_time: Default::default(),
        })
    }

    /// Speak an older protocol, as a tablet not yet updated does: 1 sends no protocol header,
    /// pushes without authors' numbers and reads only the first fields of a pull page; 0 is
    /// a protocol no server serves. For tests of version skew only.
    #[doc(hidden)]
    pub fn speaking_protocol(mut self, protocol: u32) -> Self {
        self.protocol = protocol.min(PROTOCOL_VERSION);
        self
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn send(&self, req: RequestBuilder) -> Reply<Response> {
        // Every request says the protocol it speaks (the server serves one version behind
        // and tells older ones to update).
        let req = if self.protocol == 1 {
            req // protocol 1 said nothing
        } else {
            req.header(PROTOCOL_HEADER, self.protocol.to_string())
        };
        let resp = req.send().map_err(|e| {
            if certificate_refused(&e) {
                TransportError::Untrusted
            } else {
                TransportError::Network(network_reason(&e))
            }
        })?;
        // The server's date, for a tablet whose clock fell back (0: none given yet).
        if let Some(ms) = resp
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|d| d.to_str().ok())
            .and_then(|d| httpdate::parse_http_date(d).ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        {
            self.server_time
                .store(ms.as_millis() as u64, std::sync::atomic::Ordering::Relaxed);
        }
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        // A refusal cut before its end is a network failure, retried like one: read as a
        // refusal without its reason, a cut "log in again" would end the sync.
        let body = match read_capped(resp, komora_protocol::MAX_CONTROL_BYTES) {
            Err(cut @ TransportError::Network(_)) => return Err(cut),
            read => read
                .ok()
                .and_then(|b| serde_json::from_slice::<ErrorBody>(&b).ok())
                .ok_or(()),
        };
        match body {
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
        json_capped(self.send(req)?)
    }
}

/// Whether TLS refused the server's certificate (no pin: not vouched for by a public
/// authority, expired, another name). Not a network blip: trying again meets the same
/// certificate. reqwest keeps rustls's error inside `io::Error`s in its chain, whose own
/// `source()` skips the error they wrap: step into those through `get_ref`.
fn certificate_refused(e: &reqwest::Error) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(rustls::Error::InvalidCertificate(_)) = err.downcast_ref::<rustls::Error>() {
            return true;
        }
        next = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    false
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
    fn pins(&self) -> &[CertificatePin] {
        &self.pins
    }

    fn server_time_ms(&self) -> Option<u64> {
        match self.server_time.load(std::sync::atomic::Ordering::Relaxed) {
            0 => None,
            ms => Some(ms),
        }
    }

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

    fn push(&mut self, token: &str, batch: &PushBatchV2) -> Reply<PushResponse> {
        let body = match self.protocol {
            1 => postcard::to_allocvec(&PushBatch {
                envelopes: batch.envelopes.clone(),
            }),
            // Protocol 2 ends after the numbers, as a tablet of protocol 2 sends it.
            2 => postcard::to_allocvec(&komora_protocol::PushBatchNumbered {
                envelopes: batch.envelopes.clone(),
                meta: batch.meta.clone(),
            }),
            _ => postcard::to_allocvec(batch),
        }
        .map_err(|_| TransportError::Network("cannot encode the batch".into()))?;
        let req = self
            .client
            .post(self.url("/v1/push"))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(body);
        let resp = self.send(req)?;
        // A server of protocol 3 answers in postcard, with the page the batch asked for; an
        // older one in JSON, without.
        let binary = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/octet-stream"));
        if !binary {
            return json_capped(resp);
        }
        let bytes = read_capped(resp, MAX_PAGE_ANSWER)?;
        let answer: komora_protocol::PushAnswer = postcard::from_bytes(&bytes)
            .map_err(|_| TransportError::Network("the answer arrived damaged".into()))?;
        Ok(PushResponse {
            stored: answer.stored,
            duplicates: answer.duplicates,
            page: answer.page,
        })
    }

    fn pull(
        &mut self,
        token: &str,
        after: u64,
        max_bytes: u32,
        at: Option<Id16>,
    ) -> Reply<PullPage> {
        self.pull_asking(
            token,
            &komora_protocol::PullAsk {
                after,
                max_bytes,
                at,
                standing: false,
                class: None,
                upto: None,
            },
        )
    }

    fn pull_asking(&mut self, token: &str, ask: &komora_protocol::PullAsk) -> Reply<PullPage> {
        let at = match ask.at {
            Some(a) if self.protocol >= 2 => format!("&at={a}"),
            _ => String::new(),
        };
        let standing = if ask.standing && self.protocol >= 3 {
            "&standing=1"
        } else {
            ""
        };
        let mut pass = String::new();
        if self.protocol >= 3 {
            if let Some(class) = ask.class {
                pass.push_str(&format!("&class={class}"));
            }
            if let Some(upto) = ask.upto {
                pass.push_str(&format!("&upto={upto}"));
            }
        }
        let (after, max_bytes) = (ask.after, ask.max_bytes);
        let req = self
            .client
            .get(self.url(&format!(
                "/v1/pull?after={after}&max_bytes={max_bytes}{at}{standing}{pass}"
            )))
            .bearer_auth(token);
        let bytes = read_capped(self.send(req)?, MAX_PAGE_ANSWER)?;
        let damaged = || TransportError::Network("the page arrived damaged".into());
        // A server of protocol 2 sends the fields up to `rewound`; one of protocol 1 the first
        // three only: no generation, never rewound. (A tablet reads only what it speaks.)
        if self.protocol >= 3 {
            if let Ok(page) = postcard::from_bytes::<PullPage>(&bytes) {
                return Ok(page);
            }
        }
        if self.protocol >= 2 {
            if let Ok(p) = postcard::from_bytes::<komora_protocol::PullPageV2>(&bytes) {
                return Ok(PullPage {
                    envelopes: p.envelopes,
                    next: p.next,
                    more: p.more,
                    generation: p.generation,
                    head: p.head,
                    next_op: p.next_op,
                    rewound: p.rewound,
                    ..PullPage::default()
                });
            }
        }
        postcard::from_bytes::<PullPageV1>(&bytes)
            .map(|p| PullPage {
                envelopes: p.envelopes,
                next: p.next,
                more: p.more,
                ..PullPage::default()
            })
            .map_err(|_| damaged())
    }

    fn pull_own(
        &mut self,
        token: &str,
        numbers: &[(u64, u64)],
        after: u64,
        max_bytes: u32,
    ) -> Reply<PullPage> {
        let numbers = komora_protocol::own_ranges_to_query(numbers);
        let req = self
            .client
            .get(self.url(&format!(
                "/v1/pull/own?numbers={numbers}&after={after}&max_bytes={max_bytes}"
            )))
            .bearer_auth(token);
        let bytes = read_capped(self.send(req)?, MAX_PAGE_ANSWER)?;
        postcard::from_bytes::<PullPage>(&bytes)
            .map_err(|_| TransportError::Network("the page arrived damaged".into()))
    }

    fn reattach(&mut self, req: &komora_protocol::ReattachRequest) -> Reply<RegisteredResponse> {
        self.post_json("/v1/reattach", None, req)
    }

    fn reattach_team(
        &mut self,
        token: &str,
        req: &komora_protocol::ReattachRequest,
    ) -> Reply<RegisteredResponse> {
        self.post_json("/v1/teams/reattach", Some(token), req)
    }

    fn health(&mut self) -> Reply<serde_json::Value> {
        let req = self.client.get(self.url("/health"));
        json_capped(self.send(req)?)
    }

    fn server_pins(&mut self, team: &Id16) -> Reply<komora_protocol::roster::RosterResponse> {
        let req = self
            .client
            .get(self.url(&format!("/v1/server-pins?team={team}")));
        json_capped(self.send(req)?)
    }

    fn rejoin(&mut self, req: &RejoinRequest) -> Reply<RejoinResponse> {
        self.post_json("/v1/rejoin", None, req)
    }

    fn reconcile(&mut self, token: &str, req: &ReconcileRequest) -> Reply<ReconcileResponse> {
        self.post_json("/v1/reconcile", Some(token), req)
    }

    fn roster_append(&mut self, token: &str, req: &RosterAppend) -> Reply<()> {
        self.post_json::<_, serde_json::Value>("/v1/roster", Some(token), req)
            .map(|_| ())
    }

    fn report(&mut self, token: &str, report: &komora_protocol::DeviceReport) -> Reply<()> {
        self.post_json::<_, serde_json::Value>("/v1/report", Some(token), report)
            .map(|_| ())
    }

    fn upload_grants(&mut self, token: &str, req: &GrantsUpload) -> Reply<()> {
        self.post_json::<_, serde_json::Value>("/v1/keys/grants", Some(token), req)
            .map(|_| ())
    }

    fn devices(&mut self, token: &str) -> Reply<Vec<DeviceInfo>> {
        let req = self.client.get(self.url("/v1/devices")).bearer_auth(token);
        json_capped(self.send(req)?)
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
            // Every giver's grant: a tablet tries each (a stolen tablet's garbage may sit
            // beside the key an administrator gave back, ADR 0027).
            .get(self.url(&format!("/v1/keys?after={after_epoch}&all=1")))
            .bearer_auth(token);
        json_capped(self.send(req)?)
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
        json_capped(self.send(req)?)
    }
}
