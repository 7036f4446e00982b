//! The client record: a person receiving support. Validation happens here, before anything is
//! written, and refusals name the field and the rule, never the value.

use std::fmt;

use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::kind::{FileRole, Hook, KindSpec, Readers, Writers};
use crate::location::{AdminUnits, Location, LocationInput};
use crate::merge::{RecordState, Seen};
use crate::store::{Edit, RecordEdit, Shown, ShownValue};
use crate::target_groups;
use crate::value::Value;
use crate::vault::Vault;

pub(crate) const KIND: &str = "client";

/// The fields the kind's rules name (`SPEC`), written once.
pub(crate) mod field {
    pub(crate) const SEX: &str = "sex";
    pub(crate) const BIRTH_YEAR: &str = "birth_year";
    pub(crate) const DISTRICT: &str = "district";
    pub(crate) const TARGET_GROUPS: &str = "target_groups";
}

/// This kind's rules, read by the store (`crate::kind`).
pub(crate) const SPEC: KindSpec = KindSpec {
    file: FileRole::Root,
    readers: Readers::StatisticsOnly(&[
        field::SEX,
        field::BIRTH_YEAR,
        field::DISTRICT,
        field::TARGET_GROUPS,
    ]),
    writers: Writers::CASEWORKERS,
    hook: Hook::KeepFileKeys,
    listed: true,
    ..KindSpec::new(KIND)
};

/// The register fields of a client, as named in history queries and the CLI.
pub const CLIENT_FIELDS: &[&str] = &[
    "name",
    "code",
    field::SEX,
    field::BIRTH_YEAR,
    "phone",
    field::DISTRICT,
    "sector",
    "cell",
    "village",
];
/// The set fields of a client.
pub const CLIENT_SET_FIELDS: &[&str] = &[field::TARGET_GROUPS];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s.trim() {
            "F" | "f" => Ok(Sex::Female),
            "M" | "m" => Ok(Sex::Male),
            _ => Err(Error::validation(field::SEX, "use F or M")),
        }
    }
}

/// A client as shown: the merged, current value of every field.
#[derive(Clone, PartialEq, Eq)]
pub struct Client {
    pub id: RecordId,
    pub name: String,
    pub code: Option<String>,
    pub sex: Option<Sex>,
    pub birth_year: Option<u16>,
    pub phone: Option<String>,
    pub location: Option<Location>,
    pub target_groups: Vec<String>,
    /// Fields where concurrent edits disagree: the shown value won, the others are in history.
    pub conflicts: Vec<String>,
    pub created_ms: u64,
    pub updated_ms: u64,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("id", &self.id)
            .field("conflicts", &self.conflicts)
            .finish_non_exhaustive()
    }
}

/// A new client, as typed.
#[derive(Clone, Default)]
pub struct NewClient {
    pub name: String,
    pub code: Option<String>,
    pub sex: Option<Sex>,
    pub birth_year: Option<u16>,
    pub phone: Option<String>,
    pub location: Option<LocationInput>,
    pub target_groups: Vec<String>,
}

impl fmt::Debug for NewClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewClient([redacted])")
    }
}

/// Changes to a client. `None` leaves a field alone; `Some(None)` clears it.
#[derive(Clone, Default)]
pub struct ClientEdit {
    pub name: Option<String>,
    pub code: Option<Option<String>>,
    pub sex: Option<Option<Sex>>,
    pub birth_year: Option<Option<u16>>,
    pub phone: Option<Option<String>>,
    pub location: Option<Option<LocationInput>>,
    pub add_groups: Vec<String>,
    pub remove_groups: Vec<String>,
    /// What the form saw when it opened ([`Vault::client_seen`]): each field set replaces
    /// only the values the form showed, so a colleague's change synced meanwhile to the same
    /// field is kept beside hers as a conflict, not replaced unseen. `None`: over what the
    /// client holds now.
    pub seen: Option<Seen>,
}

impl fmt::Debug for ClientEdit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientEdit([redacted])")
    }
}

