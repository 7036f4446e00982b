//! Everything the screens read of a replica, as lines: the client list with each client's
//! histories, household, consents, timeline, referrals, requests and score trends; the
//! caseload, the review queue and the follow-ups; the groups and their sessions; erasures,
//! the team's policy and the audit trail; and every record ever made, opened by id. Two
//! replicas that hold the same operations must give the same lines.
//!
//! Clocks matter to some of it (what is due today): read replicas at the same instant.

use komora_core::{CaseloadFilter, FollowUpKind, QueueReason, Vault};

use super::kinds::by_name;
use super::model::Made;

/// Audit lines of erased files' records included: every tablet keeps the same trace of them,
/// whatever order it received things in (`tests/tests/convergence_gaps.rs`).
pub fn screens(v: &Vault, made: &[Made]) -> Vec<String> {
    let mut out = Vec::new();
    let listing = v.clients().unwrap();
    out.push(format!("unreadable clients: {:?}", listing.unreadable));
    let client = by_name("client");
    for c in &listing.items {
        let shown = (client.read)(v, c.id).map(|s| s.line()).unwrap_or_default();
        out.push(format!("client {}{shown}", c.id));
        for field in ["name", "phone", "target_groups"] {
            for e in v.client_history(c.id, field).unwrap() {
                let (what, value) = e.change.parts();
                out.push(format!(
                    "  history {field}: {what} {value:?} at {:?} {} {}",
                    e.at,
                    e.op_id,
                    e.status.code()
                ));
            }
        }
        for (scope, standing) in v.consent_status(c.id).unwrap() {
            let standing = standing.map(|s| format!("{} {} {}", s.id, s.decision.code(), s.date));
            out.push(format!("  consent {scope}: {standing:?}"));
        }
        let consents: Vec<String> = v
            .consents(c.id)
            .unwrap()
            .iter()
            .map(|k| k.id.to_string())
            .collect();
        out.push(format!("  consents {consents:?}"));
        for t in v.timeline(c.id).unwrap() {
            out.push(format!("  timeline {} {} {}", t.date, t.kind(), t.record));
        }
        let referrals: Vec<String> = v
            .referrals_of(c.id)
            .unwrap()
            .iter()
            .map(|r| r.id.to_string())
            .collect();
        out.push(format!("  referrals {referrals:?}"));
        let requests: Vec<String> = v
            .rights_requests(c.id)
            .unwrap()
            .iter()
            .map(|r| format!("{} stands={}", r.id, r.stands()))
            .collect();
        out.push(format!("  rights requests {requests:?}"));
        for t in v.measure_trends(c.id).unwrap() {
            out.push(format!(
                "  trend {} {} {:?} change={} improved={}",
                t.instrument, t.cutoff_set, t.points, t.change, t.improved
            ));
        }
    }

    let everyone = CaseloadFilter {
        everyone: true,
        include_closed: true,
        ..Default::default()
    };
    for e in v.caseload(&everyone).unwrap() {
        out.push(format!(
            "caseload {} last={:?} next={:?} referrals={}/{} due={}",
            e.case.id,
            e.last_session,
            e.next_appointment,
            e.open_referrals,
            e.overdue_referrals,
            e.follow_up_due
        ));
    }
    for item in v.review_queue().unwrap() {
        let reason = match item.reason {
            QueueReason::NotReviewed => "not reviewed".to_string(),
            QueueReason::Answered { review } => format!("answered {review}"),
        };
        out.push(format!(
            "review queue {} of {}: {reason}",
            item.session.id, item.case.id
        ));
    }
    for f in v.follow_ups(3650, true).unwrap() {
        let what = match f.kind {
            FollowUpKind::Appointment { session } => format!("appointment {session}"),
            FollowUpKind::Referral { referral } => format!("referral {referral}"),
        };
        out.push(format!(
            "follow-up {} overdue={} case={:?} client={:?} {what}",
            f.due, f.overdue, f.case, f.client
        ));
    }
    for g in v.groups().unwrap() {
        let sessions: Vec<String> = v
            .group_sessions(g.id)
            .unwrap()
            .iter()
            .map(|s| format!("{} #{} {}", s.id, s.number, s.phase))
            .collect();
        out.push(format!("group {} {:?} sessions {sessions:?}", g.id, g.name));
    }
    for e in v.erasures().unwrap() {
        out.push(format!("erasure {} of {} ({})", e.id, e.client, e.reason));
    }
    for a in v.audit_trail().unwrap() {
        out.push(format!("audit {a:?}"));
    }

    for m in made {
        let kind = by_name(m.kind);
        let line = match (kind.read)(v, m.id) {
            Some(s) => s.line(),
            None => " not shown".into(),
        };
        out.push(format!("{} {}{line}", m.kind, m.id));
        if matches!(m.kind, "case" | "session") {
            if let Ok(reviews) = v.reviews_of(m.id) {
                let ids: Vec<String> = reviews.iter().map(|r| r.id.to_string()).collect();
                out.push(format!("  reviews {ids:?}"));
            }
        }
    }
    out
}

/// The first lines where two renderings differ, for a failure message.
pub fn difference(a: &[String], b: &[String]) -> String {
    let mut out = String::new();
    let mut shown = 0;
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i), b.get(i));
        if x != y {
            out.push_str(&format!(
                "line {i}:\n  replica 0: {}\n  other:     {}\n",
                x.map_or("(none)", String::as_str),
                y.map_or("(none)", String::as_str)
            ));
            shown += 1;
            if shown == 6 {
                break;
            }
        }
    }
    out
}
