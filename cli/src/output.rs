//! What the CLI prints: a table or lines for people, JSON for scripts.

use std::path::Path;

use komora_core::{
    ApplyReport, Client, DeviceId, Fleet, FleetDevice, FormatRaise, HistoryChange, HistoryEntry,
    Invitation, Listing, RecordId, SyncReport, SyncStatus, Vault,
};
use serde_json::{json, Value as Json};

use crate::table::Columns;

pub struct Output {
    pub json: bool,
}

impl Output {
    pub fn print_json(&self, value: Json) {
        println!(
            "{}",
            serde_json::to_string_pretty(&value).expect("JSON values always serialise")
        );
    }

    /// One record: JSON, or one `field: value` line per field that has a value.
    pub fn record(&self, value: Json) {
        if self.json {
            self.print_json(value);
        } else {
            print_fields(&value, "");
        }
    }

    /// A list of records: a JSON array, or each record's fields followed by a blank line.
    pub fn list(&self, items: Vec<Json>) {
        if self.json {
            self.print_json(Json::Array(items));
        } else {
            for item in &items {
                print_fields(item, "");
                println!();
            }
            println!("{} item(s)", items.len());
        }
    }

    pub fn created_vault(&self, dir: &Path, device: DeviceId) {
        if self.json {
            self.print_json(json!({ "vault": dir, "device_id": device.to_string() }));
        } else {
            println!("Created a vault at {} for device {device}.", dir.display());
        }
    }

    pub fn added(&self, id: RecordId) {
        if self.json {
            self.print_json(json!({ "id": id.to_string() }));
        } else {
            println!("{id}");
        }
    }

    pub fn erasures(&self, list: &[komora_core::Erasure]) {
        if self.json {
            self.print_json(Json::Array(
                list.iter()
                    .map(|e| {
                        json!({
                            "id": e.id.to_string(),
                            "client": e.client.to_string(),
                            "date": e.date.map(|d| d.to_string()),
                            "reason": e.reason,
                            "by": e.by.to_string(),
                        })
                    })
                    .collect(),
            ));
        } else {
            for e in list {
                println!(
                    "Erased client {} on {} ({}), by device {}.",
                    e.client,
                    e.date.map(|d| d.to_string()).unwrap_or_else(|| "?".into()),
                    e.reason,
                    e.by
                );
            }
        }
    }

    pub fn deleted(&self, id: RecordId) {
        if self.json {
            self.print_json(json!({ "id": id.to_string(), "deleted": true }));
        } else {
            println!("Deleted client {id}.");
        }
    }

    pub fn clients(&self, list: &Listing<Client>) {
        if self.json {
            self.print_json(Json::Array(list.items.iter().map(client_json).collect()));
        } else {
            let mut table = Columns::new(&["ID", "NAME", "SEX", "BORN", "DISTRICT"]).wrap(&[1, 4]);
            for c in &list.items {
                let flag = if c.conflicts.is_empty() {
                    ""
                } else {
                    "  (conflicting edits: see history)"
                };
                table.row(vec![
                    c.id.to_string(),
                    c.name.clone(),
                    c.sex.map_or("", |s| s.code()).to_owned(),
                    c.birth_year.map_or(String::new(), |y| y.to_string()),
                    format!(
                        "{}{flag}",
                        c.location.as_ref().map_or("", |l| l.district.as_str())
                    ),
                ]);
            }
            table.print();
            println!("{} client(s)", list.items.len());
        }
        if !list.unreadable.is_empty() {
            eprintln!(
                "komora: {} record(s) could not be read (corrupted or tampered)",
                list.unreadable.len()
            );
        }
    }

