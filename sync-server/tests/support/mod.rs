//! What the server tests share: the `komora-sync-server` binary run as an operator runs it,
//! and devices that speak the wire protocol over a real socket (signed registrations and
//! logins, opaque sealed envelopes: the server never opens them, so these need no team key).

#![allow(dead_code)] // each test file uses its part

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use komora_protocol::roster::{SignedStatement, Statement};
use komora_protocol::{
    envelope, BootstrapRequest, Bytes, ChallengeRequest, ChallengeResponse, DeviceRegistration,
    EnrollRequest, Id16, InviteRequest, PullPage, PushBatch, PushResponse, Role, TokenRequest,
    TokenResponse,
};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{Ed25519KeyPair, KeyPair};

pub fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    SystemRandom::new().fill(&mut out).unwrap();
    out
}

/// The server binary, as a process of its own.
pub struct Server {
    child: Child,
    pub url: String,
    pub stdout: Vec<String>,
    stderr: PathBuf,
}

impl Server {
    /// Start `komora-sync-server ARGS --listen 127.0.0.1:0` and wait for "listening on".
    /// Its stderr goes to `stderr_file` (read it with `stderr()`).
    pub fn start(args: &[&str], stderr_file: &Path) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_komora-sync-server"))
            .args(args)
            // Plain HTTP on loopback: these tests are about backups, not TLS
            // (`tls_in_the_field.rs` runs the server as the field does).
            .args(["--listen", "127.0.0.1:0", "--plain-http"])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(stderr_file).unwrap())
            .spawn()
            .unwrap();
        let mut server = Server {
            child,
            url: String::new(),
            stdout: Vec::new(),
            stderr: stderr_file.to_owned(),
        };
        let mut reader = BufReader::new(server.child.stdout.take().unwrap());
        loop {
            let mut line = String::new();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "the server stopped early: {:?} {}",
                server.stdout,
                server.stderr()
            );
            let line = line.trim_end().to_owned();
            server.stdout.push(line.clone());
            if let Some(addr) = line.strip_prefix("listening on ") {
                server.url = addr.to_owned();
                return server;
            }
        }
    }

    /// Stop it as systemd does (SIGTERM) and wait for it to end: a backup under way is
    /// finished, not cut.
    pub fn terminate(mut self) {
        // SAFETY: signalling the child process this value owns.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }

    pub fn bootstrap_code(&self) -> Option<String> {
        self.stdout
            .iter()
            .find_map(|l| l.strip_prefix("bootstrap code: "))
            .map(str::to_owned)
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    pub fn health(&self) -> serde_json::Value {
        reqwest::blocking::get(format!("{}/health", self.url))
            .unwrap()
            .json()
            .unwrap()
    }

    /// Stop it the hard way (a power cut, `kill -9`): whatever SQLite had in its WAL stays
    /// there.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run a one-shot command of the binary (`backup`, `restore`, `backup-status`).
pub fn command(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_komora-sync-server"))
        .args(args)
        .output()
        .unwrap()
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Poll `done` until it holds (the server works on its own schedule), failing after a minute.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "waited a minute for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A device: its ids and keys, and the wire calls it makes.
pub struct Device {
    pub id: Id16,
    pub key: Ed25519KeyPair,
    pub kx_pk: [u8; 32],
    pub team: Id16,
}

fn sign(key: &Ed25519KeyPair, statement: &Statement) -> Vec<u8> {
    let bytes = statement.encode();
    SignedStatement {
        signature: key
            .sign(&SignedStatement::message(&bytes))
            .as_ref()
            .to_vec(),
        statement: bytes,
    }
    .to_bytes()
}

fn post<T: serde::Serialize, R: serde::de::DeserializeOwned>(
    url: &str,
    token: Option<&str>,
    body: &T,
) -> R {
    let mut req = reqwest::blocking::Client::new().post(url).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().unwrap();
    assert!(resp.status().is_success(), "{url}: {}", resp.status());
    resp.json().unwrap()
}

impl Device {
    pub fn new(team: Id16) -> Self {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        Device {
            id: Id16(random()),
            key: Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap(),
            kx_pk: random(),
            team,
        }
    }

    pub fn sign_pk(&self) -> [u8; 32] {
        self.key.public_key().as_ref().try_into().unwrap()
    }

    fn registration(&self) -> DeviceRegistration {
        DeviceRegistration {
            device_id: self.id,
            sign_pk: Bytes(self.sign_pk().to_vec()),
            kx_pk: Bytes(self.kx_pk.to_vec()),
        }
    }

    /// The first administrator's tablet, with the code the server printed.
    pub fn bootstrap(url: &str, code: &str) -> Self {
        let admin = Device::new(Id16(random()));
        let genesis = Statement::Genesis {
            team: admin.team,
            device: admin.id,
            sign_pk: admin.sign_pk(),
            kx_pk: admin.kx_pk,
        };
        let _: serde_json::Value = post(
            &format!("{url}/v1/bootstrap"),
            None,
            &BootstrapRequest {
                code: code.to_owned(),
                team_id: admin.team,
                device: admin.registration(),
                genesis: Bytes(sign(&admin.key, &genesis)),
            },
        );
        admin
    }

    /// This (administrator's) device invites a counsellor, who enrols at once.
    pub fn enrol_counsellor(&self, url: &str) -> Device {
        let token = self.login(url);
        let invite_pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let invite_key = Ed25519KeyPair::from_pkcs8(invite_pkcs8.as_ref()).unwrap();
        let invite_pk: [u8; 32] = invite_key.public_key().as_ref().try_into().unwrap();
        let lookup: [u8; 32] = random();
        let statement = Statement::Invite {
            team: self.team,
            issuer: self.id,
            invite_pk,
            role: Role::Counsellor,
            epoch: 1,
        };
        let _: serde_json::Value = post(
            &format!("{url}/v1/invites"),
            Some(&token),
            &InviteRequest {
                role: Role::Counsellor,
                lookup: Bytes(lookup.to_vec()),
                expires_in_s: 3600,
                sealed_bundle: Bytes(vec![7; 64]),
                invite: Bytes(sign(&self.key, &statement)),
            },
        );
        let device = Device::new(self.team);
        let member = Statement::Member {
            invite_pk,
            device: device.id,
            sign_pk: device.sign_pk(),
            kx_pk: device.kx_pk,
        };
        let _: serde_json::Value = post(
            &format!("{url}/v1/enroll"),
            None,
            &EnrollRequest {
                lookup: Bytes(lookup.to_vec()),
                device: device.registration(),
                member: Bytes(sign(&invite_key, &member)),
            },
        );
        device
    }

    /// Log in (challenge, signature, token).
    pub fn login(&self, url: &str) -> String {
        self.try_login(url)
            .unwrap_or_else(|status| panic!("login refused: {status}"))
    }

    /// Log in, or the HTTP status of the refusal.
    pub fn try_login(&self, url: &str) -> Result<String, u16> {
        let client = reqwest::blocking::Client::new();
        let resp = client
            .post(format!("{url}/v1/auth/challenge"))
            .json(&ChallengeRequest { device_id: self.id })
            .send()
            .unwrap();
        if !resp.status().is_success() {
            return Err(resp.status().as_u16());
        }
        let challenge: ChallengeResponse = resp.json().unwrap();
        let message = komora_protocol::login_message(&self.id, &challenge.challenge.0);
        let resp = client
            .post(format!("{url}/v1/auth/token"))
            .json(&TokenRequest {
                device_id: self.id,
                challenge: challenge.challenge,
                signature: Bytes(self.key.sign(&message).as_ref().to_vec()),
                report: None,
            })
            .send()
            .unwrap();
        if !resp.status().is_success() {
            return Err(resp.status().as_u16());
        }
        let token: TokenResponse = resp.json().unwrap();
        Ok(token.token)
    }

    /// Push envelopes; (stored, duplicates).
    pub fn push(&self, url: &str, envelopes: &[Vec<u8>]) -> PushResponse {
        let token = self.login(url);
        let body = postcard::to_allocvec(&PushBatch {
            envelopes: envelopes.to_vec(),
        })
        .unwrap();
        let resp = reqwest::blocking::Client::new()
            .post(format!("{url}/v1/push"))
            .bearer_auth(token)
            .body(body)
            .send()
            .unwrap();
        assert!(resp.status().is_success(), "push: {}", resp.status());
        resp.json().unwrap()
    }

    /// Every envelope other devices wrote, from the start of the stream.
    pub fn pull_all(&self, url: &str) -> Vec<Vec<u8>> {
        let token = self.login(url);
        let (mut after, mut out) = (0u64, Vec::new());
        loop {
            let resp = reqwest::blocking::Client::new()
                .get(format!("{url}/v1/pull?after={after}"))
                .bearer_auth(&token)
                .send()
                .unwrap();
            assert!(resp.status().is_success(), "pull: {}", resp.status());
            let page: PullPage = postcard::from_bytes(&resp.bytes().unwrap()).unwrap();
            out.extend(page.envelopes);
            after = page.next;
            if !page.more {
                return out;
            }
        }
    }
}

/// A sealed envelope as the server sees one: header (version, epoch, op id), then bytes it
/// cannot open.
pub fn sealed(epoch: u32) -> Vec<u8> {
    let mut env = vec![envelope::VERSION];
    env.extend_from_slice(&epoch.to_be_bytes());
    env.extend_from_slice(&random::<16>());
    env.extend_from_slice(&random::<60>());
    env
}
