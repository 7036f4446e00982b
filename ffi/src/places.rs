//! Rwanda's administrative units for the tablet's pickers: what lies under a place already
//! chosen, so a counsellor picks a sector of her district, a cell of that sector, a village of
//! that cell (core `location.rs`).

use crate::error::Result;

/// The units under `place` (district, then sector, then cell; empty: the districts), in the
/// data's spelling. A place not in the tree is `Validation` naming its level.
#[uniffi::export]
pub fn places_under(place: Vec<String>) -> Result<Vec<String>> {
    let place: Vec<&str> = place.iter().map(String::as_str).collect();
    Ok(komora_core::AdminUnits::rwanda().units_under(&place)?)
}
