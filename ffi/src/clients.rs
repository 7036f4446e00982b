//! Clients: registering, reading (audited for a screen), searching, editing and deleting them,
//! and a field's whole history.

use std::sync::Arc;

use komora_core::{self as core, DeviceId, RecordId};

use crate::convert::{fit, ms};
use crate::error::Result;
use crate::task::Background;
use crate::vault::KomoraVault;

redacted_debug!(Client, NewClient, ClientChanges, HistoryEntry);

/// A year as typed, checked before it reaches the core's own rules.
fn year(y: Option<i32>) -> Result<Option<u16>> {
    y.map(|y| fit("birth_year", y, "use a year between 1900 and this year"))
        .transpose()
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Client {
    pub id: RecordId,
    pub name: String,
    pub code: Option<String>,
    /// "F" or "M".
    pub sex: Option<String>,
    pub birth_year: Option<i32>,
    pub phone: Option<String>,
    pub district: Option<String>,
    pub sector: Option<String>,
    pub cell: Option<String>,
    pub village: Option<String>,
    pub target_groups: Vec<String>,
    /// Fields where concurrent edits disagree (the others are in the history).
    pub conflicts: Vec<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
}

impl From<core::Client> for Client {
    fn from(c: core::Client) -> Self {
        let loc = c.location;
        Client {
            id: c.id,
            name: c.name,
            code: c.code,
            sex: c.sex.map(|s| s.code().to_owned()),
            birth_year: c.birth_year.map(i32::from),
            phone: c.phone,
            district: loc.as_ref().map(|l| l.district.clone()),
            sector: loc.as_ref().and_then(|l| l.sector.clone()),
            cell: loc.as_ref().and_then(|l| l.cell.clone()),
            village: loc.as_ref().and_then(|l| l.village.clone()),
            target_groups: c.target_groups,
            conflicts: c.conflicts,
            created_ms: ms(c.created_ms),
            updated_ms: ms(c.updated_ms),
        }
    }
}

/// A client as typed on the form. Unset fields are `null`.
#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewClient {
    pub name: String,
    #[uniffi(default = None)]
    pub code: Option<String>,
    #[uniffi(default = None)]
    pub sex: Option<String>,
    #[uniffi(default = None)]
    pub birth_year: Option<i32>,
    #[uniffi(default = None)]
    pub phone: Option<String>,
    #[uniffi(default = None)]
    pub district: Option<String>,
    #[uniffi(default = None)]
    pub sector: Option<String>,
    #[uniffi(default = None)]
    pub cell: Option<String>,
    #[uniffi(default = None)]
    pub village: Option<String>,
    #[uniffi(default = [])]
    pub target_groups: Vec<String>,
}

impl NewClient {
    pub(crate) fn into_core(self) -> Result<core::NewClient> {
        Ok(core::NewClient {
            name: self.name,
            code: self.code,
            sex: self.sex.as_deref().map(core::Sex::parse).transpose()?,
            birth_year: year(self.birth_year)?,
            phone: self.phone,
            location: core::LocationInput::from_parts(
                self.district,
                self.sector,
                self.cell,
                self.village,
            )?,
            target_groups: self.target_groups,
        })
    }
}

/// Changes to a client: `null` leaves a field alone; names in `clear` empty a field.
#[derive(uniffi::Record, Default)]
#[uniffi::export(Debug)]
pub struct ClientChanges {
    #[uniffi(default = None)]
    pub name: Option<String>,
    #[uniffi(default = None)]
    pub code: Option<String>,
    #[uniffi(default = None)]
    pub sex: Option<String>,
    #[uniffi(default = None)]
    pub birth_year: Option<i32>,
    #[uniffi(default = None)]
    pub phone: Option<String>,
    #[uniffi(default = None)]
    pub district: Option<String>,
    #[uniffi(default = None)]
    pub sector: Option<String>,
    #[uniffi(default = None)]
    pub cell: Option<String>,
    #[uniffi(default = None)]
    pub village: Option<String>,
    #[uniffi(default = [])]
    pub add_groups: Vec<String>,
    #[uniffi(default = [])]
    pub remove_groups: Vec<String>,
    /// code, sex, birth_year, phone or location.
    #[uniffi(default = [])]
    pub clear: Vec<String>,
    /// What the form saw when it opened (`clientSeen`): a field saved replaces only the
    /// values the form showed, so a colleague's change to it synced meanwhile is kept beside
    /// hers as a conflict. `null`: over what the client holds now.
    #[uniffi(default = None)]
    pub seen: Option<String>,
}

