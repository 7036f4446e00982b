//! The practice team: a vault of made-up clients for training new counsellors, so that a
//! trainee can search, open files, record sessions and give measures without touching anyone
//! real.
//!
//! A practice vault is an ordinary vault of its own (its own folder, keys and team), marked
//! as practice in its clear metadata, and never joined to a sync server: nothing in it can
//! reach a real team's tablets or server, and no real record can reach it (ADR 0017). The app
//! marks every screen of it. Its contents come from [`fill`], a seeded generator: the same
//! seed gives the same people, cases and sessions, which the screenshots and the tests rely
//! on. Every client's code starts with `PRACTICE-` so that a print-out or a spoken code cannot
//! be taken for a real person's.

use std::path::Path;

use crate::error::{Error, Result};
use crate::location::{AdminUnits, LocationInput};
use crate::vault::{Vault, VaultOptions};
use crate::{
    ConsentDecision, ConsentGiver, Language, NewAssessment, NewCase, NewClient, NewConsent,
    NewGroup, NewReferral, NewSession, ReferralStatus, RiskLevel, Sex,
};

/// The clear metadata key that marks a vault as a practice team's.
const PRACTICE_META: &str = "practice";
/// Every made-up client's code starts with this.
pub const PRACTICE_CODE_PREFIX: &str = "PRACTICE-";
/// How many made-up clients a practice team gets.
pub const PRACTICE_CLIENTS: usize = 24;

// Names common in Rwanda, combined at random: no list of real people. Family name first, as
// AMI's registers write them.
pub(crate) const FAMILY: &[&str] = &[
    "Mukamana",
    "Uwase",
    "Nyirahabimana",
    "Ingabire",
    "Umutoni",
    "Habimana",
    "Niyonzima",
    "Mugisha",
    "Uwimana",
    "Nshimiyimana",
    "Mukeshimana",
    "Hakizimana",
    "Niyonsaba",
    "Uwera",
    "Bizimana",
    "Ndayisaba",
    "Iradukunda",
    "Tuyishime",
    "Nsengimana",
    "Kayitesi",
    "Munyaneza",
    "Twagirimana",
    "Mukandayisenga",
    "Uwamahoro",
];
const GIVEN_F: &[&str] = &[
    "Odette",
    "Diane",
    "Claire",
    "Rose",
    "Alice",
    "Grace",
    "Chantal",
    "Beatha",
    "Solange",
    "Jeanne",
    "Immaculée",
    "Vestine",
    "Clémentine",
    "Espérance",
    "Josiane",
    "Hélène",
];
const GIVEN_M: &[&str] = &[
    "Eric",
    "Jean-Claude",
    "Emmanuel",
    "Innocent",
    "Théogène",
    "Faustin",
    "Jean-Bosco",
    "Célestin",
    "Pascal",
    "Didier",
    "Olivier",
    "Vincent",
];
const DISTRICTS: &[&str] = &["Huye", "Gisagara", "Nyaruguru", "Nyanza", "Nyabihu"];
const PROBLEMS: &[&str] = &[
    "trauma",
    "grief",
    "domestic-conflict",
    "substance-use",
    "reintegration",
    "depression",
    "anxiety",
    "social-isolation",
];
const NOTES: &[&str] = &[
    "Practice note: she talked about sleeping badly since the rains started; we agreed on a \
     short evening routine.",
    "Practice note: he described the quarrels at home and what sets them off; next time his \
     wife may join.",
    "Practice note: we went through the breathing exercise twice; she says it helps at the \
     market.",
    "Practice note: talked about the anniversary in April and who she can visit that week.",
    "Practice note: he came back from the health centre with the medicine; fewer headaches.",
    "Practice note: her daughter was present; they planned one meal a week together.",
];
const SAFETY: &str = "Practice note: meet outside the house if the husband has been drinking.";

/// A small, seeded random source (SplitMix64): enough for made-up data, reproducible by seed.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

impl Vault {
    /// Create a practice team's vault in `dir`, opened by `passphrase` (the tablet's PIN), and
    /// fill it with made-up clients from `seed`.
    pub fn create_practice(
        dir: impl AsRef<Path>,
        passphrase: &str,
        opts: VaultOptions,
        seed: u64,
    ) -> Result<Vault> {
        let mut v = Vault::create(dir, passphrase, opts)?;
        v.store.set_meta(PRACTICE_META, b"1")?;
        fill(&mut v, seed, PRACTICE_CLIENTS)?;
        Ok(v)
    }

