//! Every store operation as a plain call that runs to its end on the store's runtime, with the
//! arguments the scenarios hold (borrowed, as a person reads them), so the scenarios read as
//! the steps they are. Each call is one call of the `Db` trait, nothing more, and must answer
//! within a minute (`Store::run`): a store that stops answering fails the test, not hangs it.

use komora_protocol::{DeviceInfo, Id16, PullPage, Role};
use komora_sync_server::db::{
    DbResult, DeviceRow, IncomingOp, NewDevice, NewInvite, PushQuota, Readmitted,
};

use crate::Store;

impl Store {
    pub fn needs_bootstrap(&self) -> DbResult<bool> {
        self.run(self.db().needs_bootstrap())
    }

    pub fn set_bootstrap_hash(&self, hash: &[u8; 32]) -> DbResult<()> {
        self.run(self.db().set_bootstrap_hash(*hash))
    }

    pub fn create_team(&self, team: Id16, device: &NewDevice, now: u64) -> DbResult<()> {
        self.run(self.db().create_team(team, device.clone(), now))
    }

    pub fn bootstrap(
        &self,
        code_hash: &[u8; 32],
        team: Id16,
        device: &NewDevice,
        now: u64,
    ) -> DbResult<()> {
        self.run(self.db().bootstrap(*code_hash, team, device.clone(), now))
    }

    pub fn device(&self, device: Id16) -> DbResult<Option<DeviceRow>> {
        self.run(self.db().device(device))
    }

    pub fn put_challenge(&self, challenge: &[u8], device: Id16, expires: u64) -> DbResult<()> {
        self.run(self.db().put_challenge(challenge.to_vec(), device, expires))
    }

    pub fn take_challenge(&self, challenge: &[u8], device: Id16, now: u64) -> DbResult<bool> {
        self.run(self.db().take_challenge(challenge.to_vec(), device, now))
    }

    pub fn put_token(&self, hash: &[u8; 32], device: Id16, expires: u64) -> DbResult<()> {
        self.run(self.db().put_token(*hash, device, expires))
    }

    pub fn token_device(&self, hash: &[u8; 32], now: u64) -> DbResult<Option<Id16>> {
        self.run(self.db().token_device(*hash, now))
    }

    pub fn create_invite(&self, i: &NewInvite) -> DbResult<()> {
        self.run(self.db().create_invite(i.clone()))
    }

    pub fn create_invite_within(&self, i: &NewInvite, now: u64, cap: u64) -> DbResult<()> {
        self.run(self.db().create_invite_within(i.clone(), now, cap))
    }

    pub fn pending_invites(&self, team: Id16, now: u64) -> DbResult<u64> {
        self.run(self.db().pending_invites(team, now))
    }

    pub fn pushed_bytes(&self, device: Id16) -> DbResult<u64> {
        self.run(self.db().pushed_bytes(device))
    }

    pub fn enroll(
        &self,
        lookup: &[u8],
        device: &NewDevice,
        now: u64,
    ) -> DbResult<(Id16, Role, Vec<u8>)> {
        self.run(self.db().enroll(lookup.to_vec(), device.clone(), now))
    }

    pub fn push(&self, team: Id16, author: Id16, ops: &[IncomingOp]) -> DbResult<(u32, u32)> {
        self.run(self.db().push(team, author, ops.to_vec()))
    }

    pub fn push_within(
        &self,
        team: Id16,
        author: Id16,
        ops: &[IncomingOp],
        quota: u64,
    ) -> DbResult<(u32, u32)> {
        let quota = PushQuota {
            device: quota,
            team: u64::MAX,
        };
        self.run(self.db().push_within(team, author, ops.to_vec(), quota))
    }

    pub fn push_within_team(
        &self,
        team: Id16,
        author: Id16,
        ops: &[IncomingOp],
        team_quota: u64,
    ) -> DbResult<(u32, u32)> {
        let quota = PushQuota {
            device: u64::MAX,
            team: team_quota,
        };
        self.run(self.db().push_within(team, author, ops.to_vec(), quota))
    }

    pub fn pull_own(
        &self,
        team: Id16,
        requester: Id16,
        numbers: &[(u64, u64)],
        after: u64,
        max_bytes: u32,
    ) -> DbResult<PullPage> {
        self.run(
            self.db()
                .pull_own(team, requester, numbers.to_vec(), after, max_bytes),
        )
    }

    pub fn pull(
        &self,
        team: Id16,
        requester: Id16,
        after: u64,
        max_bytes: u32,
        at: Option<[u8; 16]>,
    ) -> DbResult<PullPage> {
        self.run(self.db().pull(team, requester, after, max_bytes, at))
    }

