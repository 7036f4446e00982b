//! The line of sync progress a person watches on a terminal. indicatif draws it on stderr:
//! rewritten in place at most 20 times a second (a fast sync sends hundreds of updates), cut
//! to the terminal's width, and not drawn at all where stderr is not a terminal, so scripts
//! and CI read only the result.

use indicatif::{BinaryBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};
use komora_core::{SyncPhase, SyncProgress};

pub struct ProgressLine {
    bar: ProgressBar,
    shown: bool,
}

impl ProgressLine {
    /// A line on stderr when `wanted` (not for `--json`) and stderr is a terminal.
    pub fn new(wanted: bool) -> Self {
        let target = if wanted {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let style = ProgressStyle::with_template("{wide_msg}")
            .expect("the progress line's template is valid");
        Self {
            bar: ProgressBar::with_draw_target(None, target).with_style(style),
            shown: false,
        }
    }

    pub fn show(&mut self, p: &SyncProgress) {
        if self.bar.is_hidden() {
            return;
        }
        // One message per update, so the line is drawn once for it.
        let (phase, counts) = line(p);
        self.bar.set_message(format!("{phase:<9} {counts}"));
        self.shown = true;
    }

    /// Leave the last line in place and move below it (nothing if nothing was drawn).
    pub fn finish(&self) {
        if self.shown {
            self.bar.finish();
        }
    }
}

/// The phase, then what went each way and what still waits: bytes in B, KiB or MiB, since on
/// a 2G link a few hundred bytes are worth seeing.
fn line(p: &SyncProgress) -> (&'static str, String) {
    let phase = match p.phase {
        SyncPhase::Pushing => "sending",
        SyncPhase::Pulling => "receiving",
        SyncPhase::Done => "done",
    };
    // A long first sync says how much it brings in all, about (ADR 0025).
    let of = match p.expected {
        0 => String::new(),
        n => format!(" of about {n}"),
    };
    let counts = format!(
        "sent {} ({}) · received {}{of} ({}) · {} waiting",
        p.sent_ops,
        BinaryBytes(p.sent_bytes),
        p.received_ops,
        BinaryBytes(p.received_bytes),
        p.waiting
    );
    (phase, counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_what_went_each_way_in_readable_sizes() {
        let p = SyncProgress {
            phase: SyncPhase::Pulling,
            sent_ops: 3,
            sent_bytes: 800,
            received_ops: 120,
            received_bytes: 48 * 1024 + 512,
            waiting: 0,
            expected: 0,
        };
        assert_eq!(
            line(&p),
            (
                "receiving",
                "sent 3 (800 B) · received 120 (48.50 KiB) · 0 waiting".to_owned()
            )
        );
        let long = SyncProgress {
            expected: 2_975,
            ..p
        };
        assert_eq!(
            line(&long).1,
            "sent 3 (800 B) · received 120 of about 2975 (48.50 KiB) · 0 waiting"
        );
    }

    #[test]
    fn nothing_is_drawn_for_json_output() {
        let mut line = ProgressLine::new(false);
        line.show(&SyncProgress {
            phase: SyncPhase::Pushing,
            sent_ops: 1,
            sent_bytes: 1,
            received_ops: 0,
            received_bytes: 0,
            waiting: 1,
            expected: 0,
        });
        assert!(!line.shown);
    }
}
