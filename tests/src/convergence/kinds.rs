//! Every kind of record, in one table ([`KINDS`]): what a tablet does to it (through the
//! core's public API, as the app and the command line call it), which of its fields the
//! property follows and what each promises when two tablets write it at once, and how a
//! screen reads a record of it.
//!
//! The property generates its actions from this table and nothing else, so a kind added here
//! is driven, merged, compared and checked with the rest. The kind names and the field
//! promises are the core's (`merge.rs`: registers and add-wins sets); when the core lists its
//! kinds in one registry, the names and promises can be read from it and only the actions
//! (how to call the API) stay here.
//!
//! Each action writes at most one operation (one record): the oracle maps each write to the
//! operation that carries it. Household links are always written on the client with the
//! smaller id, so linking two clients writes one record, as it does when one person keeps a
//! family's links.

use std::collections::HashSet;

use komora_core::{
    CaseEdit, CaseStatus, ConsentDecision, ConsentGiver, DeviceId, Error, Language, NewAssessment,
    NewCase, NewConsent, NewGroup, NewReferral, NewRightsRequest, NewSession, RecordId,
    ReferralStatus, RequestDecision, Right, RiskLevel, SessionEdit, TeamPolicy, Vault, Verdict,
    ERASURE_REASONS, FREE_ATTEMPTS,
};

use super::model::Made;

/// What the merge keeps when two tablets write a field at once, as the kind promises it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Promise {
    /// A register: a write that saw a value replaces it whatever the clocks say; values written
    /// at once all stay, one is shown, and the record lists the field among its conflicts.
    Register,
    /// A register of a record that shows no conflicts: values written at once stay in the log
    /// and the same one is shown everywhere, but no screen tells that there were two.
    RegisterUnflagged,
    /// An add-wins set: an element stays unless a removal saw every add of it.
    AddWins,
}

/// A field the property follows.
pub struct Field {
    pub name: &'static str,
    pub promise: Promise,
    /// Elements the screen leaves out on purpose (a household link to someone who is no longer
    /// a client): the oracle does not expect them.
    pub hidden: Option<fn(&Vault, &str) -> bool>,
}

const fn register(name: &'static str) -> Field {
    Field {
        name,
        promise: Promise::Register,
        hidden: None,
    }
}

const fn unflagged(name: &'static str) -> Field {
    Field {
        name,
        promise: Promise::RegisterUnflagged,
        hidden: None,
    }
}

const fn add_wins(name: &'static str) -> Field {
    Field {
        name,
        promise: Promise::AddWins,
        hidden: None,
    }
}

/// A record as a screen shows it: every value, every set, and the fields in conflict (`None`
/// for a kind whose records show none).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shown {
    pub values: Vec<(&'static str, String)>,
    pub sets: Vec<(&'static str, Vec<String>)>,
    pub conflicts: Option<Vec<String>>,
}

impl Shown {
    fn val(mut self, field: &'static str, value: impl ToString) -> Self {
        self.values.push((field, value.to_string()));
        self
    }

    fn opt(self, field: &'static str, value: Option<impl ToString>) -> Self {
        self.val(field, value.map(|v| v.to_string()).unwrap_or_default())
    }

    fn set<T: ToString>(mut self, field: &'static str, items: &[T]) -> Self {
        let mut items: Vec<String> = items.iter().map(ToString::to_string).collect();
        items.sort();
        self.sets.push((field, items));
        self
    }

    fn conflicts(mut self, fields: &[String]) -> Self {
        self.conflicts = Some(fields.to_vec());
        self
    }

    /// The value a screen shows for `field` ("" when none).
    pub fn value(&self, field: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.as_str())
    }

    pub fn elements(&self, field: &str) -> Option<&[String]> {
        self.sets
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.as_slice())
    }

    /// One line, to compare replicas.
    pub fn line(&self) -> String {
        let mut out = String::new();
        for (f, v) in &self.values {
            out.push_str(&format!(" {f}={v:?}"));
        }
        for (f, v) in &self.sets {
            out.push_str(&format!(" {f}={v:?}"));
        }
        if let Some(c) = &self.conflicts {
            out.push_str(&format!(" conflicts={c:?}"));
        }
        out
    }
}

/// A write the oracle follows.
#[derive(Clone, Debug)]
pub enum Effect {
    /// A record made (with the client file it joins, if any).
    Made(Made),
    Set {
        record: RecordId,
        field: &'static str,
        value: String,
    },
    Add {
        record: RecordId,
        field: &'static str,
        value: String,
    },
    Remove {
        record: RecordId,
        field: &'static str,
        value: String,
    },
    /// A client deleted (a tombstone).
    Deleted(RecordId),
    /// A client's whole file erased.
    Erased(RecordId),
}

/// What an action did.
#[derive(Debug)]
pub enum Outcome {
    /// Nothing to act on at this tablet (no record of the kind yet).
    Skipped,
    /// The core refused it: a typed error, and nothing may have been written.
    Refused(Error),
    /// Written: one operation carrying these effects, or none when the list is empty (the
    /// core writes nothing for an edit that changes nothing).
    Wrote(Vec<Effect>),
    /// Written, and not followed by the oracle (the audit trail's access notes: a view
    /// coalesces with one made within ten minutes).
    Untracked,
}

/// What an action sees: the tablet, every record made so far on any tablet, the team's
/// devices, and the choices the generator drew.
pub struct Ctx<'a> {
    pub vault: &'a mut Vault,
    pub made: &'a [Made],
    pub devices: &'a [DeviceId],
    /// Records this tablet has merged at least one write of.
    pub held: &'a HashSet<RecordId>,
    pub picks: [u8; 3],
    pub value: u16,
}

impl Ctx<'_> {
    /// Records of `kind` this tablet shows.
    pub fn live(&self, kind: &str) -> Vec<RecordId> {
        let read = by_name(kind).read;
        self.made
            .iter()
            .filter(|m| m.kind == kind && read(self.vault, m.id).is_some())
            .map(|m| m.id)
            .collect()
    }

    /// One of them, chosen by the `n`th pick.
    fn pick(&self, kind: &str, n: usize) -> Option<RecordId> {
        choose(&self.live(kind), self.picks[n])
    }

    /// The client file a record was made in.
    fn file_of(&self, id: RecordId) -> Option<RecordId> {
        self.made.iter().find(|m| m.id == id).and_then(|m| m.file)
    }

    fn text<'t>(&self, pool: &[&'t str]) -> &'t str {
        pool[usize::from(self.value) % pool.len()]
    }
}