    pub fn client(&self, c: &Client) {
        if self.json {
            self.print_json(client_json(c));
            return;
        }
        println!("id:            {}", c.id);
        println!("name:          {}", c.name);
        let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
        println!("code:          {}", opt(c.code.clone()));
        println!("sex:           {}", opt(c.sex.map(|s| s.code().to_owned())));
        println!(
            "birth year:    {}",
            opt(c.birth_year.map(|y| y.to_string()))
        );
        println!("phone:         {}", opt(c.phone.clone()));
        if let Some(l) = &c.location {
            let parts: Vec<&str> = [
                Some(l.district.as_str()),
                l.sector.as_deref(),
                l.cell.as_deref(),
                l.village.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect();
            println!("location:      {}", parts.join(" / "));
        }
        println!(
            "target groups: {}",
            if c.target_groups.is_empty() {
                "-".into()
            } else {
                c.target_groups.join(", ")
            }
        );
        println!("created:       {}", iso8601(c.created_ms));
        println!("updated:       {}", iso8601(c.updated_ms));
        for f in &c.conflicts {
            println!("conflict:      '{f}' was edited concurrently on two devices; see `komora client history {} {f}`", c.id);
        }
    }

    pub fn history(&self, entries: &[HistoryEntry]) {
        if self.json {
            self.print_json(Json::Array(entries.iter().map(history_json).collect()));
            return;
        }
        let mut table = Columns::untitled().wrap(&[3]);
        for e in entries {
            let (what, value) = change_parts(&e.change);
            table.row(vec![
                iso8601(e.at.wall_ms),
                e.status.code().to_owned(),
                what.to_owned(),
                value.to_string(),
                format!("(device {})", short(&e.device.to_string())),
            ]);
        }
        table.print();
    }
}

impl Output {
    /// The teams of this device (`komora team list`).
    pub fn teams(&self, rows: &[Json]) {
        if self.json {
            self.print_json(Json::Array(rows.to_vec()));
            return;
        }
        let mut table = Columns::untitled().wrap(&[0, 3]);
        for r in rows {
            let text = |k: &str| r.get(k).and_then(Json::as_str).unwrap_or("").to_owned();
            match r.get("team").and_then(Json::as_str) {
                Some(team) => table.row(vec![
                    team.to_owned(),
                    text("role"),
                    format!("device {}", text("device_id")),
                    format!("--vault {}", text("vault")),
                ]),
                None => table.row(vec![
                    format!("(cannot open: {})", text("note")),
                    String::new(),
                    String::new(),
                    text("vault"),
                ]),
            }
        }
        table.print();
    }

    pub fn transferred(&self, moved: &komora_core::Transfer, to: &str, from: &str, sent: bool) {
        if self.json {
            self.print_json(json!({
                "clients": moved.clients.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "records": moved.records, "to_team": to, "erasure_sent": sent,
            }));
        } else {
            println!(
                "Moved the files of {} client(s) ({} records) to team '{to}'; erased from team \
                 '{from}'{}.",
                moved.clients.len(),
                moved.records,
                if sent {
                    ""
                } else {
                    " on this tablet (the erasure goes to the server at the next sync)"
                }
            );
        }
    }

    pub fn enrolled(&self, dir: &Path, vault: &Vault) -> Result<(), crate::Failure> {
        let s = vault.sync_settings()?;
        if self.json {
            self.print_json(json!({
                "vault": dir, "device_id": vault.device_id().to_string(), "role": s.role.as_str(),
                "team": s.team_name, "org": s.org_name, "server": s.server_url,
            }));
        } else {
            println!(
                "This device ({}) joined team '{}' of {} as {}. Vault at {}.",
                vault.device_id(),
                s.team_name,
                s.org_name,
                s.role.as_str(),
                dir.display()
            );
        }
        Ok(())
    }

