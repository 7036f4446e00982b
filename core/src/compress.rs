//! Compressing what is sealed (issue 20, ADR 0021): an operation's body and its sealed parts
//! are compressed with zstd before they are padded and sealed, with a static dictionary that
//! ships with the app (`core/data/zstd/`), trained only on the made-up text of
//! [`crate::synthetic`].
//!
//! Each compressed unit starts with one byte that names how it was packed: stored as it is,
//! zstd alone, or zstd with dictionary version N. A later dictionary takes a new number and
//! the old ones stay in the app, so every body ever written still opens.
//!
//! Three rules keep compression from leaking one record's text through another's size (the
//! CRIME/BREACH family, Kelsey 2002): every unit is compressed on its own, as a zstd frame of
//! its own, so no text of one operation shapes another's size (a context is kept per thread
//! and reused; each frame starts from nothing but the dictionary, and a test pins that a
//! reused context writes exactly what a fresh one does); the dictionary is static and made
//! from no real record; and the result is padded (Padmé, ADR 0015) after compression.
//! Decompression is bounded: a unit that says or tries to expand past the operation size
//! limit is refused before anything is allocated for it.

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The first byte of a packed unit: stored as it is.
const STORED: u8 = 0x00;
/// zstd without a dictionary (the measures compare it; writers may use it when it is
/// smaller than with the dictionary).
const ZSTD: u8 = 0x01;
/// zstd with dictionary version `v` is `DICT_BASE + v`.
pub(crate) const DICT_BASE: u8 = 0x10;

/// The newest dictionary this app writes with.
pub const DICTIONARY_VERSION: u8 = 1;

/// zstd's level: bodies are small (under a few KiB), so the strongest levels cost
/// milliseconds at most on a tablet, and every byte saved is link time on 2G.
const LEVEL: i32 = 19;

/// zstd's level for a first, quick try ([`Effort::Quick`]).
const LEVEL_QUICK: i32 = 3;

/// How hard to compress. A new operation that fits under the padding floor is padded to the
/// floor whatever its compressed size, so for it the strongest level buys no byte on the
/// link: it is packed quickly first, and again at the best level only when the quick result
/// does not fit (`OpEnvelope::seal_new`). Readers need not know: the frame is zstd's either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Effort {
    Quick,
    Best,
}

/// The dictionaries this app holds, by version (`core/data/zstd/README.md` says how each was
/// made, and `cargo run -p komora-scenarios --bin zstd_dictionary` makes it again).
fn dictionary(version: u8) -> Option<&'static [u8]> {
    match version {
        1 => Some(include_bytes!("../data/zstd/v1.dict")),
        _ => None,
    }
}

/// How to pack a unit (the writer's choice; the reader learns it from the first byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Packing {
    Stored,
    /// zstd without a dictionary.
    Zstd,
    /// zstd with the dictionary of this version.
    Dictionary(u8),
}

/// `plain`, packed as `packing` says when that is smaller, else stored: never larger than
/// the plaintext plus one byte.
pub(crate) fn pack(plain: &[u8], packing: Packing) -> Zeroizing<Vec<u8>> {
    pack_with(plain, packing, Effort::Best)
}

/// [`pack`], as hard as `effort` says.
pub(crate) fn pack_with(plain: &[u8], packing: Packing, effort: Effort) -> Zeroizing<Vec<u8>> {
    let compressed = match packing {
        Packing::Stored => None,
        Packing::Zstd => zstd_compress(plain, Compressing::Alone(effort)).map(|c| (ZSTD, c)),
        Packing::Dictionary(v) => prepared(v).and_then(|p| {
            let d = match effort {
                Effort::Best => &p.best,
                Effort::Quick => &p.quick,
            };
            zstd_compress(plain, Compressing::With(d)).map(|c| (DICT_BASE + v, c))
        }),
    };
    let mut out = Zeroizing::new(Vec::with_capacity(plain.len() + 1));
    match compressed {
        Some((tag, c)) if c.len() < plain.len() => {
            out.push(tag);
            out.extend_from_slice(&c);
        }
        _ => {
            out.push(STORED);
            out.extend_from_slice(plain);
        }
    }
    out
}