/// An element to remove: mostly one this tablet shows, sometimes one it does not.
fn to_remove(c: &Ctx<'_>, present: &[String], pool: &[&str]) -> String {
    if !present.is_empty() && !c.picks[2].is_multiple_of(4) {
        present[usize::from(c.picks[1]) % present.len()].clone()
    } else {
        c.text(pool).to_owned()
    }
}

fn choose<T: Copy>(items: &[T], pick: u8) -> Option<T> {
    (!items.is_empty()).then(|| items[usize::from(pick) % items.len()])
}

/// A kind of record and what a tablet does to it.
pub struct Kind {
    /// The core's name for the kind.
    pub name: &'static str,
    pub fields: &'static [Field],
    /// The record as a screen shows it (`None`: not shown here: never received, deleted,
    /// erased).
    pub read: fn(&Vault, RecordId) -> Option<Shown>,
    pub actions: &'static [Action],
}

pub struct Action {
    pub name: &'static str,
    /// How often the generator draws it, against the others.
    pub weight: u32,
    pub run: fn(&mut Ctx<'_>) -> Outcome,
}

const fn act(name: &'static str, weight: u32, run: fn(&mut Ctx<'_>) -> Outcome) -> Action {
    Action { name, weight, run }
}

/// The kind named `name`.
pub fn by_name(name: &str) -> &'static Kind {
    KINDS
        .iter()
        .find(|k| k.name == name)
        .unwrap_or_else(|| panic!("no kind {name} in the table"))
}

/// One action of the table: (kind, action) by position.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ActionRef(pub u16, pub u16);

impl ActionRef {
    pub fn kind(self) -> &'static Kind {
        &KINDS[usize::from(self.0)]
    }

    pub fn action(self) -> &'static Action {
        &self.kind().actions[usize::from(self.1)]
    }

    /// The action `kind.action` of the table.
    pub fn named(kind: &str, action: &str) -> ActionRef {
        Self::all()
            .into_iter()
            .map(|(_, a)| a)
            .find(|a| a.kind().name == kind && a.action().name == action)
            .unwrap_or_else(|| panic!("no action {kind}.{action} in the table"))
    }

    /// Every action of the table with its weight.
    pub fn all() -> Vec<(u32, ActionRef)> {
        let mut out = Vec::new();
        for (k, kind) in KINDS.iter().enumerate() {
            for (a, action) in kind.actions.iter().enumerate() {
                out.push((action.weight, ActionRef(k as u16, a as u16)));
            }
        }
        out
    }
}

impl std::fmt::Debug for ActionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.kind().name, self.action().name)
    }
}

/// The team's policy record in a vault outside any server team (the replicas here).
pub const POLICY_RECORD: RecordId = RecordId::from_bytes(*b"komora/policy/v1");

const NAMES: &[&str] = &[
    "Uwase",
    "Mukamana",
    "Habimana",
    "Niyonsaba",
    "Uwimana",
    "Nshimiyimana",
];
const GROUPS: &[&str] = &[
    "genocide-survivor",
    "ex-prisoner",
    "single-mother",
    "wounded-heart",
];
const NOTES: &[&str] = &[
    "She slept better this week.",
    "Spoke about the trial for the first time.",
    "Came with her sister.",
    "Asked to meet at home next time.",
];
const PROBLEMS: &[&str] = &["trauma", "grief", "domestic-conflict", "depression"];
const FLAGS: &[&str] = &["suicide-risk", "violence-at-home", "child-protection"];
const MODALITIES: &[&str] = &["office", "home-visit", "phone", "group"];
const INTERVENTIONS: &[&str] = &[
    "psychoeducation",
    "supportive-counselling",
    "family-mediation",
];
const RELATIONS: &[&str] = &["spouse", "parent", "child", "sibling"];
const SCOPES: &[&str] = &["services", "data-recording", "sharing"];
const DESTINATIONS: &[&str] = &["health-centre", "isange", "legal-aid"];
const CUTOFFS: &[(&str, &str)] = &[
    ("srq-20", "srq-20:scholte-2011-rwanda"),
    ("srq-20", "srq-20:standard"),
    ("phq-9", "phq-9:sebera-2020-epilepsy"),
    ("phq-9", "phq-9:standard"),
    ("pcl-5", "pcl-5:niyonsenga-2021-students"),
];

fn made(kind: &'static str, id: RecordId, file: Option<RecordId>) -> Effect {
    Effect::Made(Made { kind, id, file })
}

fn set(record: RecordId, field: &'static str, value: impl ToString) -> Effect {
    Effect::Set {
        record,
        field,
        value: value.to_string(),
    }
}

fn add(record: RecordId, field: &'static str, value: impl ToString) -> Effect {
    Effect::Add {
        record,
        field,
        value: value.to_string(),
    }
}

fn remove(record: RecordId, field: &'static str, value: impl ToString) -> Effect {
    Effect::Remove {
        record,
        field,
        value: value.to_string(),
    }
}

/// The outcome of a call that returns nothing: `effects` if it succeeded.
fn done(result: komora_core::Result<()>, effects: Vec<Effect>) -> Outcome {
    match result {
        Ok(()) => Outcome::Wrote(effects),
        Err(e) => Outcome::Refused(e),
    }
}

/// Run `f` on the record drawn by pick 0, or skip.
macro_rules! on {
    ($c:ident, $kind:literal, |$id:ident| $body:expr) => {
        match $c.pick($kind, 0) {
            Some($id) => $body,
            None => Outcome::Skipped,
        }
    };
}

// ---------------------------------------------------------------------------------------------
// The table.

