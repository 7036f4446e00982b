//! Case-work records as JSON objects: what `--json` prints, and what the text output lays out.

use komora_core::{
    Assessment, Case, CaseloadEntry, Consent, Date, FollowUp, FollowUpKind, Group, GroupSession,
    QueueReason, RecordId, Referral, Review, ReviewQueueItem, Session, TimelineEntry,
    TimelineEvent, Trend,
};
use serde_json::{json, Value as Json};

use super::opt_date;
use crate::output::iso8601;

fn id_list(ids: &[RecordId]) -> Vec<String> {
    ids.iter().map(RecordId::to_string).collect()
}

pub fn case(c: &Case) -> Json {
    json!({
        "id": c.id.to_string(),
        "clients": id_list(&c.clients),
        "problems": c.problems,
        "status": c.status.code(),
        "close_reason": c.close_reason,
        "risk_level": c.risk_level.code(),
        "risk_flags": c.risk_flags,
        "counsellor": c.counsellor.to_string(),
        "supervisor": c.supervisor.map(|d| d.to_string()),
        "opened": c.opened.to_string(),
        "conflicts": c.conflicts,
        "updated": iso8601(c.updated_ms),
    })
}

pub fn session(s: &Session) -> Json {
    json!({
        "id": s.id.to_string(),
        "case": s.case.map(|c| c.to_string()),
        "date": s.date.to_string(),
        "modality": s.modality,
        "duration_min": s.duration_min,
        "participants": id_list(&s.participants),
        "interventions": s.interventions,
        "notes": s.notes,
        "follow_up_plan": s.follow_up_plan,
        "next_appointment": opt_date(s.next_appointment),
        "household_present": s.household_present,
        "safety_notes": s.safety_notes,
        "position": s.position,
        "author": s.author.to_string(),
        "conflicts": s.conflicts,
    })
}

pub fn assessment(a: &Assessment) -> Json {
    json!({
        "id": a.id.to_string(),
        "instrument": a.instrument,
        "version": a.version,
        "date": a.date.to_string(),
        "score": a.score,
        "band": a.band,
        "case": a.case.map(|c| c.to_string()),
        "session": a.session.map(|s| s.to_string()),
    })
}

pub fn trend(t: &Trend) -> Json {
    json!({
        "instrument": t.instrument,
        "points": t.points.iter().map(|(d, s, b)| json!({"date": d.to_string(), "score": s, "band": b})).collect::<Vec<_>>(),
        "change": t.change,
        "improved": t.improved,
    })
}

pub fn referral(r: &Referral, today: Date) -> Json {
    json!({
        "id": r.id.to_string(),
        "client": r.client.map(|c| c.to_string()),
        "case": r.case.map(|c| c.to_string()),
        "destination": r.destination,
        "organisation": r.organisation,
        "reason": r.reason,
        "status": r.status.code(),
        "date": r.date.to_string(),
        "follow_up": opt_date(r.follow_up),
        "overdue": r.is_overdue(today),
    })
}

pub fn consent(c: &Consent) -> Json {
    json!({
        "id": c.id.to_string(),
        "scope": c.scope,
        "decision": c.decision.code(),
        "language": c.language.code(),
        "given_by": c.given_by.code(),
        "date": c.date.to_string(),
    })
}

pub fn review(r: &Review) -> Json {
    json!({
        "id": r.id.to_string(),
        "target": r.target.map(|t| t.to_string()),
        "verdict": r.verdict.code(),
        "comment": r.comment,
        "response": r.response,
        "answered": r.answered,
        "supervisor": r.supervisor.to_string(),
        "at": iso8601(r.created_ms),
    })
}

pub fn queue_item(i: &ReviewQueueItem) -> Json {
    json!({
        "session": i.session.id.to_string(),
        "case": i.case.id.to_string(),
        "date": i.session.date.to_string(),
        "modality": i.session.modality,
        "urgent": i.case.is_urgent(),
        "risk_flags": i.case.risk_flags,
        "reason": match &i.reason {
            QueueReason::NotReviewed => "not reviewed".to_owned(),
            QueueReason::Answered { review } => format!("answered review {review}"),
        },
    })
}

pub fn group(g: &Group) -> Json {
    json!({
        "id": g.id.to_string(),
        "name": g.name,
        "kind": g.kind,
        "facilitators": g.facilitators,
        "members": id_list(&g.members),
        "cycle_length": g.cycle_length,
        "started": g.started.to_string(),
    })
}

pub fn group_session(s: &GroupSession) -> Json {
    json!({
        "id": s.id.to_string(),
        "group": s.group.map(|g| g.to_string()),
        "number": s.number,
        "phase": s.phase,
        "date": s.date.to_string(),
        "notes": s.notes,
        "attendance": id_list(&s.attendance),
        "flagged": id_list(&s.flagged),
    })
}

pub fn caseload_entry(e: &CaseloadEntry) -> Json {
    json!({
        "case": e.case.id.to_string(),
        "clients": id_list(&e.case.clients),
        "status": e.case.status.code(),
        "risk_level": e.case.risk_level.code(),
        "risk_flags": e.case.risk_flags,
        "last_session": opt_date(e.last_session),
        "next_appointment": opt_date(e.next_appointment),
        "open_referrals": e.open_referrals,
        "overdue_referrals": e.overdue_referrals,
        "follow_up_due": e.follow_up_due,
    })
}

pub fn timeline_entry(e: &TimelineEntry, today: Date) -> Json {
    let detail = match &e.event {
        TimelineEvent::CaseOpened(c) => case(c),
        TimelineEvent::Session(s) => session(s),
        TimelineEvent::Assessment(a) => assessment(a),
        TimelineEvent::Referral(r) => referral(r, today),
        TimelineEvent::Consent(c) => consent(c),
        TimelineEvent::GroupSession(g) => group_session(g),
    };
    json!({ "date": e.date.to_string(), "kind": e.kind(), "record": e.record.to_string(), "detail": detail })
}

pub fn follow_up(f: &FollowUp) -> Json {
    let (kind, record) = match f.kind {
        FollowUpKind::Appointment { session } => ("appointment", session),
        FollowUpKind::Referral { referral } => ("referral", referral),
    };
    json!({
        "due": f.due.to_string(),
        "overdue": f.overdue,
        "kind": kind,
        "record": record.to_string(),
        "case": f.case.map(|c| c.to_string()),
        "client": f.client.map(|c| c.to_string()),
    })
}