    /// Whether this vault is a practice team's (its screens say so; it never syncs).
    pub fn is_practice(&self) -> Result<bool> {
        Ok(self.store.meta(PRACTICE_META)?.is_some())
    }

    /// Refuse what would mix a practice team with a real one (a case moved between them).
    pub(crate) fn refuse_practice(&self, what: &str) -> Result<()> {
        if self.is_practice()? {
            return Err(Error::Forbidden(format!(
                "{what}: the practice team's made-up records stay apart from real teams"
            )));
        }
        Ok(())
    }
}

/// Fill `v` with `clients` made-up clients: consent, a case each, sessions over the last
/// weeks (some due today, some at high risk), measures, referrals (one overdue), a household
/// and a healing group under way. Every client's code starts with [`PRACTICE_CODE_PREFIX`].
pub fn fill(v: &mut Vault, seed: u64, clients: usize) -> Result<()> {
    if !v.is_practice()? {
        return Err(Error::Forbidden(
            "made-up clients go in a practice team's vault only".into(),
        ));
    }
    let mut dice = Dice(seed);
    let today = v.today();
    let tree = AdminUnits::rwanda();
    let mut people = Vec::with_capacity(clients);
    let mut used = std::collections::BTreeSet::new();
    for n in 0..clients {
        let female = dice.chance(65);
        let name = loop {
            let given = if female {
                dice.pick(GIVEN_F)
            } else {
                dice.pick(GIVEN_M)
            };
            let name = format!("{} {given}", dice.pick(FAMILY));
            if used.insert(name.clone()) {
                break name;
            }
        };
        let district = dice.pick(DISTRICTS);
        let sectors = tree.units_under(&[district])?;
        let sector = sectors[dice.below(sectors.len())].clone();
        let cells = tree.units_under(&[district, &sector])?;
        let cell = cells[dice.below(cells.len())].clone();
        let villages = tree.units_under(&[district, &sector, &cell])?;
        let village = villages[dice.below(villages.len())].clone();
        let birth_year = (today.year() - 18 - dice.below(55) as i32) as u16;
        people.push(NewClient {
            name,
            code: Some(format!("{PRACTICE_CODE_PREFIX}{:03}", n + 1)),
            sex: Some(if female { Sex::Female } else { Sex::Male }),
            birth_year: Some(birth_year),
            phone: None,
            location: Some(LocationInput {
                district: district.to_owned(),
                sector: Some(sector),
                cell: Some(cell),
                village: Some(village),
            }),
            target_groups: vec![],
        });
    }
    let ids = v.add_clients(&people)?;
    for (n, &client) in ids.iter().enumerate() {
        for scope in ["services", "data-recording", "sharing"] {
            v.add_consent(&NewConsent {
                client,
                scope: scope.into(),
                decision: ConsentDecision::Given,
                language: Language::Kinyarwanda,
                given_by: ConsentGiver::Client,
                guardian_name: None,
                date: Some(today.add_days(-70)),
            })?;
        }
        let risk = match dice.below(10) {
            0 => RiskLevel::High,
            1..=3 => RiskLevel::Medium,
            _ => RiskLevel::Low,
        };
        let case = v.add_case(&NewCase {
            clients: vec![client],
            problems: vec![dice.pick(PROBLEMS).to_owned()],
            risk_level: Some(risk),
            // A day of its own for each: equal cases list in the same order everywhere.
            opened: Some(today.add_days(-90 + n as i64)),
            counsellor: None,
            supervisor: None,
        })?;
        let sessions = 1 + dice.below(3);
        for s in 0..sessions {
            let last = s + 1 == sessions;
            let home = dice.chance(40);
            let next = if last {
                // A few are due today, the rest in the coming weeks.
                Some(if n % 5 == 0 {
                    today
                } else {
                    today.add_days(3 + dice.below(20) as i64)
                })
            } else {
                None
            };
            v.add_session(&NewSession {
                case,
                date: Some(today.add_days(-50 + (s as i64) * 14 + dice.below(5) as i64)),
                duration_min: Some([45, 60, 60, 90][dice.below(4)]),
                modality: if home { "home-visit" } else { "office" }.into(),
                participants: vec![],
                interventions: vec!["supportive-counselling".into(), "psychoeducation".into()],
                notes: Some(dice.pick(NOTES).into()),
                follow_up_plan: Some("Practice plan: meet again; try the routine agreed.".into()),
                next_appointment: next,
                household_present: if home {
                    vec!["her sister".into()]
                } else {
                    vec![]
                },
                safety_notes: if home && dice.chance(30) {
                    Some(SAFETY.into())
                } else {
                    None
                },
                position: None,
            })?;
        }
        // A PHQ-9 at the start and, for most, one later that shows a change.
        // Item 9 (thoughts of self-harm) answered for two of them only: it raises the
        // suicide-risk flag, which should stand out in a caseload, not fill it.
        let first: Vec<u8> = (0..9)
            .map(|i| match i {
                8 => u8::from(n == 2 || n == 9),
                _ => (dice.below(3) + usize::from(i < 4)) as u8,
            })
            .collect();
        let mut a =
            NewAssessment::new(client, "phq-9", first.iter().map(|x| (*x).min(2)).collect());
        a.case = Some(case);
        a.date = Some(today.add_days(-55));
        v.add_assessment(&a)?;
        if dice.chance(70) {
            let later: Vec<u8> = first.iter().map(|x| x.saturating_sub(1).min(2)).collect();
            let mut b = NewAssessment::new(client, "phq-9", later);
            b.case = Some(case);
            b.date = Some(today.add_days(-10));
            v.add_assessment(&b)?;
        }
        if n % 7 == 3 {
            v.raise_risk(case, "violence-at-home")?;
        }
        if n % 6 == 1 {
            let referral = v.add_referral(&NewReferral {
                client,
                case: Some(case),
                destination: ["health-centre", "legal-aid", "isange"][dice.below(3)].into(),
                organisation: None,
                reason: Some("Practice referral".into()),
                // One in two is overdue: its follow-up date has passed.
                follow_up: Some(if dice.chance(50) {
                    today.add_days(-3)
                } else {
                    today.add_days(10)
                }),
                date: Some(today.add_days(-20)),
            })?;
            if dice.chance(30) {
                v.update_referral(referral, Some(ReferralStatus::Accepted), None)?;
            }
        }
    }
    if ids.len() >= 2 {
        v.link_clients(ids[0], ids[1], "spouse")?;
    }
    if ids.len() >= 12 {
        let group = v.add_group(&NewGroup {
            name: "Practice healing group".into(),
            kind: "healing-group".into(),
            facilitators: vec!["Trainer".into(), "Trainee".into()],
            members: ids[..12].to_vec(),
            cycle_length: None,
            started: Some(today.add_days(-14)),
        })?;
        for (number, days_ago) in [(1u8, 14i64), (2, 7)] {
            let session =
                v.add_group_session(group, number, None, Some(today.add_days(-days_ago)), None)?;
            for (i, &member) in ids[..12].iter().enumerate() {
                if !(i + number as usize).is_multiple_of(5) {
                    v.mark_attendance(session, member, true)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kdf::KdfParams;

    fn opts() -> VaultOptions {
        VaultOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
            ..Default::default()
        }
    }

    #[test]
    fn a_practice_team_is_filled_with_made_up_clients_marked_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let v = Vault::create_practice(dir.path().join("p"), "135791", opts(), 7).unwrap();
        assert!(v.is_practice().unwrap());
        let clients = v.clients().unwrap().items;
        assert_eq!(clients.len(), PRACTICE_CLIENTS);
        assert!(clients.iter().all(|c| c
            .code
            .as_deref()
            .is_some_and(|k| k.starts_with(PRACTICE_CODE_PREFIX))));
        assert_eq!(v.groups().unwrap().len(), 1);
        assert!(!v.caseload(&Default::default()).unwrap().is_empty());
    }

    #[test]
    fn the_same_seed_makes_the_same_people_and_a_real_vault_refuses_them() {
        let dir = tempfile::tempdir().unwrap();
        let a = Vault::create_practice(dir.path().join("a"), "135791", opts(), 7).unwrap();
        let b = Vault::create_practice(dir.path().join("b"), "135791", opts(), 7).unwrap();
        let names = |v: &Vault| {
            let mut n: Vec<String> = v
                .clients()
                .unwrap()
                .items
                .into_iter()
                .map(|c| c.name.clone())
                .collect();
            n.sort();
            n
        };
        assert_eq!(names(&a), names(&b));

        let mut real = Vault::create(dir.path().join("real"), "135791", opts()).unwrap();
        assert!(!real.is_practice().unwrap());
        assert!(matches!(fill(&mut real, 7, 3), Err(Error::Forbidden(_))));
        assert!(
            real.clients().unwrap().items.is_empty(),
            "nothing was added"
        );
    }
}
