//! Each vendor's Single Logout and the tenant-facing rules built on it: what an app may
//! configure, which URL the IdP advertises, and the sessions it remembers.

use super::error::SloError;
use super::model::{
    push_bounded, AppSlo, IdpSession, NewSlo, SloBinding, VendorSigning, VendorSlo,
};
use crate::personality::Vendor;
use crate::tenant::{SamlApp, Tenant};
use chrono::{DateTime, Utc};
use protocols::saml;

pub fn vendor_slo(v: Vendor) -> Result<VendorSlo, SloError> {
    match v {
        Vendor::Okta => Ok(VendorSlo {
            path: "app/{app_name}/{app_id}/slo/saml",
            url: "app/{tenant}_{app_name}_1/{app_key}/slo/saml",
            shared_with_sso: false,
            binding: SloBinding::Post,
            request_signature_required: true,
            signing: VendorSigning::Binding,
            per_app_switch: true,
        }),
        Vendor::Entra => Ok(VendorSlo {
            path: "saml2",
            url: "saml2",
            shared_with_sso: true,
            binding: SloBinding::Redirect,
            request_signature_required: false,
            signing: VendorSigning::Enveloped,
            per_app_switch: false,
        }),
        Vendor::Google => Err(SloError::VendorHasNoSlo),
    }
}

/// Validate `n` for `app` at `t`'s vendor.
pub fn configure(t: &Tenant, app: &SamlApp, n: NewSlo) -> Result<AppSlo, SloError> {
    let v = vendor_slo(t.vendor)?;
    url::Url::parse(&n.url).map_err(|source| SloError::BadUrl {
        url: n.url.clone(),
        source,
    })?;
    let binding = n.binding.unwrap_or(v.binding);
    if binding != v.binding {
        return Err(SloError::WrongBinding {
            vendor: t.personality().display_name,
            binding: v.binding,
        });
    }
    if let Some(pem) = &n.certificate {
        openssl::x509::X509::from_pem(pem.as_bytes()).map_err(SloError::BadCertificate)?;
    }
    if v.request_signature_required && n.certificate.is_none() && app.sp_signing_cert.is_none() {
        return Err(SloError::SignatureCertificateRequired {
            vendor: t.personality().display_name,
        });
    }
    if n.sp_issuer.as_deref().is_some_and(|i| i.trim().is_empty()) {
        return Err(SloError::EmptySpIssuer);
    }
    Ok(AppSlo {
        url: n.url,
        binding,
        sp_issuer: n.sp_issuer,
        certificate: n.certificate,
    })
}

/// The session a response about to be posted opens, when it carries an assertion with a
/// SessionIndex.
pub fn session_of(
    app: Option<&SamlApp>,
    spec: &saml::ResponseSpec,
    now: DateTime<Utc>,
) -> Option<IdpSession> {
    let app = app?;
    let a = spec.assertion.as_ref()?;
    let si = a.authn_statement.as_ref()?.session_index.clone()?;
    Some(IdpSession {
        app_id: app.id.clone(),
        sp_entity_id: app.sp_entity_id.clone(),
        name_id: a.name_id.value.clone(),
        session_index: si,
        started: now,
    })
}

/// Remember a session the IdP just issued.
pub fn remember(t: &Tenant, s: IdpSession) {
    push_bounded(&mut t.state.lock().slo.sessions, s);
}

/// The SLO URL the IdP advertises for `app`, when its vendor has SLO.
pub fn idp_slo_url(t: &Tenant, app: &SamlApp) -> Option<String> {
    let v = vendor_slo(t.vendor).ok()?;
    if v.shared_with_sso {
        // Entra's federation metadata names the SSO URL as the SLO Location (S3).
        return Some(t.saml_sso_url(app));
    }
    Some(
        t.url(
            &v.url
                .replace("{tenant}", t.id.as_str())
                .replace("{app_name}", &app.name)
                .replace("{app_key}", &app.key)
                .replace("{app_id}", &app.id),
        ),
    )
}

/// Whether the metadata of `app` lists SingleLogoutService: always at a vendor without a per-app
/// switch (Entra, S3), only with SLO enabled at Okta (S12), never at Google.
pub fn advertised(t: &Tenant, app: &SamlApp) -> bool {
    match vendor_slo(t.vendor) {
        Ok(v) => !v.per_app_switch || app.slo.is_some(),
        Err(_) => false,
    }
}