    /// The code as text and as a QR code (`komora:enrol?server=...&code=...&pin=...`) the
    /// tablet scans.
    pub fn invitation(&self, inv: &Invitation, link: &str) {
        if self.json {
            self.print_json(json!({
                "code": inv.code, "role": inv.role.as_str(), "expires": iso8601(inv.expires_at_ms),
                "link": link,
            }));
        } else {
            println!("Enrolment code for a {}: {}", inv.role.as_str(), inv.code);
            println!("Valid once, until {}. Scan the QR code on the new tablet; it carries the server's address and the pin of its key.", iso8601(inv.expires_at_ms));
            println!("The same as text: {link}");
            if let Ok(qr) = qrcode::QrCode::new(link.as_bytes()) {
                // Light modules drawn dark, so it scans from a terminal with a dark background.
                let image = qr
                    .render::<qrcode::render::unicode::Dense1x2>()
                    .dark_color(qrcode::render::unicode::Dense1x2::Light)
                    .light_color(qrcode::render::unicode::Dense1x2::Dark)
                    .build();
                println!("{image}");
            }
        }
    }

    /// The fleet view: every tablet of the team (the server's list, with what the team's signed
    /// list says of each) with what it said of itself at its last login, and the server's last
    /// good backup. A tablet silent for two weeks and a backup that stopped are flagged.
    pub fn devices(&self, fleet: &Fleet, me: DeviceId, now_ms: u64) {
        const SILENT_MS: u64 = 14 * 24 * 3600 * 1000;
        let silent = |d: &FleetDevice| {
            !d.revoked
                && d.last_seen_ms
                    .is_none_or(|seen| now_ms.saturating_sub(seen) > SILENT_MS)
        };
        if self.json {
            let rows: Vec<Json> = fleet
                .devices
                .iter()
                .map(|d| {
                    let r = d.report.as_ref();
                    json!({
                        "id": d.id.to_string(), "role": d.role.as_str(), "revoked": d.revoked,
                        "handed_back": d.handed_back,
                        "enrolled": iso8601(d.enrolled_ms), "last_seen": d.last_seen_ms.map(iso8601),
                        "app_version": r.map(|r| r.app_version.clone()),
                        "protocol": r.map(|r| r.protocol),
                        "last_sync": r.and_then(|r| r.last_sync_ms).map(iso8601),
                        "waiting": r.map(|r| r.pending), "parked": r.map(|r| r.parked),
                        "set_aside": r.map(|r| r.set_aside),
                        "format": r.map(|r| r.format),
                        "silent_two_weeks": silent(d),
                    })
                })
                .collect();
            // An array, as before: scripts read it so. The server's backups are in the human
            // output and in `komora server health --json`.
            self.print_json(Json::Array(rows));
            return;
        }
        let mut table = Columns::new(&[
            "ID",
            "ROLE",
            "STATE",
            "APP",
            "FORMAT",
            "LAST SYNC",
            "WAITING",
            "NOT READ",
            "LAST SEEN",
        ])
        .right(&[4, 6, 7])
        .wrap(&[2, 3]);
        for d in &fleet.devices {
            let me = if d.id == me { "  (this device)" } else { "" };
            let state = if d.revoked {
                "revoked"
            } else if d.handed_back {
                "handed back: revoke it"
            } else if silent(d) {
                "SILENT OVER 2 WEEKS"
            } else {
                "active"
            };
            let r = d.report.as_ref();
            table.row(vec![
                d.id.to_string(),
                d.role.as_str().to_owned(),
                state.to_owned(),
                r.map_or("-".into(), |r| r.app_version.clone()),
                r.map_or("-".into(), |r| r.format.to_string()),
                r.and_then(|r| r.last_sync_ms).map_or("-".into(), iso8601),
                r.map_or("-".into(), |r| r.pending.to_string()),
                r.map_or("-".into(), |r| (r.parked + r.set_aside).to_string()),
                format!("{}{me}", d.last_seen_ms.map_or("-".into(), iso8601)),
            ]);
        }
        table.print();
        match &fleet.backup {
            None => println!("server backups: the server does not say"),
            Some(b) if !b.scheduled && b.last_good_ms.is_none() => {
                println!("server backups: NONE scheduled (start the server with --backup-every)")
            }
            Some(b) => {
                let last = b.last_good_ms.map_or("never".into(), iso8601);
                let warn = if b.last_attempt_failed {
                    ": the last attempt FAILED"
                } else if b.stale {
                    ": STALE, look into it"
                } else {
                    ""
                };
                println!("server backups: last good {last}{warn}");
            }
        }
    }

