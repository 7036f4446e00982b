//! The machinery of the convergence property (`tests/tests/replicas_always_converge.rs`):
//! tablets that edit every kind of record offline, exchange some of their work in any order,
//! then receive everything, must all show the same thing, keep every concurrent value where
//! the kind promises to, and never bring an erased file back.
//!
//! - `kinds.rs`: the one table of record kinds: for each, the actions a tablet takes on it
//!   through the core's public API (as the app and the command line call it), the fields the
//!   test follows and what each promises when two tablets write it at once, and how a screen
//!   reads a record of it. The generator, the oracle and the screens read the kinds from
//!   there and nowhere else.
//! - `model.rs`: the oracle. It knows, for every write, which writes its tablet had merged
//!   when it was made (read from that tablet's log, not guessed from the deliveries), and
//!   from that alone what every replica must show once it has everything: which concurrent
//!   register values stay, which elements of an add-wins set survive, which records are gone.
//! - `screens.rs`: everything the screens read of a replica (listings, queues, timelines,
//!   histories, every record opened by id), rendered as lines, to compare replicas.
//! - `fleet.rs`: the replicas (in-memory vaults of one team, each with its own clock), the
//!   steps of a run (act, deliver some or all of what another replica holds, let time pass),
//!   the final delivery of everything in random order and batches with duplicates, and the
//!   checks.

pub mod fleet;
pub mod kinds;
pub mod model;
pub mod screens;
