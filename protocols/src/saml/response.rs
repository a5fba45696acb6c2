//! `samlp:Response` from plain data, signed where asked, and the POST form that carries it.
//!
//! The shape is Okta's: the Response declares only the protocol namespace, Issuer and Assertion
//! declare the assertion namespace themselves, each AttributeValue declares `xs`/`xsi` when it
//! carries `xsi:type`, and no whitespace between elements. Every element therefore declares
//! exactly what exclusive c14n renders there, so the document bytes of a signed subtree are its
//! canonical form.

use super::dsig::{sign_enveloped, DigestAlgorithm, SignatureAlgorithm, SignatureParams};
use super::SamlError;
use crate::clock::{saml_instant, saml_instant_millis};
use crate::keys::SigningKey;
use crate::xml::{ns, Element, NsDecl};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Well-known SAML URIs.
pub mod uri {
    pub const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
    pub const STATUS_REQUESTER: &str = "urn:oasis:names:tc:SAML:2.0:status:Requester";
    pub const STATUS_RESPONDER: &str = "urn:oasis:names:tc:SAML:2.0:status:Responder";
    pub const STATUS_VERSION_MISMATCH: &str = "urn:oasis:names:tc:SAML:2.0:status:VersionMismatch";
    pub const STATUS_AUTHN_FAILED: &str = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed";
    pub const STATUS_NO_PASSIVE: &str = "urn:oasis:names:tc:SAML:2.0:status:NoPassive";
    pub const STATUS_INVALID_NAMEID_POLICY: &str =
        "urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy";
    pub const STATUS_REQUEST_DENIED: &str = "urn:oasis:names:tc:SAML:2.0:status:RequestDenied";

    pub const NAMEID_UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
    pub const NAMEID_EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
    pub const NAMEID_PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
    pub const NAMEID_TRANSIENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
    pub const NAMEID_ENTITY: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";

    pub const ATTRNAME_BASIC: &str = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic";
    pub const ATTRNAME_URI: &str = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
    pub const ATTRNAME_UNSPECIFIED: &str =
        "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified";

    pub const CM_BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

    pub const AC_PASSWORD_PROTECTED_TRANSPORT: &str =
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
    pub const AC_PASSWORD: &str = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password";

    pub const BINDING_HTTP_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
    pub const BINDING_HTTP_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
}

/// Lexical choices that differ between IdPs (and that SP parsers sometimes trip on).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct XmlStyle {
    /// `saml2` (Okta) or `saml` (Entra, Google, ...); empty means the default namespace.
    pub assertion_prefix: String,
    /// `saml2p` (Okta) or `samlp`; empty means the default namespace.
    pub protocol_prefix: String,
    /// `xsi:type="xs:string"` on every AttributeValue.
    pub xsi_type: bool,
    /// `<ec:InclusiveNamespaces PrefixList="xs"/>` in the c14n transform.
    pub inclusive_prefix_list: bool,
    /// Instants with milliseconds (`…T00:00:00.000Z`): every vendor's real output (S8, S12, S13).
    pub millis: bool,
    /// The AttributeStatement before the AuthnStatement (Entra S8, Google S13); Okta writes the
    /// AuthnStatement first.
    pub attributes_first: bool,
    /// `xsi:type="xs:anyType"` instead of `xs:string` on typed values (Google S13).
    pub any_type: bool,
    /// `X509SubjectName` (the certificate's subject) beside the certificate in the assertion
    /// signature's KeyInfo (Google S13).
    pub key_info_subject_name: bool,
}

impl Default for XmlStyle {
    /// Okta's style.
    fn default() -> Self {
        Self {
            assertion_prefix: "saml2".into(),
            protocol_prefix: "saml2p".into(),
            xsi_type: true,
            inclusive_prefix_list: true,
            millis: false,
            attributes_first: false,
            any_type: false,
            key_info_subject_name: false,
        }
    }
}