pub static KINDS: &[Kind] = &[
    Kind {
        name: "client",
        fields: &[
            register("name"),
            register("phone"),
            add_wins("target_groups"),
            Field {
                name: "links",
                promise: Promise::AddWins,
                hidden: Some(link_to_no_client),
            },
        ],
        read: read_client,
        actions: &[
            act("add", 3, client_add),
            act("rename", 3, client_rename),
            act("phone", 2, client_phone),
            act("clear_phone", 1, client_clear_phone),
            act("add_group", 2, client_add_group),
            act("remove_group", 2, client_remove_group),
            act("delete", 1, client_delete),
            act("link_household", 2, client_link),
            act("unlink_household", 1, client_unlink),
        ],
    },
    Kind {
        name: "consent",
        fields: &[],
        read: read_consent,
        actions: &[
            act("give", 3, consent_give),
            act("withdraw", 1, consent_withdraw),
        ],
    },
    Kind {
        name: "case",
        fields: &[
            register("status"),
            register("risk_level"),
            register("counsellor"),
            register("close_reason"),
            add_wins("clients"),
            add_wins("problems"),
            add_wins("risk_flags"),
        ],
        read: read_case,
        actions: &[
            act("open", 5, case_open),
            act("status", 2, case_status),
            act("risk", 1, case_risk),
            act("assign", 1, case_assign),
            act("add_problem", 1, case_add_problem),
            act("remove_problem", 1, case_remove_problem),
            act("raise_flag", 1, case_raise_flag),
            act("clear_flag", 1, case_clear_flag),
            act("add_client", 1, case_add_client),
            act("remove_client", 1, case_remove_client),
        ],
    },
    Kind {
        name: "session",
        fields: &[
            register("notes"),
            register("duration_min"),
            register("follow_up_plan"),
            register("next_appointment"),
            add_wins("interventions"),
            add_wins("participants"),
        ],
        read: read_session,
        actions: &[
            act("add", 6, session_add),
            act("notes", 4, session_notes),
            act("duration", 1, session_duration),
            act("follow_up_plan", 1, session_follow_up),
            act("next_appointment", 1, session_next),
            act("add_intervention", 1, session_add_intervention),
            act("remove_intervention", 1, session_remove_intervention),
        ],
    },
    Kind {
        name: "review",
        fields: &[unflagged("response")],
        read: read_review,
        actions: &[act("add", 4, review_add), act("answer", 3, review_answer)],
    },
    Kind {
        name: "referral",
        fields: &[register("status"), register("follow_up")],
        read: read_referral,
        actions: &[
            act("add", 2, referral_add),
            act("status", 1, referral_status),
            act("follow_up", 1, referral_follow_up),
        ],
    },
    Kind {
        name: "assessment",
        fields: &[],
        read: read_assessment,
        actions: &[act("add", 1, assessment_add)],
    },
    Kind {
        name: "group",
        fields: &[add_wins("members")],
        read: read_group,
        actions: &[
            act("add", 2, group_add),
            act("add_member", 2, group_add_member),
        ],
    },
    Kind {
        name: "group_session",
        fields: &[add_wins("attendance"), add_wins("flagged")],
        read: read_group_session,
        actions: &[
            act("add", 4, group_session_add),
            act("mark_present", 6, group_session_present),
            act("mark_absent", 3, group_session_absent),
            act("flag_for_referral", 2, group_session_flag),
        ],
    },
    Kind {
        name: "policy",
        fields: &[
            unflagged("auto_lock_minutes"),
            unflagged("wipe_after_failures"),
            // Each instrument's choice is a field of its own (concurrent choices for
            // different instruments both stand).
            unflagged("cutoff_set:srq-20"),
            unflagged("cutoff_set:phq-9"),
            unflagged("cutoff_set:pcl-5"),
        ],
        read: read_policy,
        actions: &[
            act("set", 1, policy_set),
            act("choose_cutoff_set", 1, policy_cutoff),
        ],
    },
    Kind {
        name: "rights_request",
        fields: &[unflagged("decision")],
        read: read_rights,
        actions: &[act("add", 1, rights_add), act("decide", 1, rights_decide)],
    },
    Kind {
        name: "access",
        fields: &[],
        read: |_, _| None,
        actions: &[act("view_client", 1, access_view)],
    },
    Kind {
        name: "erasure",
        fields: &[],
        read: read_erasure,
        actions: &[act("erase_client", 1, erase_client)],
    },
];

// ---------------------------------------------------------------------------------------------
// Clients and their household links.

fn phone(value: u16) -> String {
    format!("078{:07}", u32::from(value) * 97)
}

fn client_add(c: &mut Ctx<'_>) -> Outcome {
    let name = c.text(NAMES);
    let phone = c.picks[0].is_multiple_of(2).then(|| phone(c.value));
    let group = c.picks[1]
        .is_multiple_of(3)
        .then(|| GROUPS[usize::from(c.picks[2]) % GROUPS.len()]);
    let new = komora_core::NewClient {
        name: name.into(),
        phone: phone.clone(),
        birth_year: Some(1950 + c.value % 50),
        sex: Some(if c.picks[2].is_multiple_of(2) {
            komora_core::Sex::Female
        } else {
            komora_core::Sex::Male
        }),
        target_groups: group.iter().map(|g| g.to_string()).collect(),
        ..Default::default()
    };
    match c.vault.add_client(&new) {
        Ok(id) => {
            let mut e = vec![made("client", id, Some(id)), set(id, "name", name)];
            e.extend(phone.map(|p| set(id, "phone", p)));
            e.extend(group.map(|g| add(id, "target_groups", g)));
            Outcome::Wrote(e)
        }
        Err(e) => Outcome::Refused(e),
    }
}

fn client_rename(c: &mut Ctx<'_>) -> Outcome {
    let name = c.text(NAMES);
    on!(c, "client", |id| {
        let edit = komora_core::ClientEdit {
            name: Some(name.into()),
            ..Default::default()
        };
        done(c.vault.edit_client(id, &edit), vec![set(id, "name", name)])
    })
}

fn client_phone(c: &mut Ctx<'_>) -> Outcome {
    let p = phone(c.value);
    on!(c, "client", |id| {
        let edit = komora_core::ClientEdit {
            phone: Some(Some(p.clone())),
            ..Default::default()
        };
        done(c.vault.edit_client(id, &edit), vec![set(id, "phone", p)])
    })
}

fn client_clear_phone(c: &mut Ctx<'_>) -> Outcome {
    on!(c, "client", |id| {
        let edit = komora_core::ClientEdit {
            phone: Some(None),
            ..Default::default()
        };
        done(c.vault.edit_client(id, &edit), vec![set(id, "phone", "")])
    })
}

fn client_add_group(c: &mut Ctx<'_>) -> Outcome {
    let group = c.text(GROUPS);
    on!(c, "client", |id| {
        let had = c
            .vault
            .client(id)
            .unwrap()
            .target_groups
            .contains(&group.to_string());
        let edit = komora_core::ClientEdit {
            add_groups: vec![group.into()],
            ..Default::default()
        };
        let effects = if had {
            vec![]
        } else {
            vec![add(id, "target_groups", group)]
        };
        done(c.vault.edit_client(id, &edit), effects)
    })
}

fn client_remove_group(c: &mut Ctx<'_>) -> Outcome {
    on!(c, "client", |id| {
        let current = c.vault.client(id).unwrap().target_groups;
        let group = to_remove(c, &current, GROUPS);
        let effects = if current.contains(&group) {
            vec![remove(id, "target_groups", &group)]
        } else {
            vec![]
        };
        let edit = komora_core::ClientEdit {
            remove_groups: vec![group],
            ..Default::default()
        };
        done(c.vault.edit_client(id, &edit), effects)
    })
}