    /// The team's record format, what this app writes, and the tablets that cannot read the
    /// next format yet (revoked ones aside).
    pub fn team_format(&self, vault: &Vault, fleet: &Fleet) -> komora_core::Result<()> {
        let team = vault.team_format()?;
        let app = vault.app_format();
        let behind: Vec<&FleetDevice> = fleet
            .devices
            .iter()
            .filter(|d| !d.revoked && d.report.as_ref().is_none_or(|r| r.format <= team))
            .collect();
        if self.json {
            self.print_json(json!({
                "team_format": team,
                "app_format": app,
                "cannot_read_next": behind.iter().map(|d| d.id.to_string()).collect::<Vec<_>>(),
            }));
            return Ok(());
        }
        println!("The team writes format {team}; this app writes up to format {app}.");
        if app > team {
            if behind.is_empty() {
                println!(
                    "Every tablet reads format {}: raise it with `komora admin format --raise {}`.",
                    team + 1,
                    team + 1
                );
            } else {
                println!(
                    "Tablets that cannot read format {} yet (update them first):",
                    team + 1
                );
                print_behind(behind);
            }
        }
        Ok(())
    }

    pub fn format_raised(&self, raised: &FormatRaise) -> komora_core::Result<()> {
        match raised {
            FormatRaise::Raised { version } | FormatRaise::Already { version } => {
                let already = matches!(raised, FormatRaise::Already { .. });
                if self.json {
                    self.print_json(json!({ "team_format": version, "raised": !already }));
                } else if already {
                    println!("The team is at format {version} already.");
                } else {
                    println!(
                        "The team writes format {version} from now on; each tablet learns it at its next sync."
                    );
                }
                Ok(())
            }
            FormatRaise::NotReady { devices } => {
                if self.json {
                    self.print_json(json!({
                        "raised": false,
                        "cannot_read": devices.iter().map(|d| d.id.to_string()).collect::<Vec<_>>(),
                    }));
                } else {
                    println!(
                        "Not raised: these tablets cannot read it yet (update them, or --force):"
                    );
                    print_behind(devices);
                }
                Err(komora_core::Error::Forbidden(format!(
                    "{} tablet(s) of the team cannot read that format yet",
                    devices.len()
                )))
            }
        }
    }

    pub fn wrote(&self, path: &Path, ops: Option<usize>) {
        if self.json {
            self.print_json(json!({ "file": path, "operations": ops }));
        } else {
            match ops {
                Some(n) => println!("Wrote {n} operation(s), sealed, to {}.", path.display()),
                None => println!("Wrote this vault's summary to {}.", path.display()),
            }
        }
    }

    pub fn imported(&self, r: &ApplyReport) {
        if self.json {
            self.print_json(json!({ "applied": r.applied, "duplicates": r.duplicates, "rejected": r.rejected.len() }));
        } else {
            println!(
                "Merged {} new operation(s); {} were already here.",
                r.applied, r.duplicates
            );
        }
        if !r.rejected.is_empty() {
            eprintln!(
                "komora: {} operation(s) in the file were refused as tampered or from another team",
                r.rejected.len()
            );
        }
        contested(&r.contested);
    }

    pub fn revoked(&self, id: DeviceId, last_counted: Option<u64>) {
        if self.json {
            self.print_json(
                json!({ "id": id.to_string(), "revoked": true, "last_counted": last_counted }),
            );
        } else {
            println!("Device {id} is revoked: the server refuses it from now on, and the team moved to a new key it never receives.");
            if let Some(n) = last_counted {
                println!("Its operations up to number {n} count; anything it numbers later is refused by every tablet.");
            }
        }
    }

    pub fn retired(&self, last_seq: u64) {
        if self.json {
            self.print_json(json!({ "handed_back": true, "last_seq": last_seq }));
        } else {
            println!(
                "This tablet sent everything it held and signed its last operation ({last_seq})."
            );
            println!("It records nothing more. Ask an administrator to revoke it (`komora device revoke ID`);");
            println!("at its next sync it will see the signed revocation and erase its vault.");
        }
    }

