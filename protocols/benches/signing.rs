//! Signing throughput on the current core, beside openssl's raw RSA-2048 rate.
//!
//! `taskset -c 0 cargo bench -p protocols --bench signing` (or `make bench`). A plain timed loop,
//! no assertions: the figures are for reading. Each section is an independent function returning
//! rows, so other artefacts (id_token, ...) can add their own.
#![allow(clippy::print_stdout)] // printing the table is this binary's job

use chrono::Duration;
use protocols::clock::{Clock, ManualClock};
use protocols::keys::{KeyKind, SigningKey, Validity};
use protocols::saml::response::uri;
use protocols::saml::{
    build_response, AssertionSpec, AttributeSpec, AuthnStatementSpec, ConditionsSpec, IssuerSpec,
    NameIdSpec, ResponseSpec, SignOptions, SignaturePlacement, StatusSpec, SubjectConfirmationSpec,
    XmlStyle,
};
use std::hint::black_box;
use std::time::Instant;

/// How long each measurement runs.
const RUN: std::time::Duration = std::time::Duration::from_secs(2);

struct Row {
    section: &'static str,
    name: String,
    ops_per_sec: f64,
}

/// Run `f` repeatedly for [`RUN`] after a short warm-up; operations per second.
fn measure(mut f: impl FnMut()) -> f64 {
    let warm = Instant::now();
    while warm.elapsed() < std::time::Duration::from_millis(200) {
        f();
    }
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < RUN {
        for _ in 0..16 {
            f();
        }
        n += 16;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn rsa_key() -> SigningKey {
    let now = protocols::clock::snapshot_epoch();
    SigningKey::generate(KeyKind::Rsa, "bench", "bench", Validity::current(now, 1))
        .expect("RSA-2048 key generation")
}

// ---------------------------------------------------------------- section: raw RSA

fn raw_rsa_section(key: &SigningKey) -> Vec<Row> {
    let data = [7u8; 32];
    let ops = measure(|| {
        let mut signer =
            openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), key.pkey())
                .expect("signer");
        signer.update(black_box(&data)).expect("update");
        black_box(signer.sign_to_vec().expect("sign"));
    });
    vec![Row {
        section: "openssl",
        name: "RSA-2048 PKCS#1 v1.5 SHA-256 sign (openssl crate)".into(),
        ops_per_sec: ops,
    }]
}

// ---------------------------------------------------------------- section: SAML responses

/// A typical Okta response: NameID, bearer confirmation, conditions, authn statement and a
/// handful of attributes.
fn saml_spec() -> ResponseSpec {
    let now = ManualClock::fixed().now();
    let acs = "https://sp.acme.example/saml/acs".to_string();
    ResponseSpec {
        style: XmlStyle::default(),
        id: "id94827364510293847561".into(),
        issue_instant: now,
        destination: Some(acs.clone()),
        in_response_to: Some("_4f2a9e0c8b7d6a5f4e3d2c1b0a998877".into()),
        issuer: IssuerSpec {
            value: "http://www.okta.com/exk1fcia6d6EMsf331d8".into(),
            format: Some(uri::NAMEID_ENTITY.into()),
        },
        status: StatusSpec::success(),
        assertion: Some(AssertionSpec {
            id: "id18273645091827364510".into(),
            name_id: NameIdSpec {
                value: "alice@acme.example".into(),
                format: Some(uri::NAMEID_UNSPECIFIED.into()),
                name_qualifier: None,
                sp_name_qualifier: None,
            },
            subject_confirmation: Some(SubjectConfirmationSpec {
                method: uri::CM_BEARER.into(),
                recipient: Some(acs),
                not_on_or_after: Some(now + Duration::minutes(5)),
                in_response_to: Some("_4f2a9e0c8b7d6a5f4e3d2c1b0a998877".into()),
            }),
            conditions: Some(ConditionsSpec {
                not_before: Some(now - Duration::minutes(5)),
                not_on_or_after: Some(now + Duration::minutes(5)),
                audiences: vec!["https://sp.acme.example/saml".into()],
            }),
            authn_statement: Some(AuthnStatementSpec {
                authn_instant: now,
                session_index: Some("id18273645091827364510".into()),
                session_not_on_or_after: None,
                class_ref: uri::AC_PASSWORD_PROTECTED_TRANSPORT.into(),
            }),
            attributes: ["email", "firstName", "lastName", "groups"]
                .into_iter()
                .map(|name| AttributeSpec {
                    name: name.into(),
                    name_format: Some(uri::ATTRNAME_BASIC.into()),
                    friendly_name: None,
                    values: vec![format!("{name}-value"), format!("{name}-other")],
                })
                .collect(),
        }),
    }
}