impl ClientEdit {
    /// Clear a field by name: code, sex, birth_year, phone or location.
    pub fn clear(&mut self, field: &str) -> Result<()> {
        match field {
            "code" => self.code = Some(None),
            field::SEX => self.sex = Some(None),
            field::BIRTH_YEAR | "birth-year" => self.birth_year = Some(None),
            "phone" => self.phone = Some(None),
            "location" => self.location = Some(None),
            _ => {
                return Err(Error::validation(
                    "clear",
                    "clear code, sex, birth_year, phone or location",
                ))
            }
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.code.is_none()
            && self.sex.is_none()
            && self.birth_year.is_none()
            && self.phone.is_none()
            && self.location.is_none()
            && self.add_groups.is_empty()
            && self.remove_groups.is_empty()
    }
}

fn clean_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::validation("name", "a name is required"));
    }
    if name.chars().count() > 120 {
        return Err(Error::validation("name", "keep names under 120 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::validation(
            "name",
            "a name cannot contain control characters",
        ));
    }
    Ok(name.to_owned())
}

fn clean_code(code: &str) -> Result<String> {
    let code = code.trim();
    let ok = (1..=32).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_/.".contains(c));
    if !ok {
        return Err(Error::validation(
            "code",
            "use 1 to 32 letters, digits or - _ / .",
        ));
    }
    Ok(code.to_owned())
}

fn clean_phone(phone: &str) -> Result<String> {
    let phone = phone.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()".contains(c));
    let plus_ok = phone.rfind('+').is_none_or(|i| i == 0);
    if !allowed || !plus_ok || !(7..=15).contains(&digits) {
        return Err(Error::validation(
            "phone",
            "use 7 to 15 digits, optionally starting with +",
        ));
    }
    Ok(phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect())
}

fn check_birth_year(year: u16, now_ms: u64) -> Result<()> {
    let this_year = 1970 + (now_ms / 1000 / 31_556_952) as u16; // mean Gregorian year
    if !(1900..=this_year).contains(&year) {
        return Err(Error::validation(
            field::BIRTH_YEAR,
            format!("use a year between 1900 and {this_year}"),
        ));
    }
    Ok(())
}

fn check_group(id: &str) -> Result<String> {
    if !target_groups::is_known(id) {
        return Err(Error::validation(
            field::TARGET_GROUPS,
            "not a known target group",
        ));
    }
    Ok(id.to_owned())
}

/// The four location fields. A new record writes only those that are set; an edit writes all
/// four, so a narrower location clears the finer units.
fn location_edits(loc: Option<Location>, new: bool, out: &mut Vec<Edit>) {
    let loc = loc.unwrap_or_default();
    let district = (!loc.district.is_empty()).then_some(loc.district);
    for (field, value) in [
        (field::DISTRICT, district),
        ("sector", loc.sector),
        ("cell", loc.cell),
        ("village", loc.village),
    ] {
        if !new || value.is_some() {
            out.push(Edit::Set(field, value.into()));
        }
    }
}

fn resolve(loc: Option<&LocationInput>) -> Result<Option<Location>> {
    loc.map(|l| AdminUnits::rwanda().resolve(l)).transpose()
}

impl NewClient {
    fn to_edits(&self, now_ms: u64) -> Result<Vec<Edit>> {
        let mut out = vec![Edit::Set("name", clean_name(&self.name)?.into())];
        if let Some(code) = &self.code {
            out.push(Edit::Set("code", clean_code(code)?.into()));
        }
        if let Some(sex) = self.sex {
            out.push(Edit::Set(field::SEX, sex.code().into()));
        }
        if let Some(year) = self.birth_year {
            check_birth_year(year, now_ms)?;
            out.push(Edit::Set(field::BIRTH_YEAR, Value::Int(year.into())));
        }
        if let Some(phone) = &self.phone {
            out.push(Edit::Set("phone", clean_phone(phone)?.into()));
        }
        if let Some(loc) = resolve(self.location.as_ref())? {
            location_edits(Some(loc), true, &mut out);
        }
        let mut groups = self
            .target_groups
            .iter()
            .map(|g| check_group(g))
            .collect::<Result<Vec<_>>>()?;
        groups.sort();
        groups.dedup();
        out.extend(
            groups
                .into_iter()
                .map(|g| Edit::Add(field::TARGET_GROUPS, g.into())),
        );
        Ok(out)
    }
}