    pub fn synced(&self, r: &SyncReport, status: &SyncStatus) {
        if self.json {
            self.print_json(json!({
                "sent": r.sent_ops, "sent_bytes": r.sent_bytes, "received": r.received_ops,
                "received_bytes": r.received_bytes, "applied": r.applied, "rejected": r.rejected.len(),
                "pending": status.pending, "last_sync": status.last_sync_ms.map(iso8601),
                "clock_ahead": r.clock_ahead.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
                "contested": r.contested.iter().map(|c| json!({
                    "op": c.op_id.to_string(), "logged_author": c.logged_author.to_string(),
                    "kept_aside_author": c.kept_aside_author.to_string(),
                })).collect::<Vec<_>>(),
            }));
        } else {
            println!(
                "Synced: sent {} change(s) ({} bytes), received {} ({} bytes), {} new here.",
                r.sent_ops, r.sent_bytes, r.received_ops, r.received_bytes, r.applied
            );
        }
        let revoked = r
            .rejected
            .iter()
            .filter(|x| matches!(x.reason, komora_core::RejectReason::RevokedAuthor(_)))
            .count();
        if r.rejected.len() > revoked {
            eprintln!(
                "komora: {} received change(s) were refused as tampered or unreadable",
                r.rejected.len() - revoked
            );
        }
        if revoked > 0 {
            eprintln!(
                "komora: {revoked} change(s) of a revoked tablet, numbered after its cutoff, were \
                 refused (the audit trail lists them)"
            );
        }
        for d in &r.clock_ahead {
            eprintln!("komora: device {d} has its clock set ahead; ask its user to correct the date and time");
        }
        contested(&r.contested);
    }

