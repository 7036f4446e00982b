//! Made-up case-work text, written the way AMI's counsellors write (issue 20): session notes
//! in English, French and Kinyarwanda-like sentences, often mixed within one note; safety
//! notes, follow-up plans, names and the short fields of clients, cases and consents.
//!
//! It is the only text the compression dictionary is trained on (`core/data/zstd/`), and the
//! text the size benches seal. Seeded: the same seed gives the same text, so a dictionary can
//! be made again byte for byte. Never real notes: every sentence here was written for this
//! file, and the Kinyarwanda is a counsellor's everyday phrasing, not taken from any record.

/// A small seeded generator (SplitMix64): the same seed, the same text on every machine.
pub struct Writer(u64);

const NOTE_EN: &[&str] = &[
    "She came on time and said the week had been hard since the rains started.",
    "He reported sleeping about {n} hours a night and waking with nightmares twice this week.",
    "We went back over the breathing exercise; she practised it {n} times since our last meeting.",
    "The anniversary period is approaching and memories of {w} came back strongly.",
    "Her husband did not come; she says he refuses to talk about what happened in {p}.",
    "We talked about the conflict with the neighbour over the boundary of the field.",
    "He has not been drinking for {n} days and is proud of it; we named what helped.",
    "The children are back in school; the eldest still cries at night, she says.",
    "She described a panic attack at the market and how she managed to calm down.",
    "We agreed that she will speak with the cell leader about the land dispute.",
    "Mood is lower than last time; she rated it {n} out of ten.",
    "He spoke for the first time about his years in prison and his fear of going back to {p}.",
    "The couple listened to each other without interrupting for most of the session.",
    "She says the healing group has helped her feel less alone.",
    "We reviewed the safety plan and the phone numbers she can call at night.",
    "There was no sign of self-harm; she denies thoughts of ending her life.",
    "He worries about money for school fees; we looked at the savings group in {p}.",
    "She cried when speaking about her mother and asked to stop for a moment.",
    "We practised how to ask her brother for help without starting a quarrel.",
    "Headaches and stomach pains are worse when he has to meet the family.",
    "We discussed what forgiveness means to her and that it cannot be forced.",
    "The home is calmer; the shouting has stopped for about {n} weeks, they both say.",
    "She wants to start a small business selling vegetables and we listed the first steps.",
    "Appetite is better and she has gained some weight since {w}.",
    "He was irritable at the start but settled after the relaxation exercise.",
    "The daughter joined for the last {n} minutes and spoke about school.",
];
const NOTE_FR: &[&str] = &[
    "Elle est venue à l'heure et dit que la semaine a été difficile depuis les pluies.",
    "Il dort environ {n} heures par nuit et se réveille avec des cauchemars.",
    "Nous avons repris l'exercice de respiration; elle l'a pratiqué {n} fois.",
    "La période de commémoration approche et les souvenirs de {w} reviennent.",
    "Son mari n'est pas venu; il refuse de parler de ce qui s'est passé à {p}.",
    "Nous avons parlé du conflit avec le voisin au sujet de la limite du champ.",
    "Il n'a pas bu depuis {n} jours et en est fier; nous avons nommé ce qui l'a aidé.",
    "L'humeur est plus basse que la dernière fois; elle la note {n} sur dix.",
    "Pas de signe d'automutilation; elle nie toute idée suicidaire.",
    "Le couple s'est écouté sans s'interrompre pendant presque toute la séance.",
    "Elle a pleuré en parlant de sa mère et a demandé une pause.",
    "Nous avons revu le plan de sécurité et les numéros à appeler la nuit.",
    "Les enfants sont retournés à l'école; l'aînée pleure encore la nuit.",
    "Elle veut commencer un petit commerce de légumes; nous avons listé les étapes.",
];
const NOTE_RW: &[&str] = &[
    "Yaje ku gihe avuga ko icyumweru cyamugoye kuva imvura yatangira.",
    "Avuga ko asinzira amasaha {n} gusa kandi akarota nabi kenshi.",
    "Twasubiyemo imyitozo yo guhumeka; yayikoze inshuro {n} kuva duheruka guhura.",
    "Igihe cyo kwibuka kiregereje kandi yibuka cyane ibyabereye i {p}.",
    "Umugabo we ntiyaje; avuga ko adashaka kuvuga ku byabaye.",
    "Twaganiriye ku makimbirane afitanye n'umuturanyi ku mbibi z'umurima.",
    "Amaze iminsi {n} atanywa inzoga kandi arabyishimira.",
    "Abana basubiye ku ishuri; umukuru aracyarira nijoro.",
    "Yumva afite agahinda kenshi; yagaragaje ko ari ku gipimo cya {n} ku icumi.",
    "Twemeranyije ko azavugana n'umuyobozi w'akagari ku kibazo cy'isambu.",
    "Nta kimenyetso cyo kwigirira nabi; avuga ko atatekereza kwiyahura.",
    "Itsinda ry'isanamitima ryamufashije kumva atari wenyine.",
    "Yarize avuga kuri nyina maze asaba ko duhagarara gato.",
    "Urugo rwatuje; induru zahagaze hashize ibyumweru {n}.",
    "Arashaka gutangira ubucuruzi buto bw'imboga; twanditse intambwe za mbere.",
    "Umugore n'umugabo bumvanye batarogoyana igihe kinini cy'ikiganiro.",
    "Afite impungenge z'amafaranga y'ishuri; twarebye itsinda ryo kuzigama ryo mu {p}.",
];
const WORDS: &[&str] = &[
    "April",
    "her father",
    "the church",
    "market day",
    "the old house",
    "the hills",
    "her first husband",
    "the river",
    "Umuganda",
    "the harvest",
    "her son",
    "Kwibuka",
];
const PLACES: &[&str] = &[
    "Huye",
    "Gisagara",
    "Nyaruguru",
    "Nyanza",
    "Nyabihu",
    "Ngoma",
    "Tumba",
    "Mbazi",
    "Kibeho",
    "Save",
    "Rusatira",
    "Kansi",
    "Bukavu",
    "Bangui",
];
const PLANS: &[&str] = &[
    "Practise the breathing exercise every evening and note the nights she sleeps well.",
    "Meet the couple together in two weeks; he will come if the work allows.",
    "Refer to the health centre for the headaches if they continue.",
    "Ask the local leader to join the next home visit to talk about the land.",
    "Continue with the healing group and check on attendance next time.",
    "Phone on Friday to hear how the talk with her brother went.",
    "Revoir la semaine prochaine; orienter vers le centre de santé si les maux continuent.",
    "Tuzongera guhura mu byumweru bibiri; azakomeza imyitozo yo guhumeka buri mugoroba.",
    "Azajya ku kigo nderabuzima niba umutwe ukomeje kumurya.",
    "Visite à domicile avec le chef de cellule pour parler de la terre.",
];
const SAFETY: &[&str] = &[
    "The husband was drinking when we arrived; meet at the health post next time.",
    "No concerns; the family welcomed us.",
    "A neighbour listened at the door; speak in the back room next time.",
    "Road impassable after rain; come in the morning.",
    "Umugabo yari yasinze tugeze; ubutaha tuzahurira ku kigo nderabuzima.",
    "Le voisin écoutait à la porte; parler dans la pièce du fond la prochaine fois.",
];
const HOUSEHOLD: &[&str] = &[
    "her husband",
    "the eldest daughter",
    "two younger children",
    "his mother",
    "her sister",
    "umugabo we",
    "nyirabukwe",
    "abana babiri",
    "sa belle-mère",
];
/// The family names: the practice team's first 20 (the dictionary was made from these 20, so
/// the count is part of what `zstd_dictionary --check` reproduces).
const FAMILY_COUNT: usize = 20;
const GIVEN: &[&str] = &[
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
    "Eric",
    "Jean-Claude",
    "Emmanuel",
    "Innocent",
    "Pacifique",
    "Théogène",
    "Jean de Dieu",
    "Félicien",
];
/// The list codes the forms offer (interventions, problems, groups): as stored.
const CODES: &[&str] = &[
    "psychoeducation",
    "relaxation",
    "trauma-narrative",
    "problem-solving",
    "safety-planning",
    "grief",
    "family-conflict",
    "gbv",
    "trauma",
    "substance-use",
    "ex-prisoner",
    "survivor",
    "widow",
    "youth",
    "couple",
    "office",
    "home",
    "phone",
    "services",
    "data-recording",
];

