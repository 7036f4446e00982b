//! Every decoder that sees bytes from outside — envelopes from the server or a USB stick,
//! batch and summary files, enrolment codes and scanned enrolment links, dates typed by a
//! person, instrument definitions —
//! answers garbage with a typed error, never a panic, and garbage changes nothing in a vault.
//!
//! A proptest harness (CI runs the default number of cases per decoder; the long run is
//! `PROPTEST_CASES=200000 cargo test --release -p komora-scenarios --test
//! decoders_survive_garbage`). Any crash found becomes a named regression case below.

use komora_core::{
    decode_batch, encode_batch, Date, Instrument, NewClient, OpEnvelope, Summary, TeamKeys, Vault,
};
use komora_scenarios::{ManualClock, MORNING_MS};
use proptest::prelude::*;

fn vault_with_ops() -> (Vault, Vec<OpEnvelope>) {
    let keys = TeamKeys::generate();
    let mut a = Vault::ephemeral(&keys, ManualClock::at(MORNING_MS)).unwrap();
    for i in 0..3 {
        a.add_client(&NewClient {
            name: format!("Client {i}"),
            ..Default::default()
        })
        .unwrap();
    }
    let ops = a.all_ops().unwrap();
    let b = Vault::ephemeral(&keys, ManualClock::at(MORNING_MS)).unwrap();
    (b, ops)
}