fn client_delete(c: &mut Ctx<'_>) -> Outcome {
    on!(c, "client", |id| done(
        c.vault.delete_client(id),
        vec![Effect::Deleted(id)]
    ))
}

/// Two different clients, the smaller id first (the one whose record holds their links).
fn pair(c: &Ctx<'_>) -> Option<(RecordId, RecordId)> {
    let (a, b) = (c.pick("client", 0)?, c.pick("client", 1)?);
    (a != b).then(|| (a.min(b), a.max(b)))
}

/// The links on `a`'s record that point at `b`, as stored (`b:relation`).
fn links_between(v: &Vault, a: RecordId, b: RecordId) -> Vec<String> {
    v.household(a)
        .unwrap()
        .into_iter()
        .filter(|l| l.client == b)
        .map(|l| format!("{}:{}", l.client, l.relation))
        .collect()
}

fn client_link(c: &mut Ctx<'_>) -> Outcome {
    let Some((a, b)) = pair(c) else {
        return Outcome::Skipped;
    };
    let relation = c.text(RELATIONS);
    let mut effects: Vec<Effect> = links_between(c.vault, a, b)
        .into_iter()
        .map(|v| remove(a, "links", v))
        .collect();
    effects.push(add(a, "links", format!("{b}:{relation}")));
    done(c.vault.link_clients(a, b, relation), effects)
}

fn client_unlink(c: &mut Ctx<'_>) -> Outcome {
    let Some((a, b)) = pair(c) else {
        return Outcome::Skipped;
    };
    let effects = links_between(c.vault, a, b)
        .into_iter()
        .map(|v| remove(a, "links", v))
        .collect();
    done(c.vault.unlink_clients(a, b), effects)
}

/// A link to someone who is no longer a client here is not shown (`Vault::household`).
fn link_to_no_client(v: &Vault, link: &str) -> bool {
    link.split_once(':')
        .and_then(|(id, _)| id.parse().ok())
        .is_none_or(|id| v.client(id).is_err())
}

fn read_client(v: &Vault, id: RecordId) -> Option<Shown> {
    let c = v.client(id).ok()?;
    let household = v.household(id).ok()?;
    // Links are written on the smaller id's record: the ones pointing up are this record's.
    let own: Vec<String> = household
        .iter()
        .filter(|l| l.client > id)
        .map(|l| format!("{}:{}", l.client, l.relation))
        .collect();
    let all: Vec<String> = household
        .iter()
        .map(|l| format!("{}:{}", l.client, l.relation))
        .collect();
    let location = c.location.as_ref().map(|l| {
        format!(
            "{}/{}/{}/{}",
            l.district,
            l.sector.as_deref().unwrap_or(""),
            l.cell.as_deref().unwrap_or(""),
            l.village.as_deref().unwrap_or("")
        )
    });
    Some(
        Shown::default()
            .val("name", &c.name)
            .opt("code", c.code.as_ref())
            .opt("sex", c.sex.map(|s| s.code()))
            .opt("birth_year", c.birth_year)
            .opt("phone", c.phone.as_ref())
            .opt("location", location)
            .val("created_ms", c.created_ms)
            .val("updated_ms", c.updated_ms)
            .set("target_groups", &c.target_groups)
            .set("links", &own)
            .set("household", &all)
            .conflicts(&c.conflicts),
    )
}

// ---------------------------------------------------------------------------------------------
// Consent and its withdrawal.

fn consent(c: &mut Ctx<'_>, decision: ConsentDecision) -> Outcome {
    let scope = c.text(SCOPES);
    let guardian = c.picks[1].is_multiple_of(4);
    on!(c, "client", |client| {
        let new = NewConsent {
            client,
            scope: scope.into(),
            decision,
            language: Language::Kinyarwanda,
            given_by: if guardian {
                ConsentGiver::Guardian
            } else {
                ConsentGiver::Client
            },
            guardian_name: guardian.then(|| "Mukamana Odette".into()),
            date: None,
        };
        match c.vault.add_consent(&new) {
            Ok(id) => Outcome::Wrote(vec![
                made("consent", id, Some(client)),
                set(id, "scope", scope),
                set(id, "decision", decision.code()),
            ]),
            Err(e) => Outcome::Refused(e),
        }
    })
}

fn consent_give(c: &mut Ctx<'_>) -> Outcome {
    consent(c, ConsentDecision::Given)
}

fn consent_withdraw(c: &mut Ctx<'_>) -> Outcome {
    consent(c, ConsentDecision::Withdrawn)
}

fn read_consent(v: &Vault, id: RecordId) -> Option<Shown> {
    let c = v.consent(id).ok()?;
    Some(
        Shown::default()
            .opt("client", c.client)
            .val("scope", &c.scope)
            .val("decision", c.decision.code())
            .val("language", c.language.code())
            .val("given_by", c.given_by.code())
            .opt("guardian_name", c.guardian_name.as_ref())
            .val("date", c.date)
            .val("author", c.author)
            .val("created_ms", c.created_ms),
    )
}

// ---------------------------------------------------------------------------------------------
// Cases.

fn case_open(c: &mut Ctx<'_>) -> Outcome {
    let problem = c.text(PROBLEMS);
    let two = c.picks[2].is_multiple_of(3);
    let Some(first) = c.pick("client", 0) else {
        return Outcome::Skipped;
    };
    let mut clients = vec![first];
    if two {
        clients.extend(c.pick("client", 1).filter(|o| *o != first));
    }
    clients.sort();
    let me = c.vault.device_id();
    let new = NewCase {
        clients: clients.clone(),
        problems: vec![problem.into()],
        ..Default::default()
    };
    match c.vault.add_case(&new) {
        Ok(id) => {
            // A case joins the file of the first of its clients (`store::file_for`).
            let mut e = vec![made("case", id, Some(clients[0]))];
            e.extend(clients.iter().map(|cl| add(id, "clients", cl)));
            e.push(add(id, "problems", problem));
            e.push(set(id, "status", CaseStatus::Open.code()));
            e.push(set(id, "risk_level", RiskLevel::Low.code()));
            e.push(set(id, "counsellor", me));
            Outcome::Wrote(e)
        }
        Err(e) => Outcome::Refused(e),
    }
}

fn case_status(c: &mut Ctx<'_>) -> Outcome {
    let status = CaseStatus::ALL[usize::from(c.value) % CaseStatus::ALL.len()];
    let reason = "Goals reached";
    on!(c, "case", |id| {
        let current = c.vault.case(id).unwrap();
        let closing = status == CaseStatus::Closed;
        // As `edit_case` writes it: the status if it changes; a reason with a closing, and
        // the old reason cleared when the case is not closed any more.
        let mut effects = Vec::new();
        if status != current.status {
            effects.push(set(id, "status", status.code()));
        }
        if closing {
            effects.push(set(id, "close_reason", reason));
        } else if current.close_reason.is_some() {
            effects.push(set(id, "close_reason", ""));
        }
        let edit = CaseEdit {
            status: Some(status),
            close_reason: closing.then(|| reason.into()),
            ..Default::default()
        };
        done(c.vault.edit_case(id, &edit), effects)
    })
}