    pub fn pull_pass(
        &self,
        team: Id16,
        requester: Id16,
        after: u64,
        max_bytes: u32,
        at: Option<[u8; 16]>,
        pass: komora_sync_server::db::Pass,
    ) -> DbResult<PullPage> {
        self.run(
            self.db()
                .pull_pass(team, requester, after, max_bytes, at, pass),
        )
    }

    pub fn head(&self, team: Id16) -> DbResult<u64> {
        self.run(self.db().head(team))
    }

    pub fn holds(&self, team: Id16, asker: Id16) -> DbResult<komora_protocol::AuthorRanges> {
        self.run(self.db().holds(team, asker))
    }

    pub fn erased_for(&self, team: Id16, device: Id16) -> DbResult<u64> {
        self.run(self.db().erased_for(team, device))
    }

    pub fn holds_of(&self, team: Id16, author: Id16) -> DbResult<Vec<(u64, u64)>> {
        self.run(self.db().holds_of(team, author))
    }

    pub fn resume_after(
        &self,
        team: Id16,
        asker: Id16,
        theirs: &komora_protocol::AuthorRanges,
    ) -> DbResult<u64> {
        self.run(self.db().resume_after(team, asker, theirs.clone()))
    }

    pub fn readmit(
        &self,
        team: Id16,
        devices: &[Readmitted],
        statements: &[Vec<u8>],
        now: u64,
    ) -> DbResult<u32> {
        self.run(
            self.db()
                .readmit(team, devices.to_vec(), statements.to_vec(), now),
        )
    }

    pub fn revoke_to(&self, team: Id16, device: Id16, epoch: u32, now: u64) -> DbResult<()> {
        self.run(self.db().revoke_to(team, device, epoch, now))
    }

    pub fn raise_epoch(&self, team: Id16, epoch: u32) -> DbResult<()> {
        self.run(self.db().raise_epoch(team, epoch))
    }

    pub fn add_grants(
        &self,
        team: Id16,
        giver: Id16,
        grants: &[(u32, Id16, Vec<u8>)],
    ) -> DbResult<u32> {
        self.run(self.db().add_grants(team, giver, grants.to_vec()))
    }

    pub fn missing_grants(&self, team: Id16, asker: Id16) -> DbResult<Vec<(u32, Id16, Vec<u8>)>> {
        self.run(self.db().missing_grants(team, asker))
    }

    pub fn report(&self, device: Id16, report: &komora_protocol::DeviceReport) -> DbResult<()> {
        self.run(self.db().report(device, report.clone()))
    }

    pub fn devices(&self, team: Id16) -> DbResult<Vec<DeviceInfo>> {
        self.run(self.db().devices(team))
    }

    pub fn revoke(
        &self,
        team: Id16,
        device: Id16,
        now: u64,
        new_epoch: u32,
        grants: &[(Id16, Vec<u8>)],
        statements: &[Vec<u8>],
    ) -> DbResult<bool> {
        self.run(self.db().revoke(
            team,
            device,
            now,
            new_epoch,
            grants.to_vec(),
            statements.to_vec(),
        ))
    }

    pub fn add_statement(&self, team: Id16, statement: &[u8]) -> DbResult<()> {
        self.run(self.db().add_statement(team, statement.to_vec()))
    }

    pub fn roster(&self, team: Id16, after: u32, limit: u32) -> DbResult<(Vec<Vec<u8>>, u32)> {
        self.run(self.db().roster(team, after, limit))
    }

    pub fn roster_len(&self, team: Id16) -> DbResult<u32> {
        self.run(self.db().roster_len(team))
    }

    pub fn key_grants(
        &self,
        team: Id16,
        device: Id16,
        after: u32,
    ) -> DbResult<komora_sync_server::db::KeyGrants> {
        self.run(self.db().key_grants(team, device, after))
    }

    pub fn touch(&self, device: Id16, now: u64) -> DbResult<()> {
        self.run(self.db().touch(device, now))
    }

    pub fn erase_ops(
        &self,
        team: Id16,
        by: Id16,
        erasure: [u8; 16],
        op_ids: &[[u8; 16]],
        now: u64,
    ) -> DbResult<u32> {
        self.run(self.db().erase_ops(team, by, erasure, op_ids.to_vec(), now))
    }

    pub fn generation(&self) -> DbResult<[u8; 16]> {
        self.run(self.db().generation())
    }

    pub fn new_generation(&self) -> DbResult<[u8; 16]> {
        self.run(self.db().new_generation())
    }

    pub fn dump(&self) -> DbResult<Vec<u8>> {
        self.run(self.db().dump())
    }
}
