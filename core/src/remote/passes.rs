//! The progressive first sync (issue 20, item 3; ADR 0025). A tablet far behind (a new one,
//! or one back after weeks away) reads the stream in two passes over the same stretch: first
//! what its screens need (clients, cases, consents, referrals, reviews, short sessions), then
//! the long text (sessions carrying notes), which its sender marked with a coarse priority
//! class in the clear routing metadata of its push. The caseload is usable after the first
//! pass; the screens say how many notes are still arriving.
//!
//! What is saved, beside the pull cursor (which the first pass moves as ever): the stretch the
//! first pass stepped over (`from`, `to`), where the second pass stands in it, and how many
//! operations it still waits for. Nothing is ever skipped: the stretch is widened before the
//! cursor moves past it (a cut between the two leaves a wider stretch, read again, never a
//! gap), and a reconciliation (issue 17) that moves the cursor drops the stretch and puts the
//! cursor back at its start at the latest.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::{OpId, RecordId};
use crate::vault::Vault;
use komora_protocol::Priority;

const META: &str = "sync_passes";

/// How far behind (operations of the stream) a tablet reads in two passes: below it, one pass
/// costs no more and the screens are filled within a page or two anyway.
pub(crate) const FAR_BEHIND: u64 = 300;

/// A sealed envelope larger than the padding floor by more than this, of a kind that carries
/// notes, is long text: a session without notes (or with a line or two) is padded to the
/// floor and sealed within about 50 bytes above it (the header, nonce, tag and signature's
/// framing); one with a note of a few hundred characters, compressed, lands a padding step
/// or more above. Follows the floor of the team's format (ADR 0022).
const LONG_TEXT_ABOVE_FLOOR: usize = 128;

/// Which pass the stretch is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Phase {
    /// Reading what the screens need; the pull cursor moves, `to` follows it.
    Screens,
    /// Reading the long text of (`from`, `to`], from `at` on.
    LongText,
}

/// The stretch a first pass stepped over, and where its second pass stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Passes {
    pub(crate) phase: Phase,
    /// The pull cursor when the first pass began, and the operation read there.
    pub(crate) from: u64,
    pub(crate) from_op: Option<[u8; 16]>,
    /// How far the first pass has read (at least).
    pub(crate) to: u64,
    /// Where the second pass stands, and the operation read there.
    pub(crate) at: u64,
    pub(crate) at_op: Option<[u8; 16]>,
    /// Operations of the long-text class the first pass stepped over and the second has not
    /// brought yet (what the screens show as still arriving).
    pub(crate) waiting: u64,
    /// The first pass's last page counted in `waiting`: where it began and how many it
    /// counted. The count is saved before the page's cursor is (never a gap), so a sync cut
    /// between the two reads the page again: it then replaces its count instead of adding it
    /// twice. Absent in stretches saved by an app from before.
    #[serde(default)]
    pub(crate) last_counted: Option<(u64, u64)>,
}

impl Passes {
    /// A first pass beginning at the pull cursor `from`, where the stream held `from_op`.
    pub(crate) fn begin(from: u64, from_op: Option<OpId>) -> Self {
        let from_op = from_op.map(|o| *o.as_bytes());
        Passes {
            phase: Phase::Screens,
            from,
            from_op,
            to: from,
            at: from,
            at_op: from_op,
            waiting: 0,
            last_counted: None,
        }
    }

    /// Count the notes a first-pass page beginning at `after` stepped over (`deferred`), once
    /// whatever how many times the page is read.
    pub(crate) fn count_deferred(&mut self, after: u64, deferred: u64) {
        if let Some((at, counted)) = self.last_counted {
            if at == after {
                self.waiting = self.waiting.saturating_sub(counted);
            }
        }
        // The server's count: a lying one's must not overflow (it is a count on a screen).
        self.waiting = self.waiting.saturating_add(deferred);
        self.last_counted = Some((after, deferred));
    }
}

impl Vault {
    /// The two-pass stretch under way, if any.
    pub(crate) fn passes(&self) -> Result<Option<Passes>> {
        Ok(self
            .store
            .meta(META)?
            .filter(|b| !b.is_empty())
            .and_then(|b| serde_json::from_slice(&b).ok()))
    }

    pub(crate) fn save_passes(&mut self, passes: Option<&Passes>) -> Result<()> {
        let bytes = passes.map_or_else(Vec::new, |p| {
            serde_json::to_vec(p).expect("numbers always serialise")
        });
        self.store.set_meta(META, &bytes)
    }

    /// Session notes this tablet knows the server holds for it and has not received yet: its
    /// first sync (or one after long away) brought what the screens need first, and the
    /// notes follow. Zero once they are all here; a page read again after a cut sync counts
    /// once.
    pub fn notes_still_arriving(&self) -> Result<u64> {
        Ok(self.passes()?.map_or(0, |p| p.waiting))
    }

    /// The team's padding floor (`op::pad_floor`), which the priority classes are read against.
    pub(crate) fn push_floor(&self) -> Result<usize> {
        Ok(crate::op::pad_floor(self.store.team_format()?))
    }

    /// The priority class to mark on an envelope of `record` when it is pushed: long text
    /// for a large one of a kind that carries notes, the screens' class for everything else.
    /// The kind is read from the record's id (ADR 0015's kind tags), so nothing is opened; an
    /// id from before the tags gets the screens' class (never held back). `floor` is the
    /// team's padding floor (`op::pad_floor`), read once per push.
    pub(crate) fn priority_of(
        &self,
        record: RecordId,
        envelope_len: usize,
        floor: usize,
    ) -> Priority {
        let long = envelope_len > floor + LONG_TEXT_ABOVE_FLOOR
            && record
                .tagged_kind()
                .is_some_and(|kind| self.store.kinds().get(kind).long_text);
        if long {
            Priority::LongText
        } else {
            Priority::Screens
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Passes;

    /// A 2G sync cut after a first-pass page was counted but before its cursor was saved
    /// reads the page again: the screen's "notes still arriving" counts its notes once.
    #[test]
    fn a_page_read_again_after_a_cut_counts_its_notes_once() {
        let mut p = Passes::begin(100, None);
        p.count_deferred(100, 40);
        p.count_deferred(180, 25);
        // Cut: the cursor stayed at 180; the page is read again (it may now be cut shorter).
        p.count_deferred(180, 20);
        assert_eq!(p.waiting, 60);
        p.count_deferred(250, 5);
        assert_eq!(p.waiting, 65);
    }

    /// A lying server says a page stepped over more notes than a number holds: the count
    /// stays at its largest instead of overflowing (a panic in a checked build).
    #[test]
    fn a_lying_servers_count_of_notes_does_not_overflow() {
        let mut p = Passes::begin(0, None);
        p.count_deferred(0, u64::MAX);
        p.count_deferred(10, u64::MAX);
        assert_eq!(p.waiting, u64::MAX);
    }

    /// Only sessions wait for the second pass: clients, cases and reviews are what the
    /// screens need first, whatever their size.
    #[test]
    fn only_sessions_carry_long_text() {
        let long: Vec<&str> = crate::registry::KINDS
            .iter()
            .filter(|k| k.long_text)
            .map(|k| k.name)
            .collect();
        assert_eq!(long, [crate::casework::session::KIND]);
    }
}