/// `edit_case` with `effects`, and what it writes besides: an edit of a case that is not
/// closed clears a close reason it still shows (the closing was undone, or has not come yet).
fn edit_case(c: &mut Ctx<'_>, id: RecordId, edit: &CaseEdit, mut effects: Vec<Effect>) -> Outcome {
    let current = c.vault.case(id).unwrap();
    if edit.status.is_none()
        && current.status != CaseStatus::Closed
        && current.close_reason.is_some()
    {
        effects.push(set(id, "close_reason", ""));
    }
    done(c.vault.edit_case(id, edit), effects)
}

fn case_risk(c: &mut Ctx<'_>) -> Outcome {
    let level = [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High][usize::from(c.value) % 3];
    on!(c, "case", |id| {
        let current = c.vault.case(id).unwrap();
        let effects = if current.risk_level == level {
            vec![]
        } else {
            vec![set(id, "risk_level", level.code())]
        };
        let edit = CaseEdit {
            risk_level: Some(level),
            ..Default::default()
        };
        edit_case(c, id, &edit, effects)
    })
}

fn case_assign(c: &mut Ctx<'_>) -> Outcome {
    let counsellor = c.devices[usize::from(c.value) % c.devices.len()];
    on!(c, "case", |id| {
        let edit = CaseEdit {
            counsellor: Some(counsellor),
            ..Default::default()
        };
        edit_case(c, id, &edit, vec![set(id, "counsellor", counsellor)])
    })
}

/// An add-wins edit of a case's set: written only if it changes what this tablet shows.
fn case_set_edit(
    c: &mut Ctx<'_>,
    field: &'static str,
    current: fn(&komora_core::Case) -> Vec<String>,
    element: String,
    adding: bool,
    edit: CaseEdit,
) -> Outcome {
    on!(c, "case", |id| {
        let has = current(&c.vault.case(id).unwrap()).contains(&element);
        let effects = match (adding, has) {
            (true, false) => vec![add(id, field, &element)],
            (false, true) => vec![remove(id, field, &element)],
            _ => vec![],
        };
        edit_case(c, id, &edit, effects)
    })
}

fn case_add_problem(c: &mut Ctx<'_>) -> Outcome {
    let p = c.text(PROBLEMS);
    let edit = CaseEdit {
        add_problems: vec![p.into()],
        ..Default::default()
    };
    case_set_edit(c, "problems", |k| k.problems.clone(), p.into(), true, edit)
}

fn case_remove_problem(c: &mut Ctx<'_>) -> Outcome {
    on!(c, "case", |id| {
        let current = c.vault.case(id).unwrap().problems;
        let problem = to_remove(c, &current, PROBLEMS);
        let effects = if current.contains(&problem) {
            vec![remove(id, "problems", &problem)]
        } else {
            vec![]
        };
        let edit = CaseEdit {
            remove_problems: vec![problem],
            ..Default::default()
        };
        edit_case(c, id, &edit, effects)
    })
}

fn case_raise_flag(c: &mut Ctx<'_>) -> Outcome {
    let flag = c.text(FLAGS);
    on!(c, "case", |id| {
        let has = c
            .vault
            .case(id)
            .unwrap()
            .risk_flags
            .contains(&flag.to_string());
        let effects = if has {
            vec![]
        } else {
            vec![add(id, "risk_flags", flag)]
        };
        done(c.vault.raise_risk(id, flag), effects)
    })
}

fn case_clear_flag(c: &mut Ctx<'_>) -> Outcome {
    on!(c, "case", |id| {
        let current = c.vault.case(id).unwrap().risk_flags;
        let flag = to_remove(c, &current, FLAGS);
        done(
            c.vault.clear_risk(id, &flag),
            vec![remove(id, "risk_flags", &flag)],
        )
    })
}

fn case_add_client(c: &mut Ctx<'_>) -> Outcome {
    let Some(client) = c.pick("client", 1) else {
        return Outcome::Skipped;
    };
    let edit = CaseEdit {
        add_clients: vec![client],
        ..Default::default()
    };
    case_set_edit(
        c,
        "clients",
        |k| k.clients.iter().map(ToString::to_string).collect(),
        client.to_string(),
        true,
        edit,
    )
}

fn case_remove_client(c: &mut Ctx<'_>) -> Outcome {
    on!(c, "case", |id| {
        let clients = c.vault.case(id).unwrap().clients;
        let Some(client) = choose(&clients, c.picks[1]) else {
            return Outcome::Skipped;
        };
        let edit = CaseEdit {
            remove_clients: vec![client],
            ..Default::default()
        };
        edit_case(c, id, &edit, vec![remove(id, "clients", client)])
    })
}

fn read_case(v: &Vault, id: RecordId) -> Option<Shown> {
    let k = v.case(id).ok()?;
    Some(
        Shown::default()
            .val("status", k.status.code())
            .val("risk_level", k.risk_level.code())
            .val("counsellor", k.counsellor)
            .opt("supervisor", k.supervisor)
            .opt("close_reason", k.close_reason.as_ref())
            .val("opened", k.opened)
            .val("created_ms", k.created_ms)
            .val("updated_ms", k.updated_ms)
            .set("clients", &k.clients)
            .set("problems", &k.problems)
            .set("risk_flags", &k.risk_flags)
            .conflicts(&k.conflicts),
    )
}

// ---------------------------------------------------------------------------------------------
// Sessions and home visits.

fn session_add(c: &mut Ctx<'_>) -> Outcome {
    let modality = MODALITIES[usize::from(c.picks[1]) % MODALITIES.len()];
    let notes = c.picks[2].is_multiple_of(2).then(|| c.text(NOTES));
    let duration = c.picks[2].is_multiple_of(3).then_some(30 + c.value % 90);
    on!(c, "case", |case| {
        let participants = c.vault.case(case).unwrap().clients;
        let next = c
            .value
            .is_multiple_of(2)
            .then(|| c.vault.today().add_days(i64::from(c.value % 30)));
        let mut new = NewSession::new(case, modality);
        new.notes = notes.map(Into::into);
        new.duration_min = duration;
        new.next_appointment = next;
        match c.vault.add_session(&new) {
            Ok(id) => {
                let mut e = vec![made("session", id, c.file_of(case))];
                e.extend(participants.iter().map(|p| add(id, "participants", p)));
                e.extend(notes.map(|n| set(id, "notes", n)));
                e.extend(duration.map(|d| set(id, "duration_min", d)));
                e.extend(next.map(|d| set(id, "next_appointment", d)));
                Outcome::Wrote(e)
            }
            Err(e) => Outcome::Refused(e),
        }
    })
}