proptest! {
    #[test]
    fn random_bytes_are_never_an_envelope_that_applies(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let (mut v, _) = vault_with_ops();
        if let Ok(env) = OpEnvelope::from_bytes(&bytes) {
            let report = v.apply_ops(&[env]).unwrap();
            prop_assert_eq!(report.applied, 0);
            prop_assert_eq!(report.rejected.len(), 1);
        }
        prop_assert!(v.clients().unwrap().items.is_empty());
    }

    #[test]
    fn a_well_framed_envelope_with_a_random_body_is_refused_as_corrupted(
        id in any::<[u8; 16]>(), tail in proptest::collection::vec(any::<u8>(), 28..400)
    ) {
        let (mut v, _) = vault_with_ops();
        let mut bytes = vec![komora_protocol::envelope::VERSION, 0, 0, 0, 1];
        bytes.extend_from_slice(&id);
        bytes.extend_from_slice(&tail);
        let env = OpEnvelope::from_bytes(&bytes).unwrap();
        let report = v.apply_ops(&[env]).unwrap();
        prop_assert_eq!(report.applied, 0);
        let reasons: Vec<_> = report.rejected.iter().map(|r| r.reason.clone()).collect();
        prop_assert_eq!(reasons, vec![komora_core::RejectReason::Corrupted]);
        prop_assert!(v.clients().unwrap().items.is_empty());
    }

    #[test]
    fn a_flipped_or_cut_envelope_is_refused_and_changes_nothing(
        which in 0usize..3, pos in any::<prop::sample::Index>(), bit in 0u8..8, cut in any::<bool>()
    ) {
        let (mut v, ops) = vault_with_ops();
        let mut bytes = ops[which].to_bytes();
        let i = pos.index(bytes.len());
        if cut {
            bytes.truncate(i);
        } else {
            bytes[i] ^= 1 << bit;
        }
        match OpEnvelope::from_bytes(&bytes) {
            Ok(env) => {
                let report = v.apply_ops(&[env]).unwrap();
                prop_assert_eq!(report.applied, 0, "a damaged envelope applied");
                prop_assert_eq!(report.rejected.len(), 1);
                prop_assert_eq!(v.audit_trail().unwrap().len(), 1, "the refusal is audited");
            }
            Err(e) => {
                let corrupted = matches!(e, komora_core::Error::Corrupted { .. });
                prop_assert!(corrupted, "a damaged envelope is reported as corrupted");
                prop_assert!(v.audit_trail().unwrap().is_empty(), "nothing reached the vault");
            }
        }
        // Nothing of it is in the vault: the only trace is the audit's note of the refusal.
        prop_assert!(v.clients().unwrap().items.is_empty());
        let trail = v.audit_trail().unwrap();
        prop_assert!(trail.len() <= 1);
        prop_assert!(trail.iter().all(|e| e.action == komora_core::AuditAction::Refused));
    }

    #[test]
    fn batch_and_summary_files_refuse_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let decoded = decode_batch(&bytes);
        if !bytes.starts_with(b"KMRAOPS") {
            prop_assert!(decoded.is_err(), "no batch without its magic");
        }
        let _ = Summary::from_bytes(&bytes);
        let mut with_magic = b"KMRAOPS1".to_vec();
        with_magic.extend_from_slice(&bytes);
        let _ = decode_batch(&with_magic);
    }

    #[test]
    fn a_damaged_batch_file_decodes_to_an_error_or_to_envelopes_that_do_not_apply(
        pos in any::<prop::sample::Index>(), byte in any::<u8>()
    ) {
        let (mut v, ops) = vault_with_ops();
        let mut file = encode_batch(&ops);
        let i = pos.index(file.len());
        let changed = file[i] != byte;
        file[i] = byte;
        if !changed {
            prop_assert!(decode_batch(&file).is_ok(), "an intact batch decodes");
        }
        if let Ok(decoded) = decode_batch(&file) {
            let report = v.apply_ops(&decoded).unwrap();
            if changed {
                prop_assert!(report.applied < 3, "every byte of a batch is checked: {:?}", report);
            } else {
                prop_assert_eq!(report.applied, 3);
            }
            prop_assert!(v.clients().unwrap().unreadable.is_empty());
        }
    }

    #[test]
    fn a_damaged_batch_file_with_a_device_list_is_refused_or_applies_only_intact_envelopes(
        pos in any::<prop::sample::Index>(), byte in any::<u8>()
    ) {
        let (mut v, ops) = vault_with_ops();
        let mut from = Vault::ephemeral(&v.team_keys(), ManualClock::at(MORNING_MS)).unwrap();
        from.apply_ops(&ops).unwrap();
        let mut file = from.export_batch(&Summary::default()).unwrap().0;
        let i = pos.index(file.len());
        let changed = file[i] != byte;
        file[i] = byte;
        match v.import_batch(&file) {
            Ok(report) => {
                if changed {
                    prop_assert!(report.applied < 3, "every byte is checked: {:?}", report);
                } else {
                    prop_assert_eq!(report.applied, 3);
                }
            }
            Err(e) => prop_assert!(changed, "an intact file was refused: {}", e),
        }
        prop_assert!(v.clients().unwrap().unreadable.is_empty());
    }

    #[test]
    fn enrolment_codes_and_dates_typed_wrong_are_refused(
        text in prop_oneof!["\\PC{0,40}", "[0-9a-zA-Z -]{18,26}", "[0-9]{4}-[0-9]{2}-[0-9]{2}"]
    ) {
        // Whatever was typed, a code accepted is 20 characters of the code alphabet, and
        // accepting it again changes nothing.
        if let Some(code) = komora_protocol::code::normalise(&text) {
            prop_assert_eq!(code.len(), komora_protocol::code::CODE_CHARS);
            prop_assert!(code.bytes().all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b)));
            prop_assert_eq!(komora_protocol::code::normalise(&code), Some(code.clone()));
        }
        if let Ok(d) = text.parse::<Date>() {
            prop_assert_eq!(d.to_string().parse::<Date>().unwrap(), d);
        }
    }

    #[test]
    fn a_scanned_qr_code_that_is_not_a_sound_enrolment_link_is_refused(
        text in prop_oneof![
            "\\PC{0,80}",
            "komora:enrol\\?[a-z=&%0-9A-F:/.-]{0,80}",
            "komora:enrol\\?server=https?%3A%2F%2F[a-z.%0-9A-F]{0,30}&code=[0-9A-Za-z -]{0,30}",
            "komora:enrol\\?server=https%3A%2F%2Fa&code=7K3MQ9XD2HPAVW4E8TRC&pin=sha256%2F[A-Za-z0-9+/=%]{0,50}",
        ],
        cut in any::<prop::sample::Index>()
    ) {
        // Whatever the camera read (another QR code, a cut scan, a forged link), the answer is
        // a refusal or an address a device may use, a code of the code alphabet and sound pins:
        // never a panic.
        let pin = komora_protocol::pin::CertificatePin::from_sha256([9; 32]);
        let good = komora_protocol::code::enrolment_link(
            "https://sync.ami.rw", "7K3M-Q9XD-2HPA-VW4E-8TRC", &[pin]);
        let cut_good = &good[..cut.index(good.len() + 1).min(good.len())];
        for t in [text.as_str(), cut_good] {
            if let Some(link) = komora_protocol::code::parse_enrolment_link(t) {
                prop_assert_eq!(komora_protocol::server_url::check_server_url(&link.server), Ok(()));
                prop_assert_eq!(link.code.len(), komora_protocol::code::CODE_CHARS);
                prop_assert_eq!(komora_protocol::code::normalise(&link.code), Some(link.code.clone()));
                prop_assert!(link.pins.len() <= komora_protocol::code::MAX_LINK_PINS);
                for p in &link.pins {
                    prop_assert_eq!(p.to_string().parse::<komora_protocol::pin::CertificatePin>(), Ok(*p));
                }
            }
        }
    }

    #[test]
    fn a_mangled_instrument_definition_is_refused_or_still_scores_within_its_range(
        pos in any::<prop::sample::Index>(), byte in 0x20u8..0x7f
    ) {
        let good = serde_json::to_string(komora_core::latest_instrument("phq-9").unwrap()).unwrap();
        let mut bytes = good.into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] = byte;
        if let Ok(text) = String::from_utf8(bytes) {
            if let Ok(inst) = Instrument::from_json(&text) {
                let (lo, hi) = inst.range();
                let top = inst.options.iter().map(|o| o.value).max().unwrap();
                let score = inst.score(&vec![top; inst.items.len()]).unwrap();
                prop_assert!(score.total >= lo && score.total <= hi);
                prop_assert!(!score.band.is_empty());
            }
        }
    }
}

