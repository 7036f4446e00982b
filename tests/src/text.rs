//! Session notes for the size and link measures (issue 20): made up by the generator
//! (`komora_core::synthetic`, English, Kinyarwanda-like and French sentences mixed as AMI's
//! counsellors write; the compression dictionary was trained on it, so it flatters
//! compression) or cut from held-out public-domain prose in English, French and Kinyarwanda
//! (`core/data/heldout/`, which the dictionary never saw: the honest figure).

use komora_core::synthetic::Writer;

/// Which notes a measure writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notes {
    /// The generator's (trained on: flatters).
    Generator,
    /// Held-out prose, the three languages in turn.
    HeldOut,
}

impl std::str::FromStr for Notes {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "generator" => Ok(Notes::Generator),
            "heldout" | "held-out" => Ok(Notes::HeldOut),
            other => Err(format!("notes are `generator` or `heldout`, not {other}")),
        }
    }
}

/// The held-out prose, by language.
pub const HELD_OUT: [(&str, &str); 3] = [
    ("English", include_str!("../../core/data/heldout/en.txt")),
    ("French", include_str!("../../core/data/heldout/fr.txt")),
    (
        "Kinyarwanda",
        include_str!("../../core/data/heldout/rw.txt"),
    ),
];

/// Cut prose into notes of 300-800 characters at word boundaries (seeded).
pub fn notes_from(text: &str, seed: u64) -> Vec<String> {
    let mut w = Writer::new(seed);
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let target = 300 + w.below(501) as usize;
        let mut note = String::new();
        while i < words.len() && note.chars().count() + words[i].chars().count() < target.min(800) {
            if !note.is_empty() {
                note.push(' ');
            }
            note.push_str(words[i]);
            i += 1;
        }
        if note.chars().count() >= 300 {
            out.push(note);
        } else if note.is_empty() {
            i += 1;
        }
    }
    out
}

/// An endless supply of notes of one sort, seeded. Held-out notes come round again once all
/// are used (each operation is compressed on its own, so a note seen before costs the same).
pub struct NoteSource {
    notes: Notes,
    writer: Writer,
    held_out: Vec<String>,
    next: usize,
}

impl NoteSource {
    pub fn new(notes: Notes, seed: u64) -> Self {
        let held_out = match notes {
            Notes::Generator => Vec::new(),
            Notes::HeldOut => {
                // The languages interleaved, so any run mixes all three.
                let per: Vec<Vec<String>> = HELD_OUT
                    .iter()
                    .enumerate()
                    .map(|(i, (_, text))| notes_from(text, seed + i as u64))
                    .collect();
                let longest = per.iter().map(Vec::len).max().unwrap_or(0);
                (0..longest)
                    .flat_map(|k| per.iter().filter_map(move |l| l.get(k).cloned()))
                    .collect()
            }
        };
        NoteSource {
            notes,
            writer: Writer::new(seed),
            held_out,
            next: 0,
        }
    }

    pub fn note(&mut self) -> String {
        match self.notes {
            Notes::Generator => self.writer.note(),
            Notes::HeldOut => {
                let note = self.held_out[self.next % self.held_out.len()].clone();
                self.next += 1;
                note
            }
        }
    }
}