fn session_edit(
    c: &mut Ctx<'_>,
    edit: SessionEdit,
    effect: fn(RecordId, &SessionEdit) -> Effect,
) -> Outcome {
    on!(c, "session", |id| {
        let e = effect(id, &edit);
        done(c.vault.edit_session(id, &edit), vec![e])
    })
}

fn session_notes(c: &mut Ctx<'_>) -> Outcome {
    let edit = SessionEdit {
        notes: Some(c.text(NOTES).into()),
        ..Default::default()
    };
    session_edit(c, edit, |id, e| set(id, "notes", e.notes.as_ref().unwrap()))
}

fn session_duration(c: &mut Ctx<'_>) -> Outcome {
    let edit = SessionEdit {
        duration_min: Some(15 + c.value % 120),
        ..Default::default()
    };
    session_edit(c, edit, |id, e| {
        set(id, "duration_min", e.duration_min.unwrap())
    })
}

fn session_follow_up(c: &mut Ctx<'_>) -> Outcome {
    let edit = SessionEdit {
        follow_up_plan: Some(c.text(NOTES).into()),
        ..Default::default()
    };
    session_edit(c, edit, |id, e| {
        set(id, "follow_up_plan", e.follow_up_plan.as_ref().unwrap())
    })
}

fn session_next(c: &mut Ctx<'_>) -> Outcome {
    let clear = c.picks[1].is_multiple_of(4);
    let days = i64::from(c.value % 40);
    on!(c, "session", |id| {
        let date = c.vault.session(id).unwrap().date;
        let next = (!clear).then(|| date.add_days(days));
        let edit = SessionEdit {
            next_appointment: Some(next),
            ..Default::default()
        };
        let shown = next.map(|d| d.to_string()).unwrap_or_default();
        done(
            c.vault.edit_session(id, &edit),
            vec![set(id, "next_appointment", shown)],
        )
    })
}

fn session_add_intervention(c: &mut Ctx<'_>) -> Outcome {
    let i = c.text(INTERVENTIONS);
    on!(c, "session", |id| {
        let has = c
            .vault
            .session(id)
            .unwrap()
            .interventions
            .contains(&i.to_string());
        let effects = if has {
            vec![]
        } else {
            vec![add(id, "interventions", i)]
        };
        let edit = SessionEdit {
            add_interventions: vec![i.into()],
            ..Default::default()
        };
        done(c.vault.edit_session(id, &edit), effects)
    })
}

fn session_remove_intervention(c: &mut Ctx<'_>) -> Outcome {
    on!(c, "session", |id| {
        let current = c.vault.session(id).unwrap().interventions;
        let i = to_remove(c, &current, INTERVENTIONS);
        let effects = if current.contains(&i) {
            vec![remove(id, "interventions", &i)]
        } else {
            vec![]
        };
        let edit = SessionEdit {
            remove_interventions: vec![i],
            ..Default::default()
        };
        done(c.vault.edit_session(id, &edit), effects)
    })
}

fn read_session(v: &Vault, id: RecordId) -> Option<Shown> {
    let s = v.session(id).ok()?;
    Some(
        Shown::default()
            .opt("case", s.case)
            .val("date", s.date)
            .opt("duration_min", s.duration_min)
            .val("modality", &s.modality)
            .opt("notes", s.notes.as_ref())
            .opt("follow_up_plan", s.follow_up_plan.as_ref())
            .opt("next_appointment", s.next_appointment)
            .opt("safety_notes", s.safety_notes.as_ref())
            .opt("position", s.position.as_ref())
            .val("author", s.author)
            .val("created_ms", s.created_ms)
            .val("updated_ms", s.updated_ms)
            .set("participants", &s.participants)
            .set("interventions", &s.interventions)
            .set("household_present", &s.household_present)
            .conflicts(&s.conflicts),
    )
}

// ---------------------------------------------------------------------------------------------
// Reviews and the counsellor's answers.

fn review_add(c: &mut Ctx<'_>) -> Outcome {
    let verdict = Verdict::ALL[usize::from(c.value) % Verdict::ALL.len()];
    let comment = c.text(NOTES);
    let on_case = c.picks[1].is_multiple_of(3);
    let target = if on_case {
        c.pick("case", 0)
    } else {
        c.pick("session", 0)
    };
    let Some(target) = target else {
        return Outcome::Skipped;
    };
    match c.vault.add_review(target, verdict, Some(comment)) {
        Ok(id) => Outcome::Wrote(vec![
            made("review", id, c.file_of(target)),
            set(id, "verdict", verdict.code()),
            set(id, "comment", comment),
        ]),
        Err(e) => Outcome::Refused(e),
    }
}

fn review_answer(c: &mut Ctx<'_>) -> Outcome {
    let answer = c.text(NOTES);
    on!(c, "review", |id| done(
        c.vault.answer_review(id, answer),
        vec![set(id, "response", answer)]
    ))
}

fn read_review(v: &Vault, id: RecordId) -> Option<Shown> {
    let r = v.review(id).ok()?;
    Some(
        Shown::default()
            .opt("target", r.target)
            .val("verdict", r.verdict.code())
            .opt("comment", r.comment.as_ref())
            .opt("response", r.response.as_ref())
            .val("answered", r.answered)
            .val("supervisor", r.supervisor)
            .val("created_ms", r.created_ms)
            .val("updated_ms", r.updated_ms),
    )
}

// ---------------------------------------------------------------------------------------------
// Referrals.

fn referral_add(c: &mut Ctx<'_>) -> Outcome {
    let destination = c.text(DESTINATIONS);
    on!(c, "client", |client| {
        match c.vault.add_referral(&NewReferral::new(client, destination)) {
            Ok(id) => Outcome::Wrote(vec![
                made("referral", id, Some(client)),
                set(id, "status", ReferralStatus::Pending.code()),
            ]),
            Err(e) => Outcome::Refused(e),
        }
    })
}

fn referral_status(c: &mut Ctx<'_>) -> Outcome {
    let status = ReferralStatus::ALL[usize::from(c.value) % ReferralStatus::ALL.len()];
    on!(c, "referral", |id| {
        let current = c.vault.referral(id).unwrap().status;
        let effects = if current == status {
            vec![]
        } else {
            vec![set(id, "status", status.code())]
        };
        done(c.vault.update_referral(id, Some(status), None), effects)
    })
}