/// A dictionary digested once for the compressor and the decompressor. Read-only tables
/// made from the shipped bytes alone: no operation's text ever enters them, so sharing them
/// shares nothing between operations (digesting a 32 KiB dictionary at level 19 for every
/// body cost ~20 times the compression itself).
struct Prepared {
    /// For the compressor, at each level.
    best: zstd::dict::EncoderDictionary<'static>,
    quick: zstd::dict::EncoderDictionary<'static>,
    decoder: zstd::dict::DecoderDictionary<'static>,
}

fn prepared(version: u8) -> Option<&'static Prepared> {
    static V1: std::sync::OnceLock<Prepared> = std::sync::OnceLock::new();
    match version {
        1 => Some(V1.get_or_init(|| {
            let d = dictionary(1).expect("version 1 ships");
            Prepared {
                best: zstd::dict::EncoderDictionary::copy(d, LEVEL),
                quick: zstd::dict::EncoderDictionary::copy(d, LEVEL_QUICK),
                decoder: zstd::dict::DecoderDictionary::copy(d),
            }
        })),
        _ => None,
    }
}

/// What a compressor works with: a prepared dictionary (its level is part of it), or zstd
/// alone at a level.
#[derive(Clone, Copy)]
enum Compressing {
    With(&'static zstd::dict::EncoderDictionary<'static>),
    Alone(Effort),
}

