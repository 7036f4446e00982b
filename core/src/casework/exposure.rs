//! A lost or stolen tablet: which client files it held, for the breach notification the law
//! asks for within 48 hours (Law N° 058/2021), worked out without the tablet.
//!
//! Every tablet of a team receives every file of the team, so a tablet held, at its last
//! sync, every file that existed then and had not been erased before then. The administrator's
//! vault knows when each file was first recorded (its first operation's clock) and when each
//! erasure was made; the server knows when the tablet last synced (`komora device exposure`
//! asks it). Clocks of tablets can be off by up to `MAX_DRIFT_MS`, so the list errs towards
//! telling too much: a file recorded up to that long after the sync counts as held, an erasure
//! counts only if it was made that long before.
//!
//! The audit adds what the tablet's user did: files they wrote in and records they opened.
//! What the tablet recorded after its last sync never reached anyone: only its count (from the
//! tablet's last report to the server) is known.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use komora_protocol::Role;

use super::audit::AuditAction;
use super::date::Date;
use crate::error::{Error, Result};
use crate::hlc::MAX_DRIFT_MS;
use crate::ids::{DeviceId, RecordId};
use crate::vault::Vault;

/// One client file a lost tablet held.
#[derive(Clone, PartialEq, Eq)]
pub struct ExposedFile {
    pub client: RecordId,
    /// Readable here unless the file was erased since (then only its id remains).
    pub name: Option<String>,
    pub code: Option<String>,
    /// When the file was first recorded.
    pub recorded_ms: u64,
    /// Erased after the tablet's last sync: the tablet still holds what it had.
    pub erased_since: Option<Date>,
    /// The tablet's user wrote in it (created or changed a record of it).
    pub wrote: bool,
    /// The tablet's user opened it or one of its records.
    pub viewed: bool,
}

impl fmt::Debug for ExposedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExposedFile")
            .field("client", &self.client)
            .field("wrote", &self.wrote)
            .field("viewed", &self.viewed)
            .finish_non_exhaustive()
    }
}

/// What a device held as of its last sync.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exposure {
    pub device: DeviceId,
    pub as_of_ms: u64,
    /// A data officer's tablet holds only the statistics of each file (ADR 0011): no name,
    /// code, phone, place below the district, answer or note.
    pub statistics_only: bool,
    pub files: Vec<ExposedFile>,
}

impl Vault {
    /// The client files `device` held as of `as_of_ms` (its last sync, as the server saw it).
    /// Administrators only; audited as an export.
    pub fn device_exposure(
        &mut self,
        device: DeviceId,
        as_of_ms: u64,
        device_role: Option<Role>,
    ) -> Result<Exposure> {
        if let Some(role) = self.role()? {
            if role != Role::Admin {
                return Err(Error::Forbidden(
                    "only an administrator lists what a lost tablet held".into(),
                ));
            }
        }
        let held_until = as_of_ms.saturating_add(MAX_DRIFT_MS);
        let erased_before = as_of_ms.saturating_sub(MAX_DRIFT_MS);

        // Which file each record belongs to, for the audit's evidence.
        let index = self.index()?;
        let mut file_of: HashMap<RecordId, Vec<RecordId>> = HashMap::new();
        for k in index.cases() {
            file_of.insert(k.id, k.clients.clone());
        }
        for s in index.sessions() {
            file_of.insert(s.id, s.participants.clone());
        }
        for a in index.assessments() {
            file_of.insert(a.id, a.client.into_iter().collect());
        }
        for r in index.referrals() {
            file_of.insert(r.id, r.client.into_iter().collect());
        }
        for c in index.consents() {
            file_of.insert(c.id, c.client.into_iter().collect());
        }
        for r in index.rights_requests() {
            file_of.insert(r.id, r.client.into_iter().collect());
        }
        let reviews: Vec<(RecordId, Option<RecordId>)> =
            index.reviews().map(|r| (r.id, r.target)).collect();
        drop(index);
        for (id, target) in reviews {
            let files = target
                .map(|t| file_of.get(&t).cloned().unwrap_or(vec![t]))
                .unwrap_or_default();
            file_of.insert(id, files);
        }

        let mut files: BTreeMap<RecordId, ExposedFile> = BTreeMap::new();
        for c in self.clients()?.items {
            if c.created_ms <= held_until {
                files.insert(
                    c.id,
                    ExposedFile {
                        client: c.id,
                        name: Some(c.name.clone()),
                        code: c.code.clone(),
                        recorded_ms: c.created_ms,
                        erased_since: None,
                        wrote: false,
                        viewed: false,
                    },
                );
            }
        }
        // Files erased since: gone here, still on the tablet. The erasure's own clock says
        // when it was made; the file's first record is gone with its key, so the erasure
        // stands for both (a file erased before the sync was never left on the tablet).
        let mut first_op: HashMap<RecordId, u64> = HashMap::new();
        let trail = self.audit_trail()?;
        for e in &trail {
            if let Some(r) = e.record {
                first_op
                    .entry(r)
                    .and_modify(|t| *t = (*t).min(e.at.wall_ms))
                    .or_insert(e.at.wall_ms);
            }
        }
        for er in self.erasures()? {
            let made = first_op.get(&er.id).copied().unwrap_or(0);
            if made > erased_before {
                let recorded = first_op.get(&er.client).copied().unwrap_or(0);
                if recorded <= held_until {
                    files.insert(
                        er.client,
                        ExposedFile {
                            client: er.client,
                            name: None,
                            code: None,
                            recorded_ms: recorded,
                            erased_since: er.date,
                            wrote: false,
                            viewed: false,
                        },
                    );
                }
            }
        }
        for e in trail.iter().filter(|e| e.device == device) {
            let Some(record) = e.record else { continue };
            let owners = file_of.get(&record).cloned().unwrap_or(vec![record]);
            for owner in owners {
                if let Some(f) = files.get_mut(&owner) {
                    match e.action {
                        AuditAction::Viewed | AuditAction::Exported => f.viewed = true,
                        AuditAction::Created | AuditAction::Changed | AuditAction::Deleted => {
                            f.wrote = true
                        }
                        AuditAction::Refused => {}
                    }
                }
            }
        }
        self.record_access(AuditAction::Exported, None, "device-exposure")?;
        Ok(Exposure {
            device,
            as_of_ms,
            statistics_only: device_role == Some(Role::DataOfficer),
            files: files.into_values().collect(),
        })
    }
}
