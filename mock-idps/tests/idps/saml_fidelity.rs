//! Vendor fidelity of the SAML artefacts: metadata and Responses against the structural facts
//! of the vendor audit (shared/reference/vendor-audit.md), each assertion naming its source
//! (S-number), plus the app settings that restore idpsim's earlier output.

use crate::common::*;
use crate::saml::*;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use mock_idps::control::{okta_profile_statements, NewSamlApp};
use mock_idps::next_login::NextLogin;
use mock_idps::personality::UserField;
use mock_idps::tenant::AttributeStatement;
use mock_idps::{MockIdps, Vendor};
use protocols::saml::response::uri;
use protocols::xml::{self, Element};

fn children<'a>(e: &'a Element, name: &str) -> Vec<&'a Element> {
    e.elements().filter(|c| c.name == name).collect()
}

fn names(e: &Element) -> Vec<&str> {
    e.elements().map(|c| c.name.as_str()).collect()
}

fn instant(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s:?} is not an instant: {e}"))
        .with_timezone(&Utc)
}

fn millis(s: &str) -> bool {
    regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        .expect("regex")
        .is_match(s)
}

/// The metadata document of the test app, parsed.
async fn metadata(idps: &MockIdps, vendor: Vendor) -> (String, Element) {
    let t = idps.tenant(vendor, "acme").expect("tenant");
    let app = t.saml_app(SP).expect("app");
    let a = get(
        idps,
        &path_of(&t.app_path(t.personality().saml.metadata_path, &app)),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let doc = xml::parse(&a.body).expect("metadata parses");
    (a.body, doc)
}

/// Sign Alice in through the SSO URL the metadata advertises; the Response, parsed.
async fn alice(idps: &MockIdps, vendor: Vendor) -> (String, Element) {
    let t = idps.tenant(vendor, "acme").expect("tenant");
    t.state.lock().next_login = Some(NextLogin {
        user: Some("alice@acme.example".into()),
        ..NextLogin::default()
    });
    let app = t.saml_app(SP).expect("app");
    let sso = path_of(&t.saml_sso_url(&app));
    let x = login(idps, &sso, &request("_fid", None, None)).await;
    let doc = xml::parse(&x).expect("response parses");
    (x, doc)
}

fn reconfigure(idps: &MockIdps, vendor: Vendor, f: impl FnOnce(&mut mock_idps::tenant::SamlApp)) {
    let t = idps.tenant(vendor, "acme").expect("tenant");
    let mut st = t.state.lock();
    f(&mut st.saml_apps[0]);
}

fn attribute<'a>(doc: &'a Element, name: &str) -> Option<&'a Element> {
    doc.find_all("Attribute")
        .into_iter()
        .find(|a| attr(a, "Name") == Some(name))
}

#[tokio::test]
async fn okta_metadata_matches_s12() {
    let (idps, _) = idps();
    tenant(&idps, Vendor::Okta);
    let t = idps.tenant(Vendor::Okta, "acme").expect("tenant");
    let app = t.saml_app(SP).expect("app");
    let (_, md) = metadata(&idps, Vendor::Okta).await;
    let entity = attr(&md, "entityID").expect("entityID").to_string();
    let exk = entity
        .strip_prefix("http://www.okta.com/")
        .expect("S12: Okta issuer http://www.okta.com/exk…");
    assert!(exk.starts_with("exk"), "S12: issuer key {exk}");
    let idp = first(&md, "IDPSSODescriptor").expect("IDPSSODescriptor");
    assert_eq!(
        children(idp, "KeyDescriptor").len(),
        1,
        "S12: one KeyDescriptor in Okta app metadata"
    );
    let formats: Vec<String> = children(idp, "NameIDFormat")
        .into_iter()
        .map(text)
        .collect();
    assert_eq!(
        formats,
        [uri::NAMEID_UNSPECIFIED, uri::NAMEID_EMAIL],
        "S12: NameIDFormats unspecified + emailAddress"
    );
    assert!(
        children(idp, "SingleLogoutService").is_empty(),
        "S12: no SLO advertised unless enabled"
    );
    for sso in children(idp, "SingleSignOnService") {
        let loc = attr(sso, "Location").expect("Location");
        assert!(
            loc.ends_with(&format!("/app/acme_{}_1/{exk}/sso/saml", app.name)),
            "S12: SSO URL app/{{org}}_{{app}}_1/{{exk}}/sso/saml, got {loc}"
        );
    }
    // The advertised URL and the old 0oa one both sign in.
    let old = path_of(&t.app_path(t.personality().saml.sso_path, &app));
    let x = login(&idps, &old, &request("_old", None, None)).await;
    assert!(x.contains(&entity), "the 0oa SSO URL still answers");
}

