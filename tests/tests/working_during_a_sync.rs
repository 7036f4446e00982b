//! A sync over 2G can take minutes. The tablet's screens use the same vault meanwhile: the
//! sync holds it only between network calls (`sync_shared`), so she can search and save while
//! it waits, and locking the tablet stops the sync at its next step with nothing lost.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;
use std::time::Duration;

use komora_core::{
    sync_shared, Error, HttpTransport, NewClient, Role, Transport, TransportError, Vault,
};
use komora_protocol::roster::RosterResponse;
use komora_protocol::*;
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin, enrol, fast_options, quick_retries, sync};

use komora_scenarios::SharedVault as Shared;

#[derive(Clone, Copy, PartialEq)]
enum Gate {
    Push,
    Pull,
}

/// The real HTTP transport, stopped once at the first push or pull until the test says go:
/// a slow network, made deterministic.
struct Slow {
    inner: HttpTransport,
    gate: Option<Gate>,
    entered: Sender<()>,
    go: Receiver<()>,
}

impl Slow {
    fn wait(&mut self, at: Gate) {
        if self.gate == Some(at) {
            self.gate = None;
            self.entered.send(()).unwrap();
            self.go
                .recv_timeout(Duration::from_secs(60))
                .expect("the test lets the call go on");
        }
    }
}

type Reply<T> = Result<T, TransportError>;

impl Transport for Slow {
    fn bootstrap(&mut self, req: &BootstrapRequest) -> Reply<RegisteredResponse> {
        self.inner.bootstrap(req)
    }
    fn challenge(&mut self, req: &ChallengeRequest) -> Reply<ChallengeResponse> {
        self.inner.challenge(req)
    }
    fn token(&mut self, req: &TokenRequest) -> Reply<TokenResponse> {
        self.inner.token(req)
    }
    fn invite(&mut self, token: &str, req: &InviteRequest) -> Reply<InviteResponse> {
        self.inner.invite(token, req)
    }
    fn enroll(&mut self, req: &EnrollRequest) -> Reply<EnrollResponse> {
        self.inner.enroll(req)
    }
    fn push(&mut self, token: &str, batch: &komora_protocol::PushBatchV2) -> Reply<PushResponse> {
        self.wait(Gate::Push);
        self.inner.push(token, batch)
    }
    fn pull(
        &mut self,
        token: &str,
        after: u64,
        max_bytes: u32,
        at: Option<komora_protocol::Id16>,
    ) -> Reply<PullPage> {
        self.wait(Gate::Pull);
        self.inner.pull(token, after, max_bytes, at)
    }
    fn devices(&mut self, token: &str) -> Reply<Vec<DeviceInfo>> {
        self.inner.devices(token)
    }
    fn revoke(&mut self, token: &str, device: &Id16, req: &RevokeRequest) -> Reply<()> {
        self.inner.revoke(token, device, req)
    }
    fn keys(&mut self, token: &str, after_epoch: u32) -> Reply<KeyGrantsResponse> {
        self.inner.keys(token, after_epoch)
    }
    fn roster(&mut self, token: &str, after: u32) -> Reply<RosterResponse> {
        self.inner.roster(token, after)
    }
    fn create_team(
        &mut self,
        token: &str,
        req: &komora_protocol::CreateTeamRequest,
    ) -> Reply<komora_protocol::RegisteredResponse> {
        self.inner.create_team(token, req)
    }
    fn erase(
        &mut self,
        token: &str,
        req: &komora_protocol::EraseRequest,
    ) -> Reply<komora_protocol::EraseResponse> {
        self.inner.erase(token, req)
    }
    fn revocation_proof(
        &mut self,
        req: &komora_protocol::RevocationProofRequest,
    ) -> Result<komora_protocol::roster::RosterResponse, komora_core::TransportError> {
        self.inner.revocation_proof(req)
    }
    fn retire(
        &mut self,
        token: &str,
        req: &komora_protocol::RetireRequest,
    ) -> Result<(), komora_core::TransportError> {
        self.inner.retire(token, req)
    }
    fn reconcile(
        &mut self,
        token: &str,
        req: &komora_protocol::ReconcileRequest,
    ) -> Result<komora_protocol::ReconcileResponse, komora_core::TransportError> {
        self.inner.reconcile(token, req)
    }
    fn roster_append(
        &mut self,
        token: &str,
        req: &komora_protocol::RosterAppend,
    ) -> Result<(), komora_core::TransportError> {
        self.inner.roster_append(token, req)
    }
    fn upload_grants(
        &mut self,
        token: &str,
        req: &komora_protocol::GrantsUpload,
    ) -> Result<(), komora_core::TransportError> {
        self.inner.upload_grants(token, req)
    }
}