impl ClientEdit {
    fn to_edits(&self, current: &Client, now_ms: u64) -> Result<Vec<Edit>> {
        let mut out = Vec::new();
        if let Some(name) = &self.name {
            out.push(Edit::Set("name", clean_name(name)?.into()));
        }
        if let Some(code) = &self.code {
            out.push(Edit::Set(
                "code",
                code.as_deref().map(clean_code).transpose()?.into(),
            ));
        }
        if let Some(sex) = self.sex {
            out.push(Edit::Set(
                field::SEX,
                sex.map(|s| s.code().to_owned()).into(),
            ));
        }
        if let Some(year) = self.birth_year {
            if let Some(y) = year {
                check_birth_year(y, now_ms)?;
            }
            out.push(Edit::Set(
                field::BIRTH_YEAR,
                year.map_or(Value::Null, |y| Value::Int(y.into())),
            ));
        }
        if let Some(phone) = &self.phone {
            out.push(Edit::Set(
                "phone",
                phone.as_deref().map(clean_phone).transpose()?.into(),
            ));
        }
        if let Some(loc) = &self.location {
            location_edits(resolve(loc.as_ref())?, false, &mut out);
        }
        for g in &self.add_groups {
            let g = check_group(g)?;
            if !current.target_groups.contains(&g) {
                out.push(Edit::Add(field::TARGET_GROUPS, g.into()));
            }
        }
        for g in &self.remove_groups {
            if current.target_groups.contains(g) {
                out.push(Edit::Remove(field::TARGET_GROUPS, g.as_str().into()));
            }
        }
        Ok(out)
    }
}