impl XmlStyle {
    /// An instant as this style writes it.
    pub fn instant(&self, t: DateTime<Utc>) -> String {
        if self.millis {
            saml_instant_millis(t)
        } else {
            saml_instant(t)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerSpec {
    pub value: String,
    /// e.g. [`uri::NAMEID_ENTITY`]; omitted when `None`.
    pub format: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusSpec {
    /// Top-level StatusCode Value.
    pub code: String,
    /// Nested second-level StatusCode (e.g. [`uri::STATUS_AUTHN_FAILED`]).
    pub second_level: Option<String>,
    pub message: Option<String>,
}

impl StatusSpec {
    pub fn success() -> Self {
        Self {
            code: uri::STATUS_SUCCESS.into(),
            second_level: None,
            message: None,
        }
    }

    pub fn is_success(&self) -> bool {
        self.code == uri::STATUS_SUCCESS
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameIdSpec {
    pub value: String,
    pub format: Option<String>,
    pub name_qualifier: Option<String>,
    pub sp_name_qualifier: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectConfirmationSpec {
    /// [`uri::CM_BEARER`] for web SSO.
    pub method: String,
    pub recipient: Option<String>,
    pub not_on_or_after: Option<DateTime<Utc>>,
    pub in_response_to: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionsSpec {
    pub not_before: Option<DateTime<Utc>>,
    pub not_on_or_after: Option<DateTime<Utc>>,
    /// One AudienceRestriction holding these Audiences; none written when empty.
    pub audiences: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthnStatementSpec {
    pub authn_instant: DateTime<Utc>,
    pub session_index: Option<String>,
    pub session_not_on_or_after: Option<DateTime<Utc>>,
    pub class_ref: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeSpec {
    pub name: String,
    pub name_format: Option<String>,
    pub friendly_name: Option<String>,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssertionSpec {
    pub id: String,
    pub name_id: NameIdSpec,
    pub subject_confirmation: Option<SubjectConfirmationSpec>,
    pub conditions: Option<ConditionsSpec>,
    pub authn_statement: Option<AuthnStatementSpec>,
    /// No AttributeStatement is written when empty (an empty one is schema-invalid).
    pub attributes: Vec<AttributeSpec>,
}

/// Everything a Response says, as data. The assertion's Issuer and IssueInstant are the
/// response's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseSpec {
    #[serde(default)]
    pub style: XmlStyle,
    pub id: String,
    pub issue_instant: DateTime<Utc>,
    pub destination: Option<String>,
    pub in_response_to: Option<String>,
    pub issuer: IssuerSpec,
    pub status: StatusSpec,
    /// `None` for an error response. Emitted whenever present, even beside a non-Success status,
    /// so scenarios can build that inconsistency on purpose.
    pub assertion: Option<AssertionSpec>,
}

impl ResponseSpec {
    /// An error response: the given status, no assertion.
    #[allow(clippy::too_many_arguments)]
    pub fn error(
        id: impl Into<String>,
        issue_instant: DateTime<Utc>,
        destination: Option<String>,
        in_response_to: Option<String>,
        issuer: IssuerSpec,
        status: StatusSpec,
    ) -> Self {
        Self {
            style: XmlStyle::default(),
            id: id.into(),
            issue_instant,
            destination,
            in_response_to,
            issuer,
            status,
            assertion: None,
        }
    }
}

/// Which elements carry an enveloped signature.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SignaturePlacement {
    None,
    /// Entra's and Google's default.
    #[default]
    Assertion,
    Response,
    /// Okta's default: the assertion, then the response around it.
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignOptions {
    pub placement: SignaturePlacement,
    pub alg: SignatureAlgorithm,
    /// `None`: the digest that goes with `alg` (SHA-1 for RSA-SHA1, and so on).
    pub digest: Option<DigestAlgorithm>,
    /// Put the signing certificate in KeyInfo.
    pub key_info: bool,
}

impl Default for SignOptions {
    fn default() -> Self {
        Self {
            placement: SignaturePlacement::default(),
            alg: SignatureAlgorithm::RsaSha256,
            digest: None,
            key_info: true,
        }
    }
}

/// The Response as a tree, signed per `opts`. Mutate it and call `to_document()` to emit.
pub fn build_response(
    spec: &ResponseSpec,
    opts: &SignOptions,
    key: &SigningKey,
) -> Result<Element, SamlError> {
    let style = &spec.style;
    let p = style.protocol_prefix.as_str();
    let a = style.assertion_prefix.as_str();
    let instant = style.instant(spec.issue_instant);
    let inclusive: &[&str] = &["xs"];
    let params = SignatureParams {
        algorithm: opts.alg,
        digest: opts.digest.unwrap_or_else(|| opts.alg.default_digest()),
        inclusive_prefixes: style.inclusive_prefix_list.then_some(inclusive),
        key_info: opts.key_info,
    };

    let mut response = Element::new(p, "Response")
        .ns(p, ns::SAMLP)
        .attr_opt("Destination", spec.destination.as_deref())
        .attr("ID", spec.id.as_str())
        .attr_opt("InResponseTo", spec.in_response_to.as_deref())
        .attr("IssueInstant", instant.as_str())
        .attr("Version", "2.0")
        .child(issuer(a, &spec.issuer).ns(a, ns::SAML))
        .child(status(p, &spec.status));

    let sign_assertion = matches!(
        opts.placement,
        SignaturePlacement::Assertion | SignaturePlacement::Both
    );
    match &spec.assertion {
        Some(assertion_spec) => {
            let mut assertion = assertion(style, assertion_spec, &spec.issuer, &instant);
            if sign_assertion {
                let inherited: Vec<NsDecl> = response.namespaces.clone();
                sign_enveloped(&mut assertion, &inherited, &params, key)?;
                if style.key_info_subject_name && opts.key_info {
                    add_subject_name(&mut assertion, key);
                }
            }
            response = response.child(assertion);
        }
        None if sign_assertion => {
            return Err(SamlError::NoAssertionToSign {
                placement: opts.placement,
            })
        }
        None => {}
    }

    if matches!(
        opts.placement,
        SignaturePlacement::Response | SignaturePlacement::Both
    ) {
        sign_enveloped(&mut response, &[], &params, key)?;
    }
    Ok(response)
}

/// [`build_response`] serialised with an XML declaration.
pub fn build_response_xml(
    spec: &ResponseSpec,
    opts: &SignOptions,
    key: &SigningKey,
) -> Result<String, SamlError> {
    Ok(build_response(spec, opts, key)?.to_document())
}

/// Put the signing certificate's subject in the Signature's `X509Data`, before the certificate
/// (Google, S13). KeyInfo is outside SignedInfo, so the signature is unchanged.
fn add_subject_name(signed: &mut Element, key: &SigningKey) {
    let Some(data) = signed
        .child_named_mut("Signature")
        .and_then(|s| s.child_named_mut("KeyInfo"))
        .and_then(|k| k.child_named_mut("X509Data"))
    else {
        return;
    };
    data.children.insert(
        0,
        crate::xml::Node::Element(
            Element::new("ds", "X509SubjectName").text(certificate_subject(key.cert_der())),
        ),
    );
}

/// A certificate's subject as `KEY=value` pairs in certificate order, comma-separated (the form
/// Google writes, S13). Empty when the certificate cannot be read.
pub fn certificate_subject(der: &[u8]) -> String {
    let Ok(cert) = openssl::x509::X509::from_der(der) else {
        return String::new();
    };
    cert.subject_name()
        .entries()
        .filter_map(|e| {
            let key = e.object().nid().short_name().ok()?;
            let value = String::from_utf8_lossy(e.data().as_slice());
            Some(format!("{key}={value}"))
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn issuer(a: &str, spec: &IssuerSpec) -> Element {
    Element::new(a, "Issuer")
        .attr_opt("Format", spec.format.as_deref())
        .text(spec.value.as_str())
}

fn status(p: &str, spec: &StatusSpec) -> Element {
    let mut code = Element::new(p, "StatusCode").attr("Value", spec.code.as_str());
    if let Some(second) = &spec.second_level {
        code = code.child(Element::new(p, "StatusCode").attr("Value", second.as_str()));
    }
    let mut status = Element::new(p, "Status").child(code);
    if let Some(message) = &spec.message {
        status = status.child(Element::new(p, "StatusMessage").text(message.as_str()));
    }
    status
}

fn assertion(
    style: &XmlStyle,
    spec: &AssertionSpec,
    issuer_spec: &IssuerSpec,
    instant: &str,
) -> Element {
    let a = style.assertion_prefix.as_str();
    let e = |name: &str| Element::new(a, name);

    let nid = &spec.name_id;
    let mut subject = e("Subject").child(
        e("NameID")
            .attr_opt("Format", nid.format.as_deref())
            .attr_opt("NameQualifier", nid.name_qualifier.as_deref())
            .attr_opt("SPNameQualifier", nid.sp_name_qualifier.as_deref())
            .text(nid.value.as_str()),
    );
    if let Some(sc) = &spec.subject_confirmation {
        let mut conf = e("SubjectConfirmation").attr("Method", sc.method.as_str());
        if sc.recipient.is_some() || sc.not_on_or_after.is_some() || sc.in_response_to.is_some() {
            conf = conf.child(
                e("SubjectConfirmationData")
                    .attr_opt("InResponseTo", sc.in_response_to.as_deref())
                    .attr_opt("NotOnOrAfter", sc.not_on_or_after.map(|t| style.instant(t)))
                    .attr_opt("Recipient", sc.recipient.as_deref()),
            );
        }
        subject = subject.child(conf);
    }

    let mut out = e("Assertion")
        .ns(a, ns::SAML)
        .attr("ID", spec.id.as_str())
        .attr("IssueInstant", instant)
        .attr("Version", "2.0")
        .child(issuer(a, issuer_spec))
        .child(subject);

    if let Some(c) = &spec.conditions {
        let mut conditions = e("Conditions")
            .attr_opt("NotBefore", c.not_before.map(|t| style.instant(t)))
            .attr_opt("NotOnOrAfter", c.not_on_or_after.map(|t| style.instant(t)));
        if !c.audiences.is_empty() {
            let mut restriction = e("AudienceRestriction");
            for aud in &c.audiences {
                restriction = restriction.child(e("Audience").text(aud.as_str()));
            }
            conditions = conditions.child(restriction);
        }
        out = out.child(conditions);
    }

    let authn = spec.authn_statement.as_ref().map(|s| {
        e("AuthnStatement")
            .attr("AuthnInstant", style.instant(s.authn_instant))
            .attr_opt("SessionIndex", s.session_index.as_deref())
            .attr_opt(
                "SessionNotOnOrAfter",
                s.session_not_on_or_after.map(|t| style.instant(t)),
            )
            .child(e("AuthnContext").child(e("AuthnContextClassRef").text(s.class_ref.as_str())))
    });

    let attributes = (!spec.attributes.is_empty()).then(|| {
        let mut statement = e("AttributeStatement");
        for attr in &spec.attributes {
            let mut el = e("Attribute")
                .attr("Name", attr.name.as_str())
                .attr_opt("NameFormat", attr.name_format.as_deref())
                .attr_opt("FriendlyName", attr.friendly_name.as_deref());
            for v in &attr.values {
                let mut value = e("AttributeValue");
                if style.xsi_type {
                    let ty = if style.any_type {
                        "xs:anyType"
                    } else {
                        "xs:string"
                    };
                    value = value
                        .ns("xs", ns::XS)
                        .ns("xsi", ns::XSI)
                        .attr_ns("xsi", "type", ty);
                }
                el = el.child(value.text(v.as_str()));
            }
            statement = statement.child(el);
        }
        statement
    });
    let statements = if style.attributes_first {
        [attributes, authn]
    } else {
        [authn, attributes]
    };
    for st in statements.into_iter().flatten() {
        out = out.child(st);
    }
    out
}

/// The HTTP-POST binding page: a form that submits itself on load, with a button for browsers
/// without JavaScript. Every value is HTML-escaped.
pub fn post_form_html(
    action_url: &str,
    saml_response_b64: &str,
    relay_state: Option<&str>,
) -> String {
    post_form("SAMLResponse", action_url, saml_response_b64, relay_state)
}

pub(crate) fn post_form(
    param: &str,
    action_url: &str,
    message_b64: &str,
    relay_state: Option<&str>,
) -> String {
    let mut html = String::with_capacity(message_b64.len() + 600);
    html.push_str(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Signing in</title></head>\n\
         <body onload=\"document.forms[0].submit()\">\n\
         <noscript><p>JavaScript is off: press Continue to finish signing in.</p></noscript>\n\
         <form method=\"post\" action=\"",
    );
    html_escape(&mut html, action_url);
    html.push_str("\">\n<input type=\"hidden\" name=\"");
    html_escape(&mut html, param);
    html.push_str("\" value=\"");
    html_escape(&mut html, message_b64);
    html.push_str("\"/>\n");
    if let Some(rs) = relay_state {
        html.push_str("<input type=\"hidden\" name=\"RelayState\" value=\"");
        html_escape(&mut html, rs);
        html.push_str("\"/>\n");
    }
    html.push_str(
        "<noscript><input type=\"submit\" value=\"Continue\"/></noscript>\n</form>\n</body></html>\n",
    );
    html
}

fn html_escape(out: &mut String, s: &str) {
    crate::xml::escape_with(out, s, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::snapshot_epoch;
    use crate::keys::{KeyKind, Validity};
    use crate::xml::exc_c14n_at;
    use chrono::Duration;

    #[test]
    fn html_escape_escapes_the_five_and_copies_the_rest() {
        let mut out = String::from(">");
        html_escape(&mut out, "é&<x>\"y'/+=ü");
        assert_eq!(out, ">é&amp;&lt;x&gt;&quot;y&#39;/+=ü");
        let mut plain = String::new();
        html_escape(&mut plain, "PHNhbWxwOlJlc3BvbnNl+/=");
        assert_eq!(plain, "PHNhbWxwOlJlc3BvbnNl+/=");
    }

    fn key() -> SigningKey {
        SigningKey::generate(
            KeyKind::Rsa,
            "k",
            "idp",
            Validity::current(snapshot_epoch(), 1),
        )
        .unwrap()
    }

    fn spec() -> ResponseSpec {
        let now = snapshot_epoch();
        ResponseSpec {
            style: XmlStyle::default(),
            id: "id1".into(),
            issue_instant: now,
            destination: Some("https://sp.example/acs".into()),
            in_response_to: Some("req1".into()),
            issuer: IssuerSpec {
                value: "http://www.okta.com/exk1".into(),
                format: Some(uri::NAMEID_ENTITY.into()),
            },
            status: StatusSpec::success(),
            assertion: Some(AssertionSpec {
                id: "id2".into(),
                name_id: NameIdSpec {
                    value: "alice@example.com".into(),
                    format: Some(uri::NAMEID_UNSPECIFIED.into()),
                    name_qualifier: None,
                    sp_name_qualifier: None,
                },
                subject_confirmation: Some(SubjectConfirmationSpec {
                    method: uri::CM_BEARER.into(),
                    recipient: Some("https://sp.example/acs".into()),
                    not_on_or_after: Some(now + Duration::minutes(5)),
                    in_response_to: Some("req1".into()),
                }),
                conditions: Some(ConditionsSpec {
                    not_before: Some(now - Duration::minutes(5)),
                    not_on_or_after: Some(now + Duration::minutes(5)),
                    audiences: vec!["https://sp.example".into()],
                }),
                authn_statement: Some(AuthnStatementSpec {
                    authn_instant: now,
                    session_index: Some("id2".into()),
                    session_not_on_or_after: None,
                    class_ref: uri::AC_PASSWORD_PROTECTED_TRANSPORT.into(),
                }),
                attributes: vec![AttributeSpec {
                    name: "groups".into(),
                    name_format: Some(uri::ATTRNAME_BASIC.into()),
                    friendly_name: None,
                    values: vec!["a&b".into(), "c".into()],
                }],
            }),
        }
    }

    #[test]
    fn document_bytes_of_signed_subtrees_are_their_exclusive_c14n() {
        let opts = SignOptions {
            placement: SignaturePlacement::Both,
            ..SignOptions::default()
        };
        let r = build_response(&spec(), &opts, &key()).unwrap();
        let apath = r.path_to_id("id2").unwrap();
        let a = r.at_path(&apath).unwrap();
        assert_eq!(exc_c14n_at(&r, &apath, &["xs"]).unwrap(), a.to_xml());
        assert_eq!(r.exc_c14n(&[], &["xs"]), r.to_xml());
    }

    #[test]
    fn schema_order_and_okta_namespaces() {
        let opts = SignOptions {
            placement: SignaturePlacement::Both,
            ..SignOptions::default()
        };
        let r = build_response(&spec(), &opts, &key()).unwrap();
        let kids: Vec<&str> = r.elements().map(|e| e.name.as_str()).collect();
        assert_eq!(kids, ["Issuer", "Signature", "Status", "Assertion"]);
        assert_eq!(r.namespaces, vec![NsDecl::new("saml2p", ns::SAMLP)]);
        let a = r.child_named("Assertion").unwrap();
        let akids: Vec<&str> = a.elements().map(|e| e.name.as_str()).collect();
        assert_eq!(
            akids,
            [
                "Issuer",
                "Signature",
                "Subject",
                "Conditions",
                "AuthnStatement",
                "AttributeStatement"
            ]
        );
        let xml = r.to_xml();
        assert!(xml.contains(r#"<saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">"#));
        assert!(xml.contains(r#"<saml2:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">a&amp;b</saml2:AttributeValue>"#));
        assert!(xml.contains(r#"<ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="xs"></ec:InclusiveNamespaces>"#));
        assert!(xml.contains(r#"<saml2:SubjectConfirmationData InResponseTo="req1" NotOnOrAfter="2026-01-01T00:05:00Z" Recipient="https://sp.example/acs">"#));
    }

    #[test]
    fn error_response_has_second_level_status_and_no_assertion() {
        let s = ResponseSpec::error(
            "e1",
            snapshot_epoch(),
            None,
            Some("req".into()),
            spec().issuer,
            StatusSpec {
                code: uri::STATUS_RESPONDER.into(),
                second_level: Some(uri::STATUS_AUTHN_FAILED.into()),
                message: Some("no <such> user".into()),
            },
        );
        let opts = SignOptions {
            placement: SignaturePlacement::Response,
            ..SignOptions::default()
        };
        let r = build_response(&s, &opts, &key()).unwrap();
        assert!(r.child_named("Assertion").is_none());
        let xml = r.to_xml();
        assert!(xml.contains(r#"<saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"></saml2p:StatusCode></saml2p:StatusCode><saml2p:StatusMessage>no &lt;such&gt; user</saml2p:StatusMessage>"#));
        // Asking for an assertion signature without an assertion is an error.
        assert!(matches!(
            build_response(&s, &SignOptions::default(), &key()),
            Err(SamlError::NoAssertionToSign { .. })
        ));
    }

    #[test]
    fn unsigned_and_plain_style() {
        let mut s = spec();
        s.style = XmlStyle {
            assertion_prefix: "saml".into(),
            protocol_prefix: "samlp".into(),
            xsi_type: false,
            inclusive_prefix_list: false,
            ..XmlStyle::default()
        };
        let opts = SignOptions {
            placement: SignaturePlacement::None,
            ..SignOptions::default()
        };
        let xml = build_response_xml(&s, &opts, &key()).unwrap();
        assert!(xml
            .starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><samlp:Response xmlns:samlp="#));
        assert!(!xml.contains("Signature"));
        assert!(!xml.contains("xsi:type"));
        assert!(xml.contains("<saml:AttributeValue>c</saml:AttributeValue>"));
    }

    #[test]
    fn spec_round_trips_through_json() {
        let s = spec();
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<ResponseSpec>(&j).unwrap(), s);
        let o: SignOptions = serde_json::from_str(r#"{"placement":"Both"}"#).unwrap();
        assert_eq!(o.alg, SignatureAlgorithm::RsaSha256);
        assert!(o.key_info);
    }

    #[test]
    fn post_form_escapes_and_autosubmits() {
        let html = post_form_html("https://sp/acs?a=1&b=\"2\"", "PHg+", Some("<rs>&'"));
        assert!(html.contains(r#"action="https://sp/acs?a=1&amp;b=&quot;2&quot;""#));
        assert!(html.contains(r#"name="SAMLResponse" value="PHg+""#));
        assert!(html.contains(r#"name="RelayState" value="&lt;rs&gt;&amp;&#39;""#));
        assert!(html.contains("document.forms[0].submit()"));
        assert!(html.contains("<noscript><input type=\"submit\""));
        assert!(!post_form_html("/acs", "x", None).contains("RelayState"));
    }
}