impl Writer {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }

    fn fill(&mut self, sentence: &str) -> String {
        let n = (2 + self.below(9)).to_string();
        let w = self.pick(WORDS);
        let p = self.pick(PLACES);
        sentence
            .replace("{n}", &n)
            .replace("{w}", w)
            .replace("{p}", p)
    }

    /// A session note of 300 to 800 characters. Its main language is English, Kinyarwanda or
    /// French (4:4:2), and about one sentence in six comes from another one, as counsellors
    /// switch between them.
    pub fn note(&mut self) -> String {
        let main = match self.below(10) {
            0..=3 => NOTE_EN,
            4..=7 => NOTE_RW,
            _ => NOTE_FR,
        };
        let target = 300 + self.below(501) as usize;
        let mut out = String::new();
        while out.len() < target {
            let from = match self.below(6) {
                0 => [NOTE_EN, NOTE_RW, NOTE_FR][self.below(3) as usize],
                _ => main,
            };
            let sentence = self.pick(from);
            let s = self.fill(sentence);
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&s);
        }
        if out.chars().count() > 800 {
            let mut cut: String = out.chars().take(800).collect();
            if let Some(space) = cut.rfind(' ') {
                cut.truncate(space);
            }
            cut.push('.');
            out = cut;
        }
        out
    }

    /// A short note: one sentence, in English, Kinyarwanda or French (4:4:2), as a home visit's
    /// note often is.
    pub fn short_note(&mut self) -> String {
        let from = match self.below(10) {
            0..=3 => NOTE_EN,
            4..=7 => NOTE_RW,
            _ => NOTE_FR,
        };
        let sentence = self.pick(from);
        self.fill(sentence)
    }

    pub fn follow_up_plan(&mut self) -> String {
        self.pick(PLANS).to_owned()
    }

    pub fn safety_note(&mut self) -> String {
        self.pick(SAFETY).to_owned()
    }

    pub fn household_member(&mut self) -> String {
        self.pick(HOUSEHOLD).to_owned()
    }

    /// A made-up name, family name first as AMI's registers write them.
    pub fn name(&mut self) -> String {
        format!(
            "{} {}",
            self.pick(&crate::practice::FAMILY[..FAMILY_COUNT]),
            self.pick(GIVEN)
        )
    }

    /// A list code as the forms store it.
    pub fn code(&mut self) -> String {
        self.pick(CODES).to_owned()
    }

    pub fn place(&mut self) -> String {
        self.pick(PLACES).to_owned()
    }

    /// A date of 2026 as the forms store it.
    pub fn date(&mut self) -> String {
        format!("2026-{:02}-{:02}", 1 + self.below(12), 1 + self.below(28))
    }

    /// A phone number as counsellors type it.
    pub fn phone(&mut self) -> String {
        format!("+2507{}{:07}", 2 + self.below(7), self.below(10_000_000))
    }

    /// 16 random-looking bytes (an operation id a change names), from the seed.
    pub fn id_bytes(&mut self) -> [u8; 16] {
        let mut out = [0; 16];
        out[..8].copy_from_slice(&self.next().to_le_bytes());
        out[8..].copy_from_slice(&self.next().to_le_bytes());
        out
    }

    /// An id as records hold one in a field (32 hex characters; random, so it never
    /// compresses: the dictionary must not learn any).
    pub fn id_text(&mut self) -> String {
        format!("{:016x}{:016x}", self.next(), self.next())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_writes_the_same_notes_in_the_three_languages() {
        let (mut a, mut b) = (Writer::new(7), Writer::new(7));
        let notes: Vec<String> = (0..200).map(|_| a.note()).collect();
        assert_eq!(notes, (0..200).map(|_| b.note()).collect::<Vec<_>>());
        for n in &notes {
            let len = n.chars().count();
            assert!((300..=801).contains(&len), "{len}");
        }
        let all = notes.concat();
        for word in ["the", "Twaganiriye", "nous"] {
            assert!(all.contains(word), "{word}");
        }
    }
}