#[tokio::test]
async fn okta_response_matches_s12_and_attributes_need_statements() {
    let (idps, _) = idps();
    tenant(&idps, Vendor::Okta);
    let (_, r) = alice(&idps, Vendor::Okta).await;
    let a = first(&r, "Assertion").expect("assertion");
    let id = attr(a, "ID").expect("ID");
    assert!(
        regex::Regex::new(r"^id\d{25}$").expect("re").is_match(id),
        "S12: assertion ID id+25 digits, got {id}"
    );
    assert!(
        millis(attr(&r, "IssueInstant").expect("IssueInstant")),
        "S12: ms timestamps"
    );
    assert!(
        first(a, "AttributeStatement").is_none(),
        "S12: a fresh Okta app defines no attribute statements, so sends none"
    );

    // The admin defines attribute statements and a group attribute statement with a filter.
    reconfigure(&idps, Vendor::Okta, |app| {
        app.attribute_statements = Some(okta_profile_statements());
        app.groups_attribute = Some("groups".into());
        app.group_filter = Some(mock_idps::tenant::GroupFilter::StartsWith("ml-a".into()));
    });
    let (_, r) = alice(&idps, Vendor::Okta).await;
    let a = first(&r, "Assertion").expect("assertion");
    let attrs = a.find_all("Attribute");
    let got: Vec<&str> = attrs.iter().filter_map(|x| attr(x, "Name")).collect();
    assert_eq!(got, ["email", "firstName", "lastName", "groups"]);
    for x in &attrs {
        assert_eq!(
            attr(x, "NameFormat"),
            Some(uri::ATTRNAME_UNSPECIFIED),
            "S12: every Okta attribute says NameFormat unspecified"
        );
    }
    assert_eq!(
        attribute_values(&r, "groups"),
        Some(vec!["ml-admins".to_string()]),
        "groups only through the group attribute statement and its filter"
    );
    assert_eq!(
        names(a)[names(a).len() - 2..],
        ["AuthnStatement", "AttributeStatement"],
        "S12: Okta writes the AuthnStatement first"
    );

    // The old output, selected explicitly: basic NameFormat, whole seconds.
    reconfigure(&idps, Vendor::Okta, |app| {
        app.attribute_name_format = Some(uri::ATTRNAME_BASIC.into());
        app.millis = Some(false);
    });
    let (_, r) = alice(&idps, Vendor::Okta).await;
    let email = attribute(&r, "email").expect("email");
    assert_eq!(attr(email, "NameFormat"), Some(uri::ATTRNAME_BASIC));
    assert!(!millis(attr(&r, "IssueInstant").expect("IssueInstant")));
}

#[tokio::test]
async fn entra_response_matches_s8_and_s2() {
    let (idps, _) = idps();
    tenant(&idps, Vendor::Entra);
    let (xml_text, r) = alice(&idps, Vendor::Entra).await;
    let a = first(&r, "Assertion").expect("assertion");
    let id = attr(a, "ID").expect("ID");
    let issued = instant(attr(a, "IssueInstant").expect("IssueInstant"));
    assert!(
        millis(attr(a, "IssueInstant").expect("IssueInstant")),
        "S8: ms timestamps"
    );
    let c = first(a, "Conditions").expect("Conditions");
    assert_eq!(
        instant(attr(c, "NotBefore").expect("NotBefore")),
        issued - Duration::minutes(5),
        "S8: NotBefore = IssueInstant - 5 min"
    );
    assert_eq!(
        instant(attr(c, "NotOnOrAfter").expect("NotOnOrAfter")),
        issued + Duration::minutes(60),
        "S8: NotOnOrAfter = IssueInstant + 60 min"
    );
    let scd = first(a, "SubjectConfirmationData").expect("SCD");
    assert_eq!(
        instant(attr(scd, "NotOnOrAfter").expect("NotOnOrAfter")),
        issued + Duration::minutes(60),
        "S8: SubjectConfirmationData NotOnOrAfter = IssueInstant + 60 min"
    );
    let authn = first(a, "AuthnStatement").expect("AuthnStatement");
    assert_eq!(
        attr(authn, "SessionIndex"),
        Some(id),
        "S8: SessionIndex = assertion ID"
    );
    for claim in [
        "http://schemas.microsoft.com/identity/claims/displayname",
        "http://schemas.microsoft.com/claims/authnmethodsreferences",
    ] {
        assert!(attribute(&r, claim).is_some(), "S8: {claim} always present");
    }
    assert_eq!(
        attribute_values(
            &r,
            "http://schemas.microsoft.com/claims/authnmethodsreferences"
        ),
        Some(vec![
            mock_idps::personality::ENTRA_AUTHN_METHOD_PASSWORD.to_string()
        ])
    );
    assert_eq!(
        names(a)[names(a).len() - 2..],
        ["AttributeStatement", "AuthnStatement"],
        "S8: AuthnStatement after AttributeStatement"
    );
    // Signed and still verifiable (statement order and ms change nothing for xmlsec1).
    let cert = openssl::x509::X509::from_der(&active_cert(&idps, Vendor::Entra)).expect("cert");
    let pem = String::from_utf8(cert.to_pem().expect("pem")).expect("utf8");
    assert!(xmlsec1_verify(&xml_text, &pem, id), "xmlsec1 verifies");

    // S2: groups only once groupMembershipClaims is configured (send_groups).
    let groups = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups";
    assert!(
        attribute(&r, groups).is_some(),
        "the test app asks for groups"
    );
    reconfigure(&idps, Vendor::Entra, |app| app.send_groups = false);
    let (_, r) = alice(&idps, Vendor::Entra).await;
    assert!(
        attribute(&r, groups).is_none(),
        "S2: no groups claim unless configured"
    );
}