fn saml_section(key: &SigningKey) -> Vec<Row> {
    let spec = saml_spec();
    [
        ("assertion-only", SignaturePlacement::Assertion),
        ("both", SignaturePlacement::Both),
        ("response-only", SignaturePlacement::Response),
        (
            "unsigned (build + serialise only)",
            SignaturePlacement::None,
        ),
    ]
    .into_iter()
    .map(|(label, placement)| {
        let opts = SignOptions {
            placement,
            ..SignOptions::default()
        };
        let ops = measure(|| {
            let tree = build_response(black_box(&spec), &opts, key).expect("build");
            black_box(tree.to_document());
        });
        Row {
            section: "saml",
            name: format!("Response, RSA-SHA256, {label}"),
            ops_per_sec: ops,
        }
    })
    .collect()
}

// ---------------------------------------------------------------- section: id_tokens

/// Claims shaped like an Okta id_token.
fn id_token_claims() -> serde_json::Value {
    let now = protocols::clock::snapshot_epoch().timestamp();
    serde_json::json!({
        "sub": "00u1fcia6d6EMsf331d8", "ver": 1, "iss": "https://dev-123.okta.example",
        "aud": "0oa1fcia6d6EMsf331d9", "iat": now, "exp": now + 3600,
        "jti": "ID.4eAWJOCMB3SX8XewDfVR", "amr": ["pwd"], "idp": "00o1fcia6d6EMsf331d7",
        "nonce": "n-0S6_WzA2Mj", "auth_time": now, "at_hash": "wfgvmE9VxjAudsl9lc6TqA",
        "preferred_username": "alice@acme.example", "name": "Alice Archer",
        "email": "alice@acme.example", "groups": ["Everyone", "ml-admins"]
    })
}

fn id_token_section(rsa: &SigningKey) -> Vec<Row> {
    let ec = SigningKey::generate(
        KeyKind::Ec,
        "bench-ec",
        "bench",
        Validity::current(protocols::clock::snapshot_epoch(), 1),
    )
    .expect("P-256 key generation");
    let claims = id_token_claims();
    let opts = protocols::jose::HeaderOptions::default();
    [("RS256", rsa), ("ES256", &ec)]
        .into_iter()
        .map(|(alg, key)| Row {
            section: "id_token",
            name: format!("id_token, {alg} (openssl, key parsed once)"),
            ops_per_sec: measure(|| {
                black_box(protocols::jose::sign(key, black_box(&claims), &opts).expect("sign"));
            }),
        })
        .collect()
}

// ---------------------------------------------------------------- table

fn main() {
    let key = rsa_key();
    let mut rows = Vec::new();
    rows.extend(raw_rsa_section(&key));
    rows.extend(saml_section(&key));
    rows.extend(id_token_section(&key));

    let raw = rows
        .iter()
        .find(|r| r.section == "openssl")
        .map(|r| r.ops_per_sec)
        .unwrap_or(f64::NAN);
    println!(
        "{:<9} {:<52} {:>12} {:>10} {:>9}",
        "section", "operation", "ops/s", "us/op", "vs raw"
    );
    for r in &rows {
        println!(
            "{:<9} {:<52} {:>12.0} {:>10.1} {:>8.0}%",
            r.section,
            r.name,
            r.ops_per_sec,
            1e6 / r.ops_per_sec,
            100.0 * r.ops_per_sec / raw
        );
    }
}
