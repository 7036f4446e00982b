//! # komora-core
//!
//! The core of Komora, an offline-first case-work app for the counsellors of AMI: an encrypted
//! local store, the record model and the conflict-free merge of edits made on several devices.
//!
//! Start from [`Vault`]: create or open one with a passphrase, record and read clients, and
//! exchange operations with other replicas ([`Vault::summary`], [`Vault::ops_missing_from`],
//! [`Vault::apply_ops`]). ARCHITECTURE.md gives the map and the invariants.

#[cfg(feature = "insider-attacks")]
#[doc(hidden)]
pub mod attacks;
mod casework;
mod client;
pub mod compress;
mod crypto;
mod drafts;
mod error;
mod exchange;
pub mod format;
mod history;
mod hlc;
mod ids;
mod kdf;
mod kind;
mod location;
mod lockout;
mod merge;
mod op;
mod parallel;
mod practice;
mod registry;
mod remote;
mod roster;
mod search;
pub mod size_study;
mod store;
pub mod synthetic;
mod target_groups;
mod value;
mod vault;

pub use casework::abilities::{Abilities, Home, ReviewStanding};
pub use casework::audit::{AuditAction, AuditEntry};
pub use casework::case::{Case, CaseEdit, CaseStatus, NewCase, RiskLevel};
pub use casework::consent::{
    Consent, ConsentDecision, ConsentGiver, Language, NewConsent, CONSENT_AGE,
};
pub use casework::cutoffs::{cutoff_set, cutoff_sets, CutoffReview, CutoffSet};
pub use casework::date::Date;
pub use casework::erasure::{Erasure, ERASURE_REASONS};
pub use casework::export::{export_texts, ClientExport, Passage, PassageReason, Redaction};
pub use casework::exposure::{ExposedFile, Exposure};
pub use casework::group::{Group, GroupSession, NewGroup, DEFAULT_CYCLE};
pub use casework::household::Link;
pub use casework::instrument::{
    instrument, instruments, latest_instrument, Alert, AnswerOption, Band, Instrument, Item, Score,
    Scoring, Translated,
};
pub use casework::lists::{lists, Lists, Term};
pub use casework::measure::{Assessment, NewAssessment, Trend};
pub use casework::packs::{translatable_texts, ContentPack, PackText, TextStatus, MAX_PACK_BYTES};
pub use casework::po::{pack_from_po, MAX_PO_BYTES};
pub use casework::policy::{TeamPolicy, MAX_AUTO_LOCK_MINUTES};
pub use casework::queries::{
    CaseloadEntry, CaseloadFilter, FollowUp, FollowUpKind, QueueReason, ReviewQueueItem,
    TimelineEntry, TimelineEvent,
};
pub use casework::referral::{NewReferral, Referral, ReferralStatus};
pub use casework::report::{age_band, to_csv, ReportOptions, ReportRow, SUPPRESS_BELOW};
pub use casework::report_page::report_page;
pub use casework::retention::{retention_rules, RetentionDue, RetentionRule, RetentionRules};
pub use casework::review::{Review, Verdict};
pub use casework::rights::{
    NewRightsRequest, RequestDecision, Right, RightsRequest, OBJECTION_PURPOSES, RECTIFIABLE_FIELDS,
};
pub use casework::session::{
    session_minutes, NewSession, Session, SessionEdit, SESSION_MINUTES_MAX,
};
pub use casework::transfer::Transfer;
pub use client::{Client, ClientEdit, Listing, NewClient, Sex, CLIENT_FIELDS, CLIENT_SET_FIELDS};
pub use drafts::{Draft, MAX_DRAFTS, MAX_DRAFT_BYTES};
pub use error::{Error, Result};
pub use history::{EntryStatus, HistoryChange, HistoryEntry};
pub use hlc::{Hlc, SystemClock, TimeSource, MAX_DRIFT_MS};
pub use ids::{DeviceId, OpId, RecordId};
pub use kdf::KdfParams;
pub use komora_protocol::code::{enrolment_link, parse_enrolment_link, EnrolmentLink};
pub use komora_protocol::pin::CertificatePin;
pub use komora_protocol::{DeviceInfo, Role};
pub use location::{AdminUnits, Location, LocationInput};
pub use lockout::FREE_ATTEMPTS;
pub use merge::Seen;
pub use op::{decode_batch, encode_batch, OpEnvelope, MAX_BATCH_BYTES, MAX_ENVELOPE_BYTES};
pub use practice::{fill as fill_practice, PRACTICE_CLIENTS, PRACTICE_CODE_PREFIX};
#[cfg(feature = "http")]
pub use remote::http::HttpTransport;
pub use remote::transport::{Transport, TransportError};
pub use remote::{
    sync_shared, BackupState, Fleet, FleetDevice, FormatRaise, Invitation, SyncOptions, SyncPhase,
    SyncProgress, SyncReport, SyncSettings, SyncStatus, VaultCell,
};
pub use roster::RosterDevice;
pub use search::fold;
pub use store::{ApplyReport, Contested, ContestedPair, RejectReason, Rejected, Summary};
pub use target_groups::{target_groups, TargetGroup};
pub use value::Value;
pub use vault::{PlatformKeyWrapper, TeamKeys, Vault, VaultOptions, MIN_PASSPHRASE_CHARS};