#[tokio::test]
async fn entra_open_default_app_sends_no_groups() {
    let (idps, _) = idps();
    let t = idps
        .create_tenant(mock_idps::NewTenant {
            vendor: Some(Vendor::Entra),
            id: Some("open".into()),
            mode: mock_idps::Mode::Open,
            ..mock_idps::NewTenant::default()
        })
        .expect("open tenant");
    assert!(
        !t.default_saml_app().send_groups,
        "S2: an unconfigured app sends no groups"
    );
}

#[tokio::test]
async fn entra_federation_metadata_matches_s3() {
    let (idps, _) = idps();
    tenant(&idps, Vendor::Entra);
    let (body, md) = metadata(&idps, Vendor::Entra).await;
    assert_eq!(md.name, "EntityDescriptor");
    assert_eq!(md.prefix, "", "S3: default metadata namespace");
    let id = attr(&md, "ID")
        .expect("S3: EntityDescriptor has an ID")
        .to_string();
    assert_eq!(
        names(&md),
        [
            "Signature",
            "RoleDescriptor",
            "RoleDescriptor",
            "IDPSSODescriptor"
        ],
        "S3: enveloped signature, two RoleDescriptors, the IDPSSODescriptor"
    );
    let types: Vec<&str> = children(&md, "RoleDescriptor")
        .into_iter()
        .filter_map(|r| r.attr_value_ns("xsi", "type"))
        .collect();
    assert_eq!(
        types,
        ["fed:SecurityTokenServiceType", "fed:ApplicationServiceType"],
        "S3: RoleDescriptor types"
    );
    let idp = first(&md, "IDPSSODescriptor").expect("IDPSSODescriptor");
    assert!(
        attr(idp, "WantAuthnRequestsSigned").is_none(),
        "S3: no WantAuthnRequestsSigned"
    );
    assert!(
        children(idp, "NameIDFormat").is_empty(),
        "S3: no NameIDFormat"
    );
    assert_eq!(children(idp, "KeyDescriptor").len(), 1, "S3: one app cert");
    let slo: Vec<&str> = children(idp, "SingleLogoutService")
        .into_iter()
        .filter_map(|s| attr(s, "Binding"))
        .collect();
    assert_eq!(slo, [uri::BINDING_HTTP_REDIRECT], "S3: SLO Redirect only");
    let cert = openssl::x509::X509::from_der(&active_cert(&idps, Vendor::Entra)).expect("cert");
    let pem = String::from_utf8(cert.to_pem().expect("pem")).expect("utf8");
    assert!(
        xmlsec1_verify_metadata(&body, &pem, &id),
        "S3: the enveloped signature verifies with xmlsec1"
    );
    assert!(
        !xmlsec1_verify_metadata(&body.replacen("saml2", "saml3", 1), &pem, &id),
        "a tampered copy fails"
    );

    // The plain document, selected explicitly.
    reconfigure(&idps, Vendor::Entra, |app| app.plain_metadata = true);
    let (_, md) = metadata(&idps, Vendor::Entra).await;
    assert_eq!(md.prefix, "md");
    assert!(first(&md, "RoleDescriptor").is_none());
}

fn xmlsec1_verify_metadata(xml_text: &str, cert_pem: &str, node_id: &str) -> bool {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = dir.path().join("m.xml");
    let cert = dir.path().join("c.pem");
    std::fs::write(&doc, xml_text).expect("write");
    std::fs::write(&cert, cert_pem).expect("write");
    std::process::Command::new("xmlsec1")
        .args(["--verify", "--pubkey-cert-pem"])
        .arg(&cert)
        .args([
            "--id-attr:ID",
            "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor",
            "--node-id",
            node_id,
        ])
        .arg(&doc)
        .output()
        .expect("xmlsec1 is installed by `make deps`")
        .status
        .success()
}

