//! The team's record format (issue 17, item 4; ADR 0016). Tablets are updated slowly in the
//! field: a record kind or field that a tablet's app cannot read must not reach it. Each team
//! has a format version, raised by an administrator's signed statement once every device of
//! the team reports reading it (`Vault::raise_team_format`); a tablet writes a kind or a field
//! only when the team's format includes it, and a tablet whose app reads less than the team's
//! format sends what it holds, reads nothing more and says to update the app.

/// The newest team format this build of Komora reads and writes.
pub const APP_FORMAT: u32 = 5;

/// The format of a team whose list has no format statement: every team made before formats.
pub const FIRST_FORMAT: u32 = 1;

/// The format that brought each record kind or field in, when later than the first: a
/// `(kind, None)` row covers the whole kind, `(kind, Some(field))` one field of it.
const SINCE: &[(&str, Option<&str>, u32)] = &[
    // Format 2 (issue 22): a person's rectification and objection requests, the team's
    // chosen cut-off sets and its imported content packs.
    ("rights_request", None, 2),
    ("policy", Some("cutoff_sets"), 2),
    ("policy", Some("content_pack"), 2),
];

/// Format 3 (issue 20, ADR 0021): operation bodies and their sealed parts are written
/// compressed (zstd with a dictionary the app ships), in a layout the apps before cannot
/// open. Not a kind or a field, so not in [`SINCE`]: it gates how every operation is sealed,
/// and a tablet writes compressed bodies only when its team's format is at least this one.
pub const COMPRESSED_BODIES: u32 = 3;

/// Format 4: the team's chosen cut-off sets, one field per instrument (`cutoff_set:phq-9`)
/// instead of one JSON map, so two administrators choosing for different instruments offline
/// both keep their choice. Below it, tablets write the map, which apps of format 2 and 3 read.
pub const CUTOFF_FIELDS: u32 = 4;

/// Format 5 (issue 20, ADR 0022): a new client is written as two operations on its record,
/// the first carrying only its file's keys and the second its fields, and every operation is
/// padded to a floor of 384 bytes instead of 512 (`op::pad_floor`). An app of format 4
/// refuses an operation that carries keys and nothing else, so a team writes them apart only
/// from this format on; below it, one operation and the 512-byte floor, as before.
pub const KEYS_APART: u32 = 5;

/// The team format a change to `field` of a `kind` record needs.
pub(crate) fn needed(kind: &str, field: Option<&str>) -> u32 {
    SINCE
        .iter()
        .filter(|(k, f, _)| *k == kind && (f.is_none() || *f == field))
        .map(|(_, _, v)| *v)
        .max()
        .unwrap_or(FIRST_FORMAT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_kind_or_field_needs_a_format_this_build_cannot_write() {
        for (kind, field, version) in SINCE {
            assert!(
                *version <= APP_FORMAT && *version > FIRST_FORMAT,
                "{kind}.{field:?} needs format {version}"
            );
        }
        const { assert!(COMPRESSED_BODIES <= APP_FORMAT && COMPRESSED_BODIES > FIRST_FORMAT) };
        const { assert!(CUTOFF_FIELDS <= APP_FORMAT && CUTOFF_FIELDS > COMPRESSED_BODIES) };
        const { assert!(KEYS_APART <= APP_FORMAT && KEYS_APART > CUTOFF_FIELDS) };
        assert_eq!(needed("client", Some("name")), FIRST_FORMAT);
        assert_eq!(needed("rights_request", Some("client")), 2);
        assert_eq!(needed("policy", Some("auto_lock_minutes")), FIRST_FORMAT);
        assert_eq!(needed("policy", Some("cutoff_sets")), 2);
    }
}