/// The server's decoders, over a real socket: random push bodies and JSON from a token holder
/// get a 4xx, never a 5xx, and the server keeps serving.
#[test]
fn the_server_answers_garbage_bodies_with_a_refusal_and_keeps_serving() {
    use komora_scenarios::server::{backends, TestServer};
    let backend = backends().into_iter().next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(&backend, &dir.path().join("server"));
    let mut admin = komora_scenarios::bootstrap_admin(&server, &dir.path().join("admin"));
    let mut spy = komora_scenarios::TokenSpy::new(&server.url);
    admin.devices(&mut spy).unwrap();
    let token = spy.token.clone().unwrap();
    let http = reqwest::blocking::Client::new();
    let mut rng = komora_scenarios::Rng::new(7);
    let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
    for i in 0..300 {
        let len = rng.below(3000) as usize;
        let mut body: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        if i % 3 == 0 && !body.is_empty() {
            body[0] = 1; // looks like a small postcard vector
        }
        let (path, ctype) = match i % 4 {
            0 | 1 => ("/v1/push", "application/octet-stream"),
            2 => ("/v1/invites", "application/json"),
            _ => (
                "/v1/devices/00000000000000000000000000000001/revoke",
                "application/json",
            ),
        };
        let r = http
            .post(format!("{}{path}", server.url))
            .bearer_auth(&token)
            .header("content-type", ctype)
            .body(body)
            .send()
            .unwrap();
        *statuses.entry(r.status().as_u16()).or_default() += 1;
    }
    assert!(
        statuses.keys().all(|s| (400..500).contains(s)),
        "garbage is refused, never a server error: {statuses:?}"
    );
    admin
        .add_client(&NewClient {
            name: "After the storm".into(),
            ..Default::default()
        })
        .unwrap();
    let report = komora_scenarios::sync(&mut admin).unwrap();
    // A new client: her keys' operation and her fields'.
    assert_eq!(report.sent_ops, 2, "the server still works");
}