#[tokio::test]
async fn google_metadata_matches_s13() {
    let (idps, _) = idps();
    tenant(&idps, Vendor::Google);
    let (_, md) = metadata(&idps, Vendor::Google).await;
    let until = instant(attr(&md, "validUntil").expect("S13: validUntil"));
    let t = idps.tenant(Vendor::Google, "acme").expect("tenant");
    let der = t.state.lock().keys.active().cert_der().to_vec();
    let cert = openssl::x509::X509::from_der(&der).expect("cert");
    let not_after = openssl::asn1::Asn1Time::from_unix(until.timestamp()).expect("asn1");
    assert_eq!(
        cert.not_after().compare(&not_after).expect("compare"),
        std::cmp::Ordering::Equal,
        "S13: validUntil is the certificate's expiry"
    );
    let idp = first(&md, "IDPSSODescriptor").expect("IDPSSODescriptor");
    assert_eq!(children(idp, "KeyDescriptor").len(), 1, "S13: one key");
    let formats: Vec<String> = children(idp, "NameIDFormat")
        .into_iter()
        .map(text)
        .collect();
    assert_eq!(formats, [uri::NAMEID_EMAIL], "S13: emailAddress only");
    for sso in children(idp, "SingleSignOnService") {
        let loc = attr(sso, "Location").expect("Location");
        assert!(
            loc.ends_with("/o/saml2/idp?idpid=acme"),
            "S13: SSO URL …/o/saml2/idp?idpid={{id}}, got {loc}"
        );
    }
}

#[tokio::test]
async fn google_response_matches_s13() {
    let (idps, _) = idps();
    tenant(&idps, Vendor::Google);
    reconfigure(&idps, Vendor::Google, |app| {
        app.groups_attribute = Some("groups".into());
        app.attribute_statements = Some(vec![AttributeStatement {
            name: "department".into(),
            value: UserField::DisplayName,
            name_format: None,
        }]);
    });
    let (xml_text, r) = alice(&idps, Vendor::Google).await;
    let a = first(&r, "Assertion").expect("assertion");
    let id = attr(a, "ID").expect("ID");
    assert!(
        regex::Regex::new(r"^_[0-9a-f]{32}$")
            .expect("re")
            .is_match(id),
        "S13: assertion ID _ + 32 hex, got {id}"
    );
    assert!(
        millis(attr(a, "IssueInstant").expect("IssueInstant")),
        "S13: ms timestamps"
    );
    let authn = first(a, "AuthnStatement").expect("AuthnStatement");
    assert_eq!(
        attr(authn, "SessionIndex"),
        Some(id),
        "S13: SessionIndex = assertion ID"
    );
    assert_eq!(
        names(a)[names(a).len() - 2..],
        ["AttributeStatement", "AuthnStatement"],
        "S13: AttributeStatement before AuthnStatement"
    );
    let subject = first(a, "X509SubjectName").expect("S13: X509SubjectName in KeyInfo");
    assert!(text(subject).contains("CN="), "S13: {}", text(subject));
    for x in a.find_all("Attribute") {
        assert!(
            attr(x, "NameFormat").is_none(),
            "S13: Google attributes carry no NameFormat"
        );
        for v in children(x, "AttributeValue") {
            assert_eq!(
                v.attr_value_ns("xsi", "type"),
                Some("xs:anyType"),
                "S13: xsi:type xs:anyType"
            );
        }
    }
    assert!(attribute(&r, "groups").is_some());
    assert!(attribute(&r, "department").is_some());
    let cert = openssl::x509::X509::from_der(&active_cert(&idps, Vendor::Google)).expect("cert");
    let pem = String::from_utf8(cert.to_pem().expect("pem")).expect("utf8");
    assert!(
        xmlsec1_verify(&xml_text, &pem, id),
        "xmlsec1 verifies with the X509SubjectName in KeyInfo"
    );
}

#[tokio::test]
async fn bad_attribute_settings_are_refused_and_change_nothing() {
    let (idps, _) = idps();
    tenant(&idps, Vendor::Okta);
    let t = idps.tenant(Vendor::Okta, "acme").expect("tenant");
    let before = t.state.lock().saml_apps.len();
    for bad in [
        NewSamlApp {
            sp_entity_id: "https://other.example".into(),
            acs_urls: vec![ACS.into()],
            attribute_name_format: Some("basic".into()),
            ..NewSamlApp::default()
        },
        NewSamlApp {
            sp_entity_id: "https://other.example".into(),
            acs_urls: vec![ACS.into()],
            attribute_statements: Some(vec![AttributeStatement {
                name: " ".into(),
                value: UserField::Email,
                name_format: None,
            }]),
            ..NewSamlApp::default()
        },
    ] {
        let err = mock_idps::control::register_saml_app(&t, bad).expect_err("refused");
        assert!(err.to_string().contains("attribute"), "{err}");
    }
    assert_eq!(t.state.lock().saml_apps.len(), before);
}
