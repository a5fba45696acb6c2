//! Whether the SSO endpoint answers an AuthnRequest, and for which app and ACS: a pure function
//! of the request, the tenant's mode and registered apps, like `issue.rs` for the answer itself.
//! The handler only reads the request and turns the verdict into HTTP.
//!
//! Rules (docs/serve.md, "What the SSO endpoint refuses"):
//! - IDP-SSO-1: strict mode answers only registered SPs (by AuthnRequest Issuer); open mode
//!   takes any SP, and the SSO URL picks the app (an SP given the default app's URL gets the
//!   default app's issuer, as at the real vendors).
//! - IDP-SSO-2: strict mode refuses an SSO URL that names another app (by id or, as Okta's SSO
//!   URL does, by issuer key) than the request's issuer.
//! - IDP-SSO-3: the request's ACS must be registered for the app; open mode takes any ACS unless
//!   the app it picked registered its own.
//! - IDP-SSO-4: a request without an ACS goes to the app's first registered ACS, and is refused
//!   when there is none.
//! - IDP-SSO-5: a signed HTTP-Redirect request to an app with an SP signing certificate must
//!   verify.
//! - IDP-SSO-6: a vendor that refuses a Subject in the AuthnRequest (Entra, AADSTS900236)
//!   answers with a SAML error Response posted to the ACS, not an error page.

use crate::tenant::{Mode, SamlApp};
use protocols::saml;

/// What the policy reads of one AuthnRequest and its tenant.
#[derive(Debug, Clone, Copy)]
pub struct SsoRequest<'a> {
    pub mode: Mode,
    /// The app the SSO URL names (by id or issuer key), if it names one.
    pub app_hint: Option<&'a str>,
    pub issuer: &'a str,
    pub acs_url: Option<&'a str>,
    pub has_subject: bool,
    /// The whole query of an HTTP-Redirect request (None for HTTP-POST).
    pub raw_query: Option<&'a str>,
    /// The vendor answers a Subject in the request with an error (Entra).
    pub subject_is_error: bool,
}

/// Where the tenant's apps come from: its registered ones by id, SP entity id or issuer key,
/// and the ad hoc app of open mode.
pub trait AppSource {
    fn registered(&self, key: &str) -> Option<SamlApp>;
    fn open_app(&self, sp_entity_id: Option<&str>, acs: Option<&str>) -> SamlApp;
}

/// The request is answered at `acs` for `app`: with a login, or with a SAML error (IDP-SSO-6).
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub app: SamlApp,
    pub acs: String,
    pub answer: Answer,
}

/// What is posted back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Login,
    /// `Requester/RequestUnsupported`: the request carried a Subject (IDP-SSO-6).
    SubjectUnsupported,
}

/// Why nothing is posted back: the request gets an HTML error page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    /// IDP-SSO-1.
    #[error("the service provider {issuer} is not registered with this tenant")]
    UnregisteredSp { issuer: String },
    /// IDP-SSO-2.
    #[error("the AuthnRequest's issuer {issuer} belongs to another app than {hint}")]
    OtherApp { issuer: String, hint: String },
    /// IDP-SSO-3.
    #[error("AssertionConsumerServiceURL {acs} is not registered for {issuer}")]
    AcsNotRegistered { acs: String, issuer: String },
    /// IDP-SSO-4.
    #[error("the AuthnRequest names no AssertionConsumerServiceURL and none is registered")]
    NoAcs,
    /// IDP-SSO-5.
    #[error("the AuthnRequest signature does not verify")]
    BadSignature,
}

impl Rejected {
    /// The rule the refusal applies.
    pub fn rule(&self) -> &'static str {
        match self {
            Rejected::UnregisteredSp { .. } => "IDP-SSO-1",
            Rejected::OtherApp { .. } => "IDP-SSO-2",
            Rejected::AcsNotRegistered { .. } => "IDP-SSO-3",
            Rejected::NoAcs => "IDP-SSO-4",
            Rejected::BadSignature => "IDP-SSO-5",
        }
    }
}