    /// The status, with the contested copies held aside now (read from the vault: said at
    /// every `status`, whatever became of the sync that kept them aside).
    pub fn status(&self, s: &SyncStatus, held_aside: &[komora_core::ContestedPair]) {
        if self.json {
            self.print_json(json!({
                "device_id": s.device_id.to_string(), "role": s.role.map(|r| r.as_str()),
                "team": s.team_name, "server": s.server_url,
                "last_sync": s.last_sync_ms.map(iso8601), "pending": s.pending,
                "parked": s.parked, "set_aside": s.set_aside, "handed_back": s.handed_back,
                "contested": held_aside.iter().map(|c| json!({
                    "logged_author": c.logged_author.to_string(),
                    "kept_aside_author": c.kept_aside_author.to_string(),
                    "changes": c.changes, "since": iso8601(c.since_ms),
                })).collect::<Vec<_>>(),
            }));
        } else {
            println!("device:    {}", s.device_id);
            println!(
                "role:      {}",
                s.role.map_or("- (not enrolled)", |r| r.as_str())
            );
            println!("team:      {}", s.team_name.as_deref().unwrap_or("-"));
            println!("server:    {}", s.server_url.as_deref().unwrap_or("-"));
            println!(
                "last sync: {}",
                s.last_sync_ms.map_or("never".into(), iso8601)
            );
            println!("waiting:   {} change(s)", s.pending);
            if s.parked > 0 {
                println!("parked:    {} received change(s) wait for a key or a device this tablet does not know yet", s.parked);
            }
            if s.set_aside > 0 {
                println!("set aside: {} received change(s) could never be read and were set aside: tell your administrator", s.set_aside);
            }
            if s.handed_back {
                println!("state:     handed back: this tablet records nothing new; an administrator will revoke it");
            }
            for c in held_aside {
                println!(
                    "contested: {} change(s) came from two tablets ({} first, then {}), the \
                     second's wait aside since {}: if one of them is lost or stolen, revoke it \
                     (the other's changes then apply)",
                    c.changes,
                    c.logged_author,
                    c.kept_aside_author,
                    iso8601(c.since_ms)
                );
            }
        }
    }
}

fn print_fields(value: &Json, indent: &str) {
    let Json::Object(map) = value else {
        println!("{indent}{}", plain(value));
        return;
    };
    for (key, v) in map {
        match v {
            Json::Null => {}
            Json::Array(a) if a.is_empty() => {}
            Json::Array(a) if a.iter().all(|x| !x.is_object()) => {
                let parts: Vec<String> = a.iter().map(plain).collect();
                println!("{indent}{key}: {}", parts.join(", "));
            }
            Json::Array(a) => {
                println!("{indent}{key}:");
                for x in a {
                    print_fields(x, &format!("{indent}  "));
                    println!();
                }
            }
            Json::Object(_) => {
                println!("{indent}{key}:");
                print_fields(v, &format!("{indent}  "));
            }
            _ => println!("{indent}{key}: {}", plain(v)),
        }
    }
}

fn plain(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn client_json(c: &Client) -> Json {
    let loc = c.location.as_ref();
    json!({
        "id": c.id.to_string(),
        "name": c.name,
        "code": c.code,
        "sex": c.sex.map(|s| s.code()),
        "birth_year": c.birth_year,
        "phone": c.phone,
        "district": loc.map(|l| &l.district),
        "sector": loc.and_then(|l| l.sector.as_ref()),
        "cell": loc.and_then(|l| l.cell.as_ref()),
        "village": loc.and_then(|l| l.village.as_ref()),
        "target_groups": c.target_groups,
        "conflicts": c.conflicts,
        "created": iso8601(c.created_ms),
        "updated": iso8601(c.updated_ms),
    })
}

fn change_parts(change: &HistoryChange) -> (&'static str, Json) {
    let (what, v) = change.parts();
    (what, v.to_json())
}

fn history_json(e: &HistoryEntry) -> Json {
    let (change, value) = change_parts(&e.change);
    json!({
        "change": change,
        "value": value,
        "status": e.status.code(),
        "at": iso8601(e.at.wall_ms),
        "at_ms": e.at.wall_ms,
        "device": e.device.to_string(),
        "op_id": e.op_id.to_string(),
    })
}

fn short(s: &str) -> &str {
    &s[..8.min(s.len())]
}

/// UTC time as `YYYY-MM-DDTHH:MM:SSZ`, to the second; a time past the year 9999 (an absurd
/// clock) is its last second, as the core's dates stop at 9999-12-31.
pub fn iso8601(ms: u64) -> String {
    let t = i64::try_from(ms / 1000)
        .ok()
        .and_then(|secs| time::UtcDateTime::from_unix_timestamp(secs).ok())
        .unwrap_or(time::UtcDateTime::new(time::Date::MAX, time::Time::MAX));
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        t.date(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The tablets that cannot read the next format: id, role and the app each last reported.
fn print_behind<'a>(devices: impl IntoIterator<Item = &'a FleetDevice>) {
    let mut table = Columns::untitled().wrap(&[2]);
    for d in devices {
        let app = d.report.as_ref().map_or_else(
            || "an app too old to say".to_owned(),
            |r| format!("app {} (format {})", r.app_version, r.format),
        );
        table.row(vec![d.id.to_string(), d.role.as_str().to_owned(), app]);
    }
    table.print_indented("  ");
}

/// Changes kept aside because another tablet's change holds their id here: one of the two
/// tablets signed its own change under the other's id (a stolen tablet, ADR 0027).
fn contested(list: &[komora_core::Contested]) {
    for c in list {
        eprintln!(
            "komora: change {} came from two tablets ({} first, then {}): the second waits \
             aside; one of them may be stolen, tell the administrator",
            c.op_id, c.logged_author, c.kept_aside_author
        );
    }
}

#[cfg(test)]
mod tests {
    use super::iso8601;

    #[test]
    fn times_print_as_utc_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_796_004_000_000), "2026-11-30T02:00:00Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(u64::MAX), "9999-12-31T23:59:59Z");
    }
}
