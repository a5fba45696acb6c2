//! SAML SP (being written).
#[cfg(test)]
mod probe {
    use protocols::clock::snapshot_epoch;
    use protocols::saml::response::uri;
    use protocols::saml::*;
    use protocols::keys::*;
    use chrono::Duration;

    fn spec() -> ResponseSpec {
        let now = snapshot_epoch();
        ResponseSpec {
            style: XmlStyle::default(),
            id: "id1".into(),
            issue_instant: now,
            destination: Some("https://sp.example/acs".into()),
            in_response_to: Some("req1".into()),
            issuer: IssuerSpec { value: "http://www.okta.com/exk1".into(), format: Some(uri::NAMEID_ENTITY.into()) },
            status: StatusSpec::success(),
            assertion: Some(AssertionSpec {
                id: "id2".into(),
                name_id: NameIdSpec { value: "alice@example.com".into(), format: Some(uri::NAMEID_UNSPECIFIED.into()), name_qualifier: None, sp_name_qualifier: None },
                subject_confirmation: Some(SubjectConfirmationSpec { method: uri::CM_BEARER.into(), recipient: Some("https://sp.example/acs".into()), not_on_or_after: Some(now + Duration::minutes(5)), in_response_to: Some("req1".into()) }),
                conditions: Some(ConditionsSpec { not_before: Some(now - Duration::minutes(5)), not_on_or_after: Some(now + Duration::minutes(5)), audiences: vec!["https://sp.example".into()] }),
                authn_statement: None,
                attributes: vec![AttributeSpec { name: "groups".into(), name_format: None, friendly_name: None, values: vec!["a&b".into()] }],
            }),
        }
    }

    #[test]
    fn probe() {
        let k = SigningKey::generate(KeyKind::Rsa, "k", "idp", Validity::current(snapshot_epoch(), 1)).unwrap();
        for p in [SignaturePlacement::Assertion, SignaturePlacement::Response, SignaturePlacement::Both] {
            let opts = SignOptions { placement: p, ..SignOptions::default() };
            let mut r = build_response(&spec(), &opts, &k).unwrap();
            let v = verify_signatures(&r.to_document(), k.cert_der()).unwrap();
            println!("=== {p:?} covered {:?}\n{}\n", v.covered_ids(), v.signed_xml());
            // comment split
            let a = r.find_by_id_mut("id2").unwrap();
            let nid = a.child_named_mut("Subject").unwrap().child_named_mut("NameID").unwrap();
            nid.children = vec![protocols::xml::Node::Text("alice@example".into()), protocols::xml::Node::Comment("".into()), protocols::xml::Node::Text(".com".into())];
            let doc = r.to_document();
            println!("comment doc verify: {:?}", verify_signatures(&doc, k.cert_der()).map(|v| v.signed_xml().to_string()));
            let mut t = protocols::xml::parse(&doc).unwrap();
            fn strip(e: &mut protocols::xml::Element) { e.children.retain(|n| !matches!(n, protocols::xml::Node::Comment(_))); for c in e.elements_mut() { strip(c) } }
            strip(&mut t);
            println!("stripped verify: {:?}", verify_signatures(&t.to_document(), k.cert_der()).map(|v| v.signed_xml().to_string()));
        }
    }
}