/// One fresh context per unit: nothing of one operation's text stays to shape the next.
fn zstd_compress(plain: &[u8], how: Compressing) -> Option<Zeroizing<Vec<u8>>> {
    use zstd::zstd_safe::CParameter;
    // One context per thread and dictionary (or level, zstd alone), made on first use: making
    // one per operation cost as much as signing it.
    thread_local! {
        static CONTEXTS: std::cell::RefCell<Vec<(usize, zstd::bulk::Compressor<'static>)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let id = match how {
        Compressing::With(d) => d as *const _ as usize,
        Compressing::Alone(Effort::Best) => 0,
        Compressing::Alone(Effort::Quick) => 1,
    };
    CONTEXTS.with(|contexts| {
        let mut contexts = contexts.try_borrow_mut().ok()?;
        let i = match contexts.iter().position(|(k, _)| *k == id) {
            Some(i) => i,
            None => {
                let mut c = match how {
                    Compressing::With(d) => {
                        zstd::bulk::Compressor::with_prepared_dictionary(d).ok()?
                    }
                    Compressing::Alone(Effort::Best) => zstd::bulk::Compressor::new(LEVEL).ok()?,
                    Compressing::Alone(Effort::Quick) => {
                        zstd::bulk::Compressor::new(LEVEL_QUICK).ok()?
                    }
                };
                // The frame says its size (the reader's bound checks it first); no checksum
                // (the seal authenticates every byte) and no dictionary id (the first byte
                // names the dictionary).
                c.set_parameter(CParameter::ContentSizeFlag(true)).ok()?;
                c.set_parameter(CParameter::ChecksumFlag(false)).ok()?;
                c.set_parameter(CParameter::DictIdFlag(false)).ok()?;
                contexts.push((id, c));
                contexts.len() - 1
            }
        };
        // A frame of its own: every call starts from the dictionary alone.
        contexts[i].1.compress(plain).ok().map(Zeroizing::new)
    })
}

/// The plaintext of a packed unit, at most `limit` bytes. A unit that would expand past it
/// is refused ([`Error::TooLarge`]) before anything is allocated for it; one packed with a
/// dictionary this app does not hold, [`Error::UnknownDictionary`].
pub(crate) fn unpack(
    packed: &[u8],
    limit: usize,
    what: &'static str,
) -> Result<Zeroizing<Vec<u8>>> {
    let corrupted = || Error::Corrupted { what };
    let (&tag, payload) = packed.split_first().ok_or_else(corrupted)?;
    let dict = match tag {
        STORED => {
            if payload.len() > limit {
                return Err(Error::TooLarge { what, limit });
            }
            return Ok(Zeroizing::new(payload.to_vec()));
        }
        ZSTD => None,
        t if t > DICT_BASE => {
            let v = t - DICT_BASE;
            Some(&prepared(v).ok_or(Error::UnknownDictionary(v))?.decoder)
        }
        _ => return Err(corrupted()),
    };
    // The frame's own size first: absent or above the limit, refused unread.
    let size = match zstd::zstd_safe::get_frame_content_size(payload) {
        Ok(Some(n)) => n,
        _ => return Err(corrupted()),
    };
    if size > limit as u64 {
        return Err(Error::TooLarge { what, limit });
    }
    // One context per thread and dictionary, reused like the compressor's.
    thread_local! {
        static CONTEXTS: std::cell::RefCell<Vec<(usize, zstd::bulk::Decompressor<'static>)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let id = dict.map_or(0, |d| d as *const _ as usize);
    // The buffer holds exactly the announced size: a frame that lies about it fails here
    // instead of growing the buffer.
    let mut out = Zeroizing::new(Vec::with_capacity(size as usize));
    let n = CONTEXTS
        .with(|contexts| {
            let mut contexts = contexts.try_borrow_mut().map_err(|_| ())?;
            let i = match contexts.iter().position(|(k, _)| *k == id) {
                Some(i) => i,
                None => {
                    let d = match dict {
                        Some(d) => zstd::bulk::Decompressor::with_prepared_dictionary(d),
                        None => zstd::bulk::Decompressor::new(),
                    }
                    .map_err(|_| ())?;
                    contexts.push((id, d));
                    contexts.len() - 1
                }
            };
            contexts[i]
                .1
                .decompress_to_buffer(payload, &mut *out)
                .map_err(|_| ())
        })
        .map_err(|_| corrupted())?;
    if n as u64 != size {
        return Err(corrupted());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note() -> Vec<u8> {
        crate::synthetic::Writer::new(3).note().into_bytes()
    }

    #[test]
    fn every_packing_round_trips_and_never_grows_by_more_than_a_byte() {
        for packing in [
            Packing::Stored,
            Packing::Zstd,
            Packing::Dictionary(DICTIONARY_VERSION),
        ] {
            for plain in [
                note(),
                vec![],
                b"x".to_vec(),
                crate::crypto::random_array::<64>().to_vec(),
            ] {
                let packed = pack(&plain, packing);
                assert!(packed.len() <= plain.len() + 1);
                assert_eq!(*unpack(&packed, 1 << 20, "a test").unwrap(), plain);
            }
        }
        let n = note();
        assert!(pack(&n, Packing::Dictionary(1)).len() < pack(&n, Packing::Zstd).len());
    }

    /// What a unit compresses to depends on its own text and the dictionary only: a context
    /// that compressed another client's note just before writes exactly what a fresh one
    /// does (ADR 0021: no text of one operation shapes another's size).
    #[test]
    fn a_reused_context_writes_what_a_fresh_one_does() {
        let mine = crate::synthetic::Writer::new(5).note().into_bytes();
        let others = crate::synthetic::Writer::new(6).note().into_bytes();
        let fresh = std::thread::spawn({
            let mine = mine.clone();
            move || pack(&mine, Packing::Dictionary(DICTIONARY_VERSION))
        })
        .join()
        .unwrap();
        let _ = pack(&others, Packing::Dictionary(DICTIONARY_VERSION));
        let _ = pack(&mine, Packing::Dictionary(DICTIONARY_VERSION));
        let _ = pack(&others, Packing::Dictionary(DICTIONARY_VERSION));
        let reused = pack(&mine, Packing::Dictionary(DICTIONARY_VERSION));
        assert_eq!(*reused, *fresh);
        assert_eq!(*unpack(&reused, 1 << 20, "a test").unwrap(), mine);
        assert_eq!(
            *unpack(&pack(&others, Packing::Zstd), 1 << 20, "a test").unwrap(),
            others
        );
    }

    #[test]
    fn a_bomb_is_refused_before_it_expands_and_an_unknown_dictionary_is_named() {
        let zeros = vec![0u8; 4 << 20];
        let bomb = pack(&zeros, Packing::Zstd);
        assert!(bomb.len() < 1024, "{} bytes", bomb.len());
        assert!(matches!(
            unpack(&bomb, 256 * 1024, "a test"),
            Err(Error::TooLarge { limit: 262_144, .. })
        ));
        // A frame that hides its size is refused too.
        let mut hidden = zstd::bulk::Compressor::new(3).unwrap();
        hidden
            .set_parameter(zstd::zstd_safe::CParameter::ContentSizeFlag(false))
            .unwrap();
        let mut packed = vec![ZSTD];
        packed.extend(hidden.compress(&zeros).unwrap());
        assert!(unpack(&packed, 256 * 1024, "a test").is_err());
        let mut future = pack(&note(), Packing::Dictionary(1)).to_vec();
        future[0] = DICT_BASE + 9;
        assert!(matches!(
            unpack(&future, 1 << 20, "a test"),
            Err(Error::UnknownDictionary(9))
        ));
    }
}