/// Decide whether and where the tenant answers `r` (see the module docs for the rules).
pub fn accept(r: &SsoRequest<'_>, apps: &dyn AppSource) -> Result<Accepted, Rejected> {
    let issuer = r.issuer;
    let registered = apps.registered(issuer);
    let by_url = match (r.mode, r.app_hint) {
        (Mode::Open, Some(hint)) => apps.registered(hint).or_else(|| {
            let d = apps.open_app(Some(issuer), r.acs_url);
            (d.id == hint || d.key == hint).then_some(d)
        }),
        _ => None,
    };
    let issuer_registered = registered.is_some();
    let app = match (by_url, registered, r.mode) {
        (Some(a), _, _) | (None, Some(a), _) => a,
        (None, None, Mode::Open) => apps.open_app(Some(issuer), r.acs_url),
        (None, None, Mode::Strict) => {
            return Err(Rejected::UnregisteredSp {
                issuer: issuer.to_string(),
            })
        }
    };
    if let Some(hint) = r.app_hint {
        if r.mode == Mode::Strict && hint != app.id && hint != app.key {
            return Err(Rejected::OtherApp {
                issuer: issuer.to_string(),
                hint: hint.to_string(),
            });
        }
    }
    let acs = match r.acs_url {
        Some(u) if app.acs_urls.iter().any(|a| a == u) => u.to_string(),
        Some(u) if r.mode == Mode::Open && (app.acs_urls.is_empty() || !issuer_registered) => {
            u.to_string()
        }
        Some(u) => {
            return Err(Rejected::AcsNotRegistered {
                acs: u.to_string(),
                issuer: issuer.to_string(),
            })
        }
        None => app.acs_urls.first().cloned().ok_or(Rejected::NoAcs)?,
    };
    if let (Some(cert), Some(raw)) = (&app.sp_signing_cert, r.raw_query) {
        if crate::respond::query_map(Some(raw)).contains_key("Signature") {
            let der = openssl::x509::X509::from_pem(cert.as_bytes()).and_then(|c| c.to_der());
            if !der.is_ok_and(|d| saml::verify_redirect_signature(raw, &d).is_ok()) {
                return Err(Rejected::BadSignature);
            }
        }
    }
    let answer = if r.subject_is_error && r.has_subject {
        Answer::SubjectUnsupported
    } else {
        Answer::Login
    };
    Ok(Accepted { app, acs, answer })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SP: &str = "https://sp.example/metadata";
    const ACS: &str = "https://sp.example/acs";

    fn app(id: &str, key: &str, sp: &str, acs: &[&str]) -> SamlApp {
        SamlApp {
            id: id.into(),
            name: "idpsim_app".into(),
            key: key.into(),
            sp_entity_id: sp.into(),
            acs_urls: acs.iter().map(|a| a.to_string()).collect(),
            name_id_format: None,
            send_groups: false,
            groups_attribute: None,
            group_filter: None,
            allow_idp_initiated: true,
            sp_signing_cert: None,
            encryption: None,
            attribute_statements: None,
            attribute_name_format: None,
            millis: None,
            plain_metadata: false,
            slo: None,
        }
    }

    struct Apps(Vec<SamlApp>);

    impl AppSource for Apps {
        fn registered(&self, key: &str) -> Option<SamlApp> {
            self.0
                .iter()
                .find(|a| a.id == key || a.sp_entity_id == key || a.key == key)
                .cloned()
        }
        fn open_app(&self, sp: Option<&str>, acs: Option<&str>) -> SamlApp {
            app(
                "open",
                "openkey",
                sp.unwrap_or(""),
                &acs.into_iter().collect::<Vec<_>>(),
            )
        }
    }

    fn request(mode: Mode) -> SsoRequest<'static> {
        SsoRequest {
            mode,
            app_hint: None,
            issuer: SP,
            acs_url: Some(ACS),
            has_subject: false,
            raw_query: None,
            subject_is_error: false,
        }
    }

    fn registered() -> Apps {
        Apps(vec![app("0oa1", "exk1", SP, &[ACS])])
    }

    /// (rule, request, apps, expected app id and ACS or the refusal).
    type Case = (
        &'static str,
        SsoRequest<'static>,
        Apps,
        Result<(&'static str, &'static str), Rejected>,
    );

    fn cases() -> Vec<Case> {
        let strict = request(Mode::Strict);
        let open = request(Mode::Open);
        vec![
            (
                "IDP-SSO-1 strict answers a registered SP",
                strict,
                registered(),
                Ok(("0oa1", ACS)),
            ),
            (
                "IDP-SSO-1 strict refuses an unregistered SP",
                strict,
                Apps(vec![]),
                Err(Rejected::UnregisteredSp { issuer: SP.into() }),
            ),
            (
                "IDP-SSO-1 open takes any SP",
                open,
                Apps(vec![]),
                Ok(("open", ACS)),
            ),
            (
                "IDP-SSO-1 open: the SSO URL picks the app",
                SsoRequest {
                    app_hint: Some("0oa1"),
                    issuer: "https://other.example",
                    ..open
                },
                registered(),
                Ok(("0oa1", ACS)),
            ),
            (
                "IDP-SSO-2 strict refuses a URL naming another app",
                SsoRequest {
                    app_hint: Some("0oa2"),
                    ..strict
                },
                registered(),
                Err(Rejected::OtherApp {
                    issuer: SP.into(),
                    hint: "0oa2".into(),
                }),
            ),
            (
                "IDP-SSO-2 strict accepts the app's issuer key in the URL",
                SsoRequest {
                    app_hint: Some("exk1"),
                    ..strict
                },
                registered(),
                Ok(("0oa1", ACS)),
            ),
            (
                "IDP-SSO-3 strict refuses an unregistered ACS",
                SsoRequest {
                    acs_url: Some("https://evil.example/acs"),
                    ..strict
                },
                registered(),
                Err(Rejected::AcsNotRegistered {
                    acs: "https://evil.example/acs".into(),
                    issuer: SP.into(),
                }),
            ),
            (
                "IDP-SSO-3 open refuses another ACS for a registered app",
                SsoRequest {
                    acs_url: Some("https://evil.example/acs"),
                    ..open
                },
                registered(),
                Err(Rejected::AcsNotRegistered {
                    acs: "https://evil.example/acs".into(),
                    issuer: SP.into(),
                }),
            ),
            (
                "IDP-SSO-4 no ACS goes to the first registered one",
                SsoRequest {
                    acs_url: None,
                    ..strict
                },
                registered(),
                Ok(("0oa1", ACS)),
            ),
            (
                "IDP-SSO-4 no ACS anywhere is refused",
                SsoRequest {
                    acs_url: None,
                    ..open
                },
                Apps(vec![]),
                Err(Rejected::NoAcs),
            ),
        ]
    }

    #[test]
    fn idp_sso_1_to_4_rules_table() {
        for (name, req, apps, want) in cases() {
            let got = accept(&req, &apps).map(|a| (a.app.id, a.acs));
            let want = want.map(|(id, acs)| (id.to_string(), acs.to_string()));
            assert_eq!(got, want, "{name}");
            if let Err(e) = &got {
                assert_eq!(name.split(' ').next(), Some(e.rule()), "{name}");
            }
        }
    }

    #[test]
    fn idp_sso_5_redirect_signature_must_verify() {
        let key = &crate::keys::pinned_keys(crate::personality::Vendor::Okta).foreign;
        let mut signed = app("0oa1", "exk1", SP, &[ACS]);
        signed.sp_signing_cert = Some(key.cert_pem().to_string());
        let apps = Apps(vec![signed]);
        let raw = "SAMLRequest=abc&SigAlg=x&Signature=bm90LWEtc2lnbmF0dXJl";
        let req = SsoRequest {
            raw_query: Some(raw),
            ..request(Mode::Strict)
        };
        assert_eq!(accept(&req, &apps), Err(Rejected::BadSignature));
        // An unsigned request is not checked.
        let unsigned = SsoRequest {
            raw_query: Some("SAMLRequest=abc"),
            ..req
        };
        assert!(accept(&unsigned, &apps).is_ok());
    }

    #[test]
    fn idp_sso_6_subject_in_request_is_answered_with_a_saml_error() {
        let req = SsoRequest {
            has_subject: true,
            subject_is_error: true,
            ..request(Mode::Strict)
        };
        let got = accept(&req, &registered()).expect("answered");
        assert_eq!(
            (got.answer, got.acs.as_str()),
            (Answer::SubjectUnsupported, ACS)
        );
        let other_vendor = SsoRequest {
            subject_is_error: false,
            ..req
        };
        assert_eq!(
            accept(&other_vendor, &registered()).map(|a| a.answer),
            Ok(Answer::Login)
        );
    }
}