fn slow(url: &str, at: Gate) -> (Slow, Receiver<()>, Sender<()>) {
    let (entered_tx, entered) = channel();
    let (go, go_rx) = channel();
    let t = Slow {
        inner: HttpTransport::new(url).unwrap(),
        gate: Some(at),
        entered: entered_tx,
        go: go_rx,
    };
    (t, entered, go)
}

fn client(name: &str) -> NewClient {
    NewClient {
        name: name.into(),
        ..Default::default()
    }
}

#[test]
fn she_searches_and_saves_while_her_sync_waits_on_a_slow_network_and_both_sides_get_everything() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let claudine = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("claudine"),
    );
    for name in ["Mukamana Odette", "Habimana Jean"] {
        admin.add_client(&client(name)).unwrap();
    }
    sync(&mut admin).unwrap();

    let tablet = Shared(Mutex::new(Some(claudine)));
    let (mut t, entered, go) = slow(&server.url, Gate::Pull);
    std::thread::scope(|s| {
        let syncing = s.spawn(|| sync_shared(&tablet, &mut t, &quick_retries(), &mut |_| {}));
        entered
            .recv_timeout(Duration::from_secs(60))
            .expect("the sync reaches the network");

        // The sync is waiting on the server: the vault is hers.
        {
            let mut guard = tablet
                .0
                .try_lock()
                .expect("the sync does not hold the vault while it waits");
            let v = guard.as_mut().unwrap();
            v.add_client(&client("Uwase Diane")).unwrap();
            let found = v.search_clients("uwa", 10).unwrap();
            assert_eq!(found.len(), 1, "she finds the client she just saved");
        }

        go.send(()).unwrap();
        let report = syncing.join().unwrap().expect("the sync finishes");
        assert_eq!(
            report.received_ops, 4,
            "the administrator's two clients arrived (each her keys and her fields)"
        );
    });

    let mut claudine = tablet.0.into_inner().unwrap().unwrap();
    sync(&mut claudine).unwrap();
    sync(&mut admin).unwrap();
    let mut names: Vec<String> = admin
        .clients()
        .unwrap()
        .items
        .into_iter()
        .map(|c| c.name)
        .collect();
    names.sort();
    assert_eq!(names, ["Habimana Jean", "Mukamana Odette", "Uwase Diane"]);
    assert_eq!(claudine.clients().unwrap().items.len(), 3);
}

#[test]
fn locking_the_tablet_during_a_sync_stops_it_at_the_next_step_and_the_next_sync_loses_and_repeats_nothing(
) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let tablet_dir = dir.path().join("claudine");
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &tablet_dir);
    for i in 0..5 {
        claudine
            .add_client(&client(&format!("Client {i}")))
            .unwrap();
    }

    let tablet = Shared(Mutex::new(Some(claudine)));
    let (mut t, entered, go) = slow(&server.url, Gate::Push);
    std::thread::scope(|s| {
        let syncing = s.spawn(|| sync_shared(&tablet, &mut t, &quick_retries(), &mut |_| {}));
        entered
            .recv_timeout(Duration::from_secs(60))
            .expect("the sync reaches the network");
        // She presses the home button: the app locks the vault (its keys are dropped).
        let locked = tablet.0.lock().unwrap().take().expect("open until now");
        locked.lock();
        go.send(()).unwrap();
        let stopped = syncing.join().unwrap();
        assert!(matches!(stopped, Err(Error::Locked)), "got {stopped:?}");
    });

    // Unlocked again later: the push the server took but the tablet never heard back about
    // is sent again, and the server keeps each operation once.
    let mut claudine =
        Vault::open(&tablet_dir, "tablet passphrase", fast_options()).expect("the vault opens");
    assert!(
        claudine.sync_status().unwrap().pending > 0,
        "the tablet did not see the push end"
    );
    sync(&mut claudine).unwrap();
    assert_eq!(claudine.sync_status().unwrap().pending, 0);
    let report = sync(&mut admin).unwrap();
    assert_eq!(admin.clients().unwrap().items.len(), 5);
    assert_eq!(
        report.applied, report.received_ops,
        "no operation came twice"
    );
}
