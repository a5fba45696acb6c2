//! Encrypted assertions: the SP generates a decryption key, advertises it in its metadata, and
//! the IdP admin gives the IdP that metadata (saml_idp::encrypt), as a real admin would.

use super::IdpWorld;
use anyhow::{bail, Context as _};
use mock_idps::saml_idp::encrypt::{configure, NewEncryption};
use protocols::keys::{KeyKind, SigningKey, Validity};

impl IdpWorld {
    /// `org`'s SP gets a fresh RSA decryption key; its IdP app encrypts to the certificate read
    /// from the SP's metadata.
    pub async fn advertise_encryption(&mut self, org: &str) -> anyhow::Result<()> {
        if self.env.black_box.is_some() {
            bail!(
                "{}a black-box SP's decryption key is set up with the SP itself, not through \
                 the target admin API",
                crate::target::NOT_APPLICABLE
            );
        }
        let o = self.org(org)?;
        let now = o.tenant.now();
        let key = SigningKey::generate(
            KeyKind::Rsa,
            "sp-encryption",
            "idpsim SP encryption",
            Validity::current(now, 1),
        )?;
        let metadata_url = o.urls.saml_entity_id.clone();
        let o = self.org_mut(org)?;
        o.decryption = Some((key.key_pem().to_string(), key.cert_pem().to_string()));
        self.push_sso(org).await?;

        let metadata = reqwest::get(&metadata_url)
            .await
            .and_then(|r| r.error_for_status())
            .with_context(|| format!("fetching the SP metadata at {metadata_url}"))?
            .text()
            .await?;
        let o = self.org(org)?;
        let t = &o.tenant;
        let enc = configure(
            t,
            NewEncryption {
                sp_metadata: Some(metadata),
                ..NewEncryption::default()
            },
        )
        .map_err(|e| anyhow::anyhow!("the IdP refused the SP's encryption key: {e}"))?;
        let Some(app) = t.saml_apps().first().map(|a| a.id.clone()) else {
            bail!("{org}'s tenant has no SAML app");
        };
        t.set_app_encryption(&app, Some(enc));
        Ok(())
    }
}
