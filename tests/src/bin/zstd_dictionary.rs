//! Makes the compression dictionary from the repository's made-up records alone (issue 20,
//! ADR 0021): `cargo run -p komora-scenarios --bin zstd_dictionary -- core/data/zstd/v1.dict`.
//! The same seed, record count and size give the same bytes, so anyone can check that the
//! dictionary shipped was made this way and from nothing else (`--check FILE` says whether
//! FILE is what this makes).

use komora_core::size_study::training_samples;

/// The settings of dictionary version 1 (core/data/zstd/README.md).
const SEED: u64 = 20;
const RECORDS: usize = 4_000;
const DICT_BYTES: usize = 32 * 1024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (check, path) = match args.as_slice() {
        [flag, path] if flag == "--check" => (true, path.clone()),
        [path] => (false, path.clone()),
        _ => {
            eprintln!("usage: zstd_dictionary [--check] FILE");
            std::process::exit(2);
        }
    };
    let samples = training_samples(SEED, RECORDS);
    let bytes: usize = samples.iter().map(Vec::len).sum();
    let dict = zstd::dict::from_samples(&samples, DICT_BYTES).expect("zstd trains a dictionary");
    eprintln!(
        "{} samples, {} bytes of made-up records -> {} byte dictionary",
        samples.len(),
        bytes,
        dict.len()
    );
    if check {
        let shipped = std::fs::read(&path).expect("read the shipped dictionary");
        if shipped != dict {
            eprintln!("{path} is not what the generator makes");
            std::process::exit(1);
        }
        eprintln!("{path} is what the generator makes");
    } else {
        std::fs::write(&path, &dict).expect("write the dictionary");
    }
}
