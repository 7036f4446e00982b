//! What compressing before sealing saves (issue 20, ADR 0021): for session notes of 300-800
//! characters, the text alone and the sealed operation (body, signature, padding, seal) as
//! the server stores it, today and packed (stored, zstd alone, zstd with dictionary v1), on
//! the generator's own text (which the dictionary was trained on: it flatters) and on
//! held-out public-domain prose in English, French and Kinyarwanda (core/data/heldout/).
//! Also a one-field edit and a new client. `cargo run --release -p komora-scenarios --bin
//! compression`; prints markdown tables.

use komora_core::compress::Packing;
use komora_core::size_study::{
    client_sizes, edit_sizes, packed_len, session_sizes, unit_edit_bytes, unit_first_pass, Sealing,
};
use komora_core::synthetic::Writer;
use komora_scenarios::text::{notes_from, HELD_OUT};

const SEALINGS: [Sealing; 4] = [
    Sealing::Today,
    Sealing::Packed(Packing::Stored),
    Sealing::Packed(Packing::Zstd),
    Sealing::Packed(Packing::Dictionary(1)),
];

fn ratio(a: usize, b: usize) -> String {
    format!("{:.2}x", a as f64 / b as f64)
}

fn main() {
    let generated: Vec<String> = {
        // Another seed than the dictionary's (20): the same sentences, other draws.
        let mut w = Writer::new(7_777);
        (0..200).map(|_| w.note()).collect()
    };
    let sources: Vec<(&str, Vec<String>)> = vec![
        ("generator (trained on: flatters)", generated),
        ("held-out English", notes_from(HELD_OUT[0].1, 1)),
        ("held-out French", notes_from(HELD_OUT[1].1, 2)),
        ("held-out Kinyarwanda", notes_from(HELD_OUT[2].1, 3)),
    ];
    println!("## The note text alone (bytes, mean per note)\n");
    println!("| text | notes | text | zstd | zstd + dictionary v1 |");
    println!("|---|---|---|---|---|");
    for (name, notes) in &sources {
        let n = notes.len();
        let raw: usize = notes.iter().map(String::len).sum();
        let z: usize = notes
            .iter()
            .map(|t| packed_len(t.as_bytes(), Packing::Zstd))
            .sum();
        let d: usize = notes
            .iter()
            .map(|t| packed_len(t.as_bytes(), Packing::Dictionary(1)))
            .sum();
        println!(
            "| {name} | {n} | {} | {} ({}) | {} ({}) |",
            raw / n,
            z / n,
            ratio(z, raw),
            d / n,
            ratio(d, raw)
        );
    }
    println!("\n## A session carrying the note, sealed as the server stores it (bytes, mean)\n");
    println!("| text | today | packed, stored | zstd | zstd + dictionary v1 |");
    println!("|---|---|---|---|---|");
    for (name, notes) in &sources {
        let mut sums = [0usize; 4];
        for (i, note) in notes.iter().enumerate() {
            for (s, size) in sums
                .iter_mut()
                .zip(session_sizes(i as u64, note, &SEALINGS))
            {
                *s += size;
            }
        }
        let n = notes.len();
        println!(
            "| {name} | {} | {} ({}) | {} ({}) | {} ({}) |",
            sums[0] / n,
            sums[1] / n,
            ratio(sums[1], sums[0]),
            sums[2] / n,
            ratio(sums[2], sums[0]),
            sums[3] / n,
            ratio(sums[3], sums[0])
        );
    }
    // What sealing costs on this machine (a tablet is several times slower): one session at
    // a time, as a counsellor saves them.
    println!("\n## Time to seal one session (this machine, mean of 500)\n");
    println!("| sealing | time |");
    println!("|---|---|");
    let note = &sources[1].1[0];
    for (name, sealing) in [
        ("today", SEALINGS[0]),
        ("zstd + dictionary v1", SEALINGS[3]),
    ] {
        let start = std::time::Instant::now();
        for i in 0..500 {
            std::hint::black_box(session_sizes(i, note, &[sealing]));
        }
        println!(
            "| {name} | {:.2} ms |",
            start.elapsed().as_secs_f64() * 1000.0 / 500.0
        );
    }
    println!("\n## Small operations (bytes, sealed; mean of 200)\n");
    println!("| operation | today | packed, stored | zstd | zstd + dictionary v1 |");
    println!("|---|---|---|---|---|");
    for (name, f) in [
        (
            "one-field edit",
            edit_sizes as fn(u64, &[Sealing]) -> Vec<usize>,
        ),
        ("new client (without its file keys)", client_sizes),
    ] {
        let mut sums = [0usize; 4];
        for seed in 0..200 {
            for (s, size) in sums.iter_mut().zip(f(seed, &SEALINGS)) {
                *s += size;
            }
        }
        println!(
            "| {name} | {} | {} | {} | {} |",
            sums[0] / 200,
            sums[1] / 200,
            sums[2] / 200,
            sums[3] / 200
        );
    }
    // What sealing operations together would save (ADR 0029, proposed, not built): today's
    // packed bodies, one seal, signature and padding per unit.
    println!(
        "\n## Operations sealed together in one unit (ADR 0029, estimate from today's bodies)\n"
    );
    println!("| | bytes on the wire |");
    println!("|---|---|");
    for n in [1, 2, 5, 10, 20, 50] {
        let mut per_edit: Vec<(usize, usize)> =
            (0..20).map(|s| unit_edit_bytes(s * 100, n)).collect();
        per_edit.sort();
        println!(
            "| one-field edits of {n} clients in one unit, per edit (median of 20; alone today {}) | {} |",
            per_edit[10].1, per_edit[10].0
        );
    }
    let (today, units) = unit_first_pass(7, 200);
    println!(
        "| 200 new clients' small operations (keys, fields, two consents, a case), each alone today | {today} |"
    );
    println!(
        "| the same, one unit per client | {units} ({:.2}x) |",
        units as f64 / today as f64
    );
}
