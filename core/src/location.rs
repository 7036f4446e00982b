//! Administrative locations as data. Rwanda's tree (province > district > sector > cell >
//! village) ships in `data/rwanda-admin-units.json` (MIT, see the licence file beside it); the
//! DRC and the CAR get trees of their own in the same shape, without a code change.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::error::{Error, Result};

/// Where a client lives: a district, optionally down to the village. Names are canonical (as
/// spelled in the data). Locating a person is sensitive: `Debug` shows nothing.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub district: String,
    pub sector: Option<String>,
    pub cell: Option<String>,
    pub village: Option<String>,
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Location([redacted])")
    }
}

/// What a user typed, before it is checked against the tree.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct LocationInput {
    pub district: String,
    pub sector: Option<String>,
    pub cell: Option<String>,
    pub village: Option<String>,
}

impl LocationInput {
    /// A location from a form's four optional fields: none set is no location; a finer unit
    /// without its district is refused.
    pub fn from_parts(
        district: Option<String>,
        sector: Option<String>,
        cell: Option<String>,
        village: Option<String>,
    ) -> crate::Result<Option<Self>> {
        match district {
            Some(district) => Ok(Some(Self {
                district,
                sector,
                cell,
                village,
            })),
            None if sector.is_some() || cell.is_some() || village.is_some() => {
                Err(crate::Error::validation(
                    "district",
                    "give the district with the sector, cell or village",
                ))
            }
            None => Ok(None),
        }
    }
}

impl fmt::Debug for LocationInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LocationInput([redacted])")
    }
}

type Cells = BTreeMap<String, Vec<String>>;
type Sectors = BTreeMap<String, Cells>;

#[derive(Deserialize)]
struct TreeFile {
    provinces: BTreeMap<String, BTreeMap<String, Sectors>>,
}

/// A country's tree of administrative units.
pub struct AdminUnits {
    districts: BTreeMap<String, (String, Sectors)>, // lower-cased name -> (canonical, sectors)
}

impl AdminUnits {
    /// Load a tree from JSON shaped `{"provinces": {P: {D: {S: {C: [villages]}}}}}`.
    pub fn from_json(json: &str) -> Result<Self> {
        let file: TreeFile = serde_json::from_str(json)
            .map_err(|_| Error::validation("locations", "the location data is not a valid tree"))?;
        let districts = file
            .provinces
            .into_values()
            .flat_map(|d| d.into_iter())
            .map(|(name, sectors)| (fold(&name), (name, sectors)))
            .collect();
        Ok(Self { districts })
    }

    /// Rwanda's tree, shipped with Komora.
    pub fn rwanda() -> &'static AdminUnits {
        static TREE: OnceLock<AdminUnits> = OnceLock::new();
        TREE.get_or_init(|| {
            AdminUnits::from_json(include_str!("../data/rwanda-admin-units.json"))
                .expect("the shipped location data parses")
        })
    }

    pub fn districts(&self) -> impl Iterator<Item = &str> {
        self.districts.values().map(|(name, _)| name.as_str())
    }

    /// The units one level under a place, in the data's spelling and order: the districts
    /// (`&[]`), a district's sectors (`&[district]`), a sector's cells, a cell's villages. For
    /// the tablet's pickers, which offer only what exists under what was chosen above. A
    /// place not in the tree is a validation error naming the level ("sector: not a sector of
    /// that district"); deeper than a cell there is nothing.
    pub fn units_under(&self, place: &[&str]) -> Result<Vec<String>> {
        let Some((district, rest)) = place.split_first() else {
            return Ok(self.districts().map(str::to_owned).collect());
        };
        let (_, sectors) = self
            .districts
            .get(&fold(district))
            .ok_or_else(|| Error::validation("district", "not a known district"))?;
        let Some((sector, rest)) = rest.split_first() else {
            return Ok(sectors.keys().cloned().collect());
        };
        let (_, cells) = find(sectors, sector)
            .ok_or_else(|| Error::validation("sector", "not a sector of that district"))?;
        let Some((cell, rest)) = rest.split_first() else {
            return Ok(cells.keys().cloned().collect());
        };
        let (_, villages) = find(cells, cell)
            .ok_or_else(|| Error::validation("cell", "not a cell of that sector"))?;
        if !rest.is_empty() {
            return Err(Error::validation(
                "village",
                "a village has no units under it",
            ));
        }
        Ok(villages.clone())
    }

    /// Check a typed location against the tree (case-insensitive) and return canonical names.
    pub fn resolve(&self, input: &LocationInput) -> Result<Location> {
        let (district, sectors) = self
            .districts
            .get(&fold(&input.district))
            .ok_or_else(|| Error::validation("district", "not a known district"))?;
        let mut loc = Location {
            district: district.clone(),
            ..Default::default()
        };
        let Some(sector_in) = &input.sector else {
            if input.cell.is_some() || input.village.is_some() {
                return Err(Error::validation(
                    "sector",
                    "give the sector before the cell or village",
                ));
            }
            return Ok(loc);
        };
        let (sector, cells) = find(sectors, sector_in)
            .ok_or_else(|| Error::validation("sector", "not a sector of that district"))?;
        loc.sector = Some(sector.clone());
        let Some(cell_in) = &input.cell else {
            if input.village.is_some() {
                return Err(Error::validation(
                    "cell",
                    "give the cell before the village",
                ));
            }
            return Ok(loc);
        };
        let (cell, villages) = find(cells, cell_in)
            .ok_or_else(|| Error::validation("cell", "not a cell of that sector"))?;
        loc.cell = Some(cell.clone());
        if let Some(village_in) = &input.village {
            let village = villages
                .iter()
                .find(|v| fold(v) == fold(village_in))
                .ok_or_else(|| Error::validation("village", "not a village of that cell"))?;
            loc.village = Some(village.clone());
        }
        Ok(loc)
    }
}