fn referral_follow_up(c: &mut Ctx<'_>) -> Outcome {
    let days = i64::from(c.value % 60);
    on!(c, "referral", |id| {
        let date = c.vault.referral(id).unwrap().date.add_days(days);
        done(
            c.vault.update_referral(id, None, Some(Some(date))),
            vec![set(id, "follow_up", date)],
        )
    })
}

fn read_referral(v: &Vault, id: RecordId) -> Option<Shown> {
    let r = v.referral(id).ok()?;
    Some(
        Shown::default()
            .opt("client", r.client)
            .opt("case", r.case)
            .val("destination", &r.destination)
            .opt("organisation", r.organisation.as_ref())
            .opt("reason", r.reason.as_ref())
            .val("status", r.status.code())
            .opt("follow_up", r.follow_up)
            .val("date", r.date)
            .val("author", r.author)
            .val("created_ms", r.created_ms)
            .conflicts(&r.conflicts),
    )
}

// ---------------------------------------------------------------------------------------------
// Assessments (written once).

fn assessment_add(c: &mut Ctx<'_>) -> Outcome {
    let answers: Vec<u8> = (0..9).map(|i| ((c.value >> i) & 3) as u8).collect();
    on!(c, "client", |client| {
        match c
            .vault
            .add_assessment(&NewAssessment::new(client, "phq-9", answers))
        {
            Ok((id, _)) => Outcome::Wrote(vec![made("assessment", id, Some(client))]),
            Err(e) => Outcome::Refused(e),
        }
    })
}

fn read_assessment(v: &Vault, id: RecordId) -> Option<Shown> {
    let a = v.assessment(id).ok()?;
    Some(
        Shown::default()
            .opt("client", a.client)
            .val("instrument", &a.instrument)
            .val("version", a.version)
            .val("date", a.date)
            .val("answers", format!("{:?}", a.answers))
            .opt("score", a.score)
            .opt("band", a.band.as_ref())
            .val("author", a.author)
            .val("created_ms", a.created_ms),
    )
}

// ---------------------------------------------------------------------------------------------
// Healing groups and their sessions' attendance.

fn group_add(c: &mut Ctx<'_>) -> Outcome {
    let name = ["Abiyunze", "Twiyubake", "Ubumwe"][usize::from(c.value) % 3];
    let kind = ["healing-group", "dialogue-space"][usize::from(c.picks[2]) % 2];
    let mut members: Vec<RecordId> = [c.pick("client", 0), c.pick("client", 1)]
        .into_iter()
        .flatten()
        .collect();
    members.sort();
    members.dedup();
    if members.is_empty() {
        return Outcome::Skipped; // a group starts with the people who came to its first meeting
    }
    let new = NewGroup {
        name: name.into(),
        kind: kind.into(),
        facilitators: vec!["Mukamana".into()],
        members: members.clone(),
        ..Default::default()
    };
    match c.vault.add_group(&new) {
        Ok(id) => {
            let mut e = vec![made("group", id, None)];
            e.extend(members.iter().map(|m| add(id, "members", m)));
            Outcome::Wrote(e)
        }
        Err(e) => Outcome::Refused(e),
    }
}

fn group_add_member(c: &mut Ctx<'_>) -> Outcome {
    let Some(client) = c.pick("client", 1) else {
        return Outcome::Skipped;
    };
    on!(c, "group", |id| {
        let has = c.vault.group(id).unwrap().members.contains(&client);
        let effects = if has {
            vec![]
        } else {
            vec![add(id, "members", client)]
        };
        done(c.vault.add_group_member(id, client), effects)
    })
}

fn read_group(v: &Vault, id: RecordId) -> Option<Shown> {
    let g = v.group(id).ok()?;
    Some(
        Shown::default()
            .val("name", &g.name)
            .val("kind", &g.kind)
            .val("cycle_length", g.cycle_length)
            .val("started", g.started)
            .val("author", g.author)
            .val("created_ms", g.created_ms)
            .set("facilitators", &g.facilitators)
            .set("members", &g.members)
            .conflicts(&g.conflicts),
    )
}

fn group_session_add(c: &mut Ctx<'_>) -> Outcome {
    let number = 1 + (c.value % 15) as u8;
    let notes = c.picks[1].is_multiple_of(2).then(|| c.text(NOTES));
    on!(c, "group", |group| {
        match c.vault.add_group_session(group, number, None, None, notes) {
            Ok(id) => Outcome::Wrote(vec![made("group_session", id, None)]),
            Err(e) => Outcome::Refused(e),
        }
    })
}

/// The members of a group session's group, as this tablet knows them.
fn members_of(v: &Vault, session: RecordId) -> Vec<RecordId> {
    v.group_session(session)
        .ok()
        .and_then(|s| s.group)
        .and_then(|g| v.group(g).ok())
        .map(|g| g.members)
        .unwrap_or_default()
}

fn group_session_present(c: &mut Ctx<'_>) -> Outcome {
    on!(c, "group_session", |id| {
        let Some(client) = choose(&members_of(c.vault, id), c.picks[1]) else {
            return Outcome::Skipped;
        };
        let has = c
            .vault
            .group_session(id)
            .unwrap()
            .attendance
            .contains(&client);
        let effects = if has {
            vec![]
        } else {
            vec![add(id, "attendance", client)]
        };
        done(c.vault.mark_attendance(id, client, true), effects)
    })
}

fn group_session_absent(c: &mut Ctx<'_>) -> Outcome {
    on!(c, "group_session", |id| {
        let attendance = c.vault.group_session(id).unwrap().attendance;
        let Some(client) = choose(&attendance, c.picks[1]) else {
            return Outcome::Skipped;
        };
        // Marking absent needs the client to be a member here (the group may not have come).
        if !members_of(c.vault, id).contains(&client) {
            return Outcome::Skipped;
        }
        done(
            c.vault.mark_attendance(id, client, false),
            vec![remove(id, "attendance", client)],
        )
    })
}

fn group_session_flag(c: &mut Ctx<'_>) -> Outcome {
    on!(c, "group_session", |id| {
        let s = c.vault.group_session(id).unwrap();
        let Some(client) = choose(&s.attendance, c.picks[1]) else {
            return Outcome::Skipped;
        };
        let effects = if s.flagged.contains(&client) {
            vec![]
        } else {
            vec![add(id, "flagged", client)]
        };
        done(c.vault.flag_for_referral(id, client), effects)
    })
}