impl Client {
    /// The view of a merged state; consumes it to move its strings rather than copy them.
    pub(crate) fn from_state(id: RecordId, mut s: RecordState) -> Self {
        let conflicts = s.conflicts();
        let birth_year = s
            .value(field::BIRTH_YEAR)
            .and_then(Value::as_int)
            .and_then(|y| u16::try_from(y).ok());
        let district = s.take_text(field::DISTRICT);
        let location = district.map(|district| Location {
            district,
            sector: s.take_text("sector"),
            cell: s.take_text("cell"),
            village: s.take_text("village"),
        });
        Client {
            id,
            name: s.take_text("name").unwrap_or_default(),
            code: s.take_text("code"),
            sex: s
                .value(field::SEX)
                .and_then(Value::as_text)
                .and_then(|x| Sex::parse(x).ok()),
            birth_year,
            phone: s.take_text("phone"),
            location,
            target_groups: s
                .sets
                .get(field::TARGET_GROUPS)
                .map(|set| {
                    set.values()
                        .into_iter()
                        .filter_map(|v| v.as_text().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            conflicts,
            created_ms: s.created.wall_ms,
            updated_ms: s.updated.wall_ms,
        }
    }
}

impl Client {
    /// A client from what the clients' list shows of her (ADR 0023): the same view as
    /// `from_state` makes.
    fn from_shown(id: RecordId, s: &Shown<'_>) -> Self {
        let birth_year = s
            .value(field::BIRTH_YEAR)
            .and_then(ShownValue::as_int)
            .and_then(|y| u16::try_from(y).ok());
        let sex = s.text(field::SEX).and_then(|x| Sex::parse(x).ok());
        let owned = |field: &str| s.text(field).map(str::to_owned);
        let location = owned(field::DISTRICT).map(|district| Location {
            district,
            sector: owned("sector"),
            cell: owned("cell"),
            village: owned("village"),
        });
        Client {
            id,
            name: owned("name").unwrap_or_default(),
            code: owned("code"),
            sex,
            birth_year,
            phone: owned("phone"),
            location,
            target_groups: s
                .set(field::TARGET_GROUPS)
                .iter()
                .filter_map(|v| v.as_text().map(str::to_owned))
                .collect(),
            conflicts: s.conflicts().iter().map(|f| (*f).to_owned()).collect(),
            created_ms: s.created_ms,
            updated_ms: s.updated_ms,
        }
    }
}

/// Records that could be listed, and the ids of any that could not be read (corrupted).
#[derive(Debug, Clone)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub unreadable: Vec<RecordId>,
}

impl Vault {
    /// Record a new client. Returns its new random id.
    pub fn add_client(&mut self, client: &NewClient) -> Result<RecordId> {
        Ok(self.add_clients(std::slice::from_ref(client))?[0])
    }

    /// Record many clients in one transaction (an import): all or none.
    pub fn add_clients(&mut self, clients: &[NewClient]) -> Result<Vec<RecordId>> {
        let now = self.now_ms();
        let mut edits = Vec::with_capacity(clients.len());
        for c in clients {
            edits.push(RecordEdit {
                record: RecordId::for_kind(KIND),
                kind: KIND,
                create: true,
                edits: c.to_edits(now)?,
            });
        }
        let ids = edits.iter().map(|e| e.record).collect();
        self.store.write(edits)?;
        Ok(ids)
    }

    /// Change a client. An edit that changes nothing writes nothing.
    pub fn edit_client(&mut self, id: RecordId, edit: &ClientEdit) -> Result<()> {
        let current = self.client(id)?;
        let mut edits = edit.to_edits(&current, self.now_ms())?;
        if let Some(seen) = &edit.seen {
            if seen.record() != id {
                return Err(Error::validation(
                    "seen",
                    "what a form saw of another client",
                ));
            }
            for e in &mut edits {
                if let Edit::Set(field, value) = e {
                    let (field, value) = (*field, std::mem::replace(value, Value::Null));
                    *e = Edit::SetOver(field, value, seen.preds(field));
                }
            }
        }
        if edits.is_empty() {
            return Ok(());
        }
        self.store.write(vec![RecordEdit {
            record: id,
            kind: KIND,
            create: false,
            edits,
        }])?;
        Ok(())
    }

    /// What a form opening this client sees now, to save her changes over it
    /// ([`ClientEdit::seen`]).
    pub fn client_seen(&self, id: RecordId) -> Result<Seen> {
        match self.store.state(id)? {
            Some(s) if s.kind == KIND && s.deleted.is_none() => {
                let seen = Seen::of(id, &s);
                if self.awaits_fields(&Client::from_state(id, s))? {
                    return Err(Error::NotFound(id));
                }
                Ok(seen)
            }
            _ => Err(Error::NotFound(id)),
        }
    }

    /// Delete a client: a tombstone that syncs; the history stays in the log.
    pub fn delete_client(&mut self, id: RecordId) -> Result<()> {
        self.client(id)?;
        self.store.write(vec![RecordEdit {
            record: id,
            kind: KIND,
            create: false,
            edits: vec![Edit::Delete],
        }])?;
        Ok(())
    }

    pub fn client(&self, id: RecordId) -> Result<Client> {
        match self.store.state(id)? {
            Some(s) if s.kind == KIND && s.deleted.is_none() => {
                let c = Client::from_state(id, s);
                if self.awaits_fields(&c)? {
                    return Err(Error::NotFound(id));
                }
                Ok(c)
            }
            _ => Err(Error::NotFound(id)),
        }
    }

    /// A client whose file keys arrived and whose fields did not (two operations from team
    /// format 5, ADR 0022: a page cut between them, or a server that kept the second back):
    /// not shown until they come, so a tablet never shows a client nobody wrote as such. Only
    /// a client showing nothing at all is looked up in the log (on a data officer's tablet, a
    /// client with no statistics; elsewhere, none but these).
    fn awaits_fields(&self, c: &Client) -> Result<bool> {
        let blank = c.name.is_empty()
            && c.code.is_none()
            && c.sex.is_none()
            && c.birth_year.is_none()
            && c.phone.is_none()
            && c.location.is_none()
            && c.target_groups.is_empty()
            && c.created_ms == c.updated_ms;
        if !blank {
            return Ok(false);
        }
        self.store.holds_only_keys(c.id)
    }

    /// Every client not deleted, by name.
    /// From the clients' sealed list pages (ADR 0023): a few hundred pages opened, not one
    /// state per client.
    pub fn clients(&self) -> Result<Listing<Client>> {
        let (listed, unreadable) = self.store.list(KIND, Client::from_shown)?;
        let mut items = Vec::with_capacity(listed.len());
        for c in listed {
            if !self.awaits_fields(&c)? {
                items.push(c);
            }
        }
        items.sort_by_cached_key(|c| (c.name.to_lowercase(), c.id));
        Ok(Listing { items, unreadable })
    }
}