fn find<'a, V>(map: &'a BTreeMap<String, V>, name: &str) -> Option<(&'a String, &'a V)> {
    let wanted = fold(name);
    map.iter().find(|(k, _)| fold(k) == wanted)
}

fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(d: &str, s: Option<&str>, c: Option<&str>, v: Option<&str>) -> LocationInput {
        LocationInput {
            district: d.into(),
            sector: s.map(Into::into),
            cell: c.map(Into::into),
            village: v.map(Into::into),
        }
    }

    #[test]
    fn rwanda_has_thirty_districts_including_amis() {
        let tree = AdminUnits::rwanda();
        assert_eq!(tree.districts().count(), 30);
        for d in ["Huye", "Gisagara", "Nyaruguru", "Nyanza", "Nyabihu"] {
            assert!(tree.districts().any(|x| x == d), "{d}");
        }
    }

    #[test]
    fn the_pickers_walk_down_the_tree_one_level_at_a_time() {
        let tree = AdminUnits::rwanda();
        assert_eq!(tree.units_under(&[]).unwrap().len(), 30);
        let sectors = tree.units_under(&["huye"]).unwrap();
        assert!(sectors.iter().any(|s| s == "Tumba"), "{sectors:?}");
        let cells = tree.units_under(&["Huye", "Tumba"]).unwrap();
        assert!(!cells.is_empty());
        let villages = tree.units_under(&["Huye", "Tumba", &cells[0]]).unwrap();
        assert!(!villages.is_empty());
        // Every village offered is one the client's record accepts.
        for v in &villages {
            tree.resolve(&input("Huye", Some("Tumba"), Some(&cells[0]), Some(v)))
                .unwrap();
        }
        let err = tree.units_under(&["Huye", "Atlantis"]).unwrap_err();
        assert!(matches!(
            err,
            Error::Validation {
                field: "sector",
                ..
            }
        ));
        let err = tree
            .units_under(&["Huye", "Tumba", &cells[0], &villages[0]])
            .unwrap_err();
        assert!(matches!(
            err,
            Error::Validation {
                field: "village",
                ..
            }
        ));
    }

    #[test]
    fn a_typed_location_is_checked_down_the_tree_and_canonicalised() {
        let tree = AdminUnits::rwanda();
        let loc = tree.resolve(&input("huye", None, None, None)).unwrap();
        assert_eq!(loc.district, "Huye");
        let err = tree
            .resolve(&input("Atlantis", None, None, None))
            .unwrap_err();
        assert!(matches!(
            err,
            Error::Validation {
                field: "district",
                ..
            }
        ));
        let err = tree
            .resolve(&input("Huye", Some("Gashora"), None, None))
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Validation {
                    field: "sector",
                    ..
                }
            ),
            "Gashora is in Bugesera"
        );
        let loc = tree
            .resolve(&input(
                "BUGESERA",
                Some("gashora"),
                Some("Biryogo"),
                Some("kivugiza"),
            ))
            .unwrap();
        assert_eq!(loc.village.as_deref(), Some("Kivugiza"));
        assert!(tree
            .resolve(&input("Bugesera", None, Some("Biryogo"), None))
            .is_err());
    }
}