fn read_group_session(v: &Vault, id: RecordId) -> Option<Shown> {
    let s = v.group_session(id).ok()?;
    Some(
        Shown::default()
            .opt("group", s.group)
            .val("number", s.number)
            .val("phase", &s.phase)
            .val("date", s.date)
            .opt("notes", s.notes.as_ref())
            .val("author", s.author)
            .val("created_ms", s.created_ms)
            .set("attendance", &s.attendance)
            .set("flagged", &s.flagged),
    )
}

// ---------------------------------------------------------------------------------------------
// The team's policy: lock, wipe, cut-off sets (administrators'; any tablet outside a team).

fn shown_minutes(v: Option<u32>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

fn policy_set(c: &mut Ctx<'_>) -> Outcome {
    let wanted = TeamPolicy {
        auto_lock_minutes: [None, Some(5), Some(15), Some(30)][usize::from(c.value) % 4],
        wipe_after_failures: [None, Some(FREE_ATTEMPTS + 5), Some(FREE_ATTEMPTS + 10)]
            [usize::from(c.picks[1]) % 3],
    };
    let current = c.vault.team_policy().unwrap();
    // The record is made whole the first time this tablet writes it (`set_team_policy`).
    let create = !c.held.contains(&POLICY_RECORD);
    let r = POLICY_RECORD;
    let mut effects = Vec::new();
    if create || current.auto_lock_minutes != wanted.auto_lock_minutes {
        effects.push(set(
            r,
            "auto_lock_minutes",
            shown_minutes(wanted.auto_lock_minutes),
        ));
    }
    if create || current.wipe_after_failures != wanted.wipe_after_failures {
        effects.push(set(
            r,
            "wipe_after_failures",
            shown_minutes(wanted.wipe_after_failures),
        ));
    }
    if create {
        effects.insert(0, made("policy", r, None));
    }
    done(c.vault.set_team_policy(&wanted), effects)
}

fn policy_cutoff(c: &mut Ctx<'_>) -> Outcome {
    let (instrument, chosen) = CUTOFFS[usize::from(c.value) % CUTOFFS.len()];
    let create = !c.held.contains(&POLICY_RECORD);
    let r = POLICY_RECORD;
    let mut effects = vec![set(r, cutoff_field(instrument), chosen.to_owned())];
    if create {
        let p = c.vault.team_policy().unwrap();
        effects.insert(0, made("policy", r, None));
        effects.push(set(
            r,
            "auto_lock_minutes",
            shown_minutes(p.auto_lock_minutes),
        ));
        effects.push(set(
            r,
            "wipe_after_failures",
            shown_minutes(p.wipe_after_failures),
        ));
    }
    done(c.vault.choose_cutoff_set(instrument, chosen), effects)
}

/// The policy's field holding an instrument's chosen set.
fn cutoff_field(instrument: &str) -> &'static str {
    match instrument {
        "srq-20" => "cutoff_set:srq-20",
        "phq-9" => "cutoff_set:phq-9",
        "pcl-5" => "cutoff_set:pcl-5",
        other => panic!("no field for {other} in the model"),
    }
}

fn read_policy(v: &Vault, id: RecordId) -> Option<Shown> {
    if id != POLICY_RECORD {
        return None;
    }
    let p = v.team_policy().ok()?;
    let choices = v.cutoff_choices().ok()?;
    let mut shown = Shown::default()
        .val("auto_lock_minutes", shown_minutes(p.auto_lock_minutes))
        .val("wipe_after_failures", shown_minutes(p.wipe_after_failures));
    for instrument in ["srq-20", "phq-9", "pcl-5"] {
        shown = shown.val(
            cutoff_field(instrument),
            choices.get(instrument).cloned().unwrap_or_default(),
        );
    }
    Some(shown)
}

// ---------------------------------------------------------------------------------------------
// A person's rights: rectification requests and objections, and their decisions.

fn rights_add(c: &mut Ctx<'_>) -> Outcome {
    let objection = c.value.is_multiple_of(2);
    on!(c, "client", |client| {
        let new = NewRightsRequest {
            client,
            right: if objection {
                Right::Objection
            } else {
                Right::Rectification
            },
            subject: if objection {
                ["statistics", "sharing"][usize::from(c.picks[1]) % 2].into()
            } else {
                "name".into()
            },
            asked_by: ConsentGiver::Client,
            request: (!objection).then(|| "My name is written wrong.".into()),
            date: None,
        };
        match c.vault.add_rights_request(&new) {
            Ok(id) => Outcome::Wrote(vec![
                made("rights_request", id, Some(client)),
                set(id, "decision", RequestDecision::Pending.code()),
            ]),
            Err(e) => Outcome::Refused(e),
        }
    })
}

fn rights_decide(c: &mut Ctx<'_>) -> Outcome {
    let decision = [
        RequestDecision::Granted,
        RequestDecision::Refused,
        RequestDecision::Withdrawn,
    ][usize::from(c.value) % 3];
    let note = (decision == RequestDecision::Refused).then_some("The record is right.");
    on!(c, "rights_request", |id| done(
        c.vault.decide_rights_request(id, decision, note),
        vec![set(id, "decision", decision.code())]
    ))
}

fn read_rights(v: &Vault, id: RecordId) -> Option<Shown> {
    let r = v.rights_request(id).ok()?;
    Some(
        Shown::default()
            .opt("client", r.client)
            .val("right", r.right.code())
            .val("subject", &r.subject)
            .opt("request", r.request.as_ref())
            .val("date", r.date)
            .val("decision", r.decision.code())
            .opt("decided_by", r.decided_by)
            .opt("decided_on", r.decided_on)
            .opt("decision_note", r.decision_note.as_ref())
            .val("author", r.author),
    )
}

// ---------------------------------------------------------------------------------------------
// The audit trail's access notes, and erasing a client's file.

fn access_view(c: &mut Ctx<'_>) -> Outcome {
    on!(c, "client", |id| match c.vault.view_client(id) {
        Ok(_) => Outcome::Untracked,
        Err(e) => Outcome::Refused(e),
    })
}

fn erase_client(c: &mut Ctx<'_>) -> Outcome {
    let reason = ERASURE_REASONS[usize::from(c.value) % ERASURE_REASONS.len()];
    on!(
        c,
        "client",
        |client| match c.vault.erase_client(client, reason) {
            Ok(e) => Outcome::Wrote(vec![made("erasure", e.id, None), Effect::Erased(client)]),
            Err(e) => Outcome::Refused(e),
        }
    )
}

fn read_erasure(v: &Vault, id: RecordId) -> Option<Shown> {
    let e = v.erasures().ok()?.into_iter().find(|e| e.id == id)?;
    Some(
        Shown::default()
            .val("client", e.client)
            .opt("date", e.date)
            .val("reason", &e.reason)
            .val("by", e.by),
    )
}