impl ClientChanges {
    pub(crate) fn into_core(self) -> Result<core::ClientEdit> {
        let mut e = core::ClientEdit {
            name: self.name,
            code: self.code.map(Some),
            sex: self
                .sex
                .as_deref()
                .map(core::Sex::parse)
                .transpose()?
                .map(Some),
            birth_year: year(self.birth_year)?.map(Some),
            phone: self.phone.map(Some),
            location: core::LocationInput::from_parts(
                self.district,
                self.sector,
                self.cell,
                self.village,
            )?
            .map(Some),
            add_groups: self.add_groups,
            remove_groups: self.remove_groups,
            seen: self.seen.as_deref().map(core::Seen::parse).transpose()?,
        };
        for f in &self.clear {
            e.clear(f)?;
        }
        Ok(e)
    }
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct HistoryEntry {
    /// "set", "added" or "removed".
    pub change: String,
    /// The value as text (`null` when cleared).
    pub value: Option<String>,
    /// "current", "concurrent" or "replaced".
    pub status: String,
    pub at_ms: i64,
    pub device: DeviceId,
}

impl From<core::HistoryEntry> for HistoryEntry {
    fn from(e: core::HistoryEntry) -> Self {
        let text = |v: &core::Value| match v {
            core::Value::Null => None,
            core::Value::Text(t) => Some(t.clone()),
            core::Value::Int(i) => Some(i.to_string()),
            core::Value::Bool(b) => Some(b.to_string()),
        };
        let (change, value) = e.change.parts();
        HistoryEntry {
            change: change.into(),
            value: text(value),
            status: e.status.code().into(),
            at_ms: ms(e.at.wall_ms),
            device: e.device,
        }
    }
}

/// Lower case without accents, as search compares names ("Hélène" -> "helene").
#[uniffi::export]
pub fn fold_for_search(text: String) -> String {
    core::fold(&text)
}

#[uniffi::export]
impl KomoraVault {
    pub fn add_client(&self, client: NewClient) -> Result<RecordId> {
        let c = client.into_core()?;
        self.with(|v| Ok(v.add_client(&c)?))
    }

    /// Many clients in one transaction: all or none.
    pub async fn import_clients(self: Arc<Self>, clients: Vec<NewClient>) -> Result<Vec<RecordId>> {
        Background::spawn(move || {
            let all = clients
                .into_iter()
                .map(NewClient::into_core)
                .collect::<Result<Vec<_>>>()?;
            self.with(|v| Ok(v.add_clients(&all)?))
        })
        .await
    }

    pub fn client(&self, id: RecordId) -> Result<Client> {
        self.with(|v| Ok(v.client(id)?.into()))
    }

    /// The client for a screen: the view is written to the audit trail.
    pub fn view_client(&self, id: RecordId) -> Result<Client> {
        self.with(|v| Ok(v.view_client(id)?.into()))
    }

    pub fn clients(&self) -> Result<Vec<Client>> {
        self.with(|v| Ok(v.clients()?.items.into_iter().map(Client::from).collect()))
    }

    /// The clients with these ids, in that order, in one call (a list's names without one
    /// crossing per row); ids not on this tablet (erased, not yet synced) are left out.
    pub fn clients_by_id(&self, ids: Vec<RecordId>) -> Result<Vec<Client>> {
        self.with(|v| {
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                match v.client(id) {
                    Ok(c) => out.push(Client::from(c)),
                    Err(core::Error::NotFound(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(out)
        })
    }

    /// As the counsellor types: by name or code, case and accents ignored.
    pub fn search_clients(&self, query: String, limit: i32) -> Result<Vec<Client>> {
        self.with(|v| {
            Ok(v.search_clients(&query, limit.clamp(0, 1_000) as usize)?
                .into_iter()
                .map(Client::from)
                .collect())
        })
    }

    pub fn edit_client(&self, id: RecordId, changes: ClientChanges) -> Result<Client> {
        let edit = changes.into_core()?;
        self.with(|v| {
            v.edit_client(id, &edit)?;
            Ok(v.client(id)?.into())
        })
    }

    /// What a form opening this client sees now: kept with the form (and its draft) and
    /// given back in `ClientChanges.seen` when she saves. Holds no value, only which writes
    /// the form showed.
    pub fn client_seen(&self, id: RecordId) -> Result<String> {
        self.with(|v| Ok(v.client_seen(id)?.to_text()))
    }

    pub fn delete_client(&self, id: RecordId) -> Result<()> {
        self.with(|v| Ok(v.delete_client(id)?))
    }

    /// Every value a field has had, concurrent ones included.
    pub fn client_history(&self, id: RecordId, field: String) -> Result<Vec<HistoryEntry>> {
        self.with(|v| {
            Ok(v.client_history(id, &field)?
                .into_iter()
                .map(HistoryEntry::from)
                .collect())
        })
    }
}
