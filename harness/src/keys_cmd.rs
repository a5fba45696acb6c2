//! `idpsim keys`: regenerate the pinned key fixtures.

use anyhow::Context;
use protocols::clock::snapshot_epoch;
use protocols::{KeyKind, SigningKey, Validity};
use std::path::Path;

/// (file stem, common name, years valid)
const PINNED: &[(&str, &str, i64)] = &[
    ("okta-1", "dev-okta", 10),
    ("okta-2", "dev-okta", 10),
    ("entra-1", "Microsoft Azure Federated SSO Certificate", 10),
    ("entra-2", "Microsoft Azure Federated SSO Certificate", 10),
    ("entra-3", "Microsoft Azure Federated SSO Certificate", 10),
    ("google-1", "Google", 10),
    ("google-2", "Google", 10),
    ("attacker", "attacker", 10),
];

/// Write RSA-2048 keys and self-signed certificates valid from 2025-12-31 for ten years.
pub fn generate(out: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for (stem, cn, years) in PINNED {
        let key = SigningKey::generate(
            KeyKind::Rsa,
            *stem,
            cn,
            Validity::current(snapshot_epoch(), *years),
        )?;
        std::fs::write(out.join(format!("{stem}.key.pem")), key.key_pem())?;
        std::fs::write(out.join(format!("{stem}.crt.pem")), key.cert_pem())?;
        eprintln!("wrote {stem}");
    }
    Ok(())
}
