use super::*;
use crate::profile::{Profile, ProfileError};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::StatusCode;

fn page(status: u16, headers: &[(&'static str, &str)], body: &str) -> Page {
    let mut h = HeaderMap::new();
    for (k, v) in headers {
        h.insert(*k, HeaderValue::from_str(v).expect("header"));
    }
    Page {
        url: url::Url::parse("http://127.0.0.1:1/p").expect("url"),
        status: StatusCode::from_u16(status).expect("status"),
        headers: h,
        body: body.to_string(),
    }
}

#[test]
fn the_accept_rule_needs_every_part_to_hold() {
    let rule = AcceptRule {
        status: None,
        header: Some("X-Idpsim-User".into()),
        body_regex: Some("^welcome".into()),
        json_pointer: None,
    };
    assert_eq!(
        rule.check(&page(200, &[("x-idpsim-user", "alice")], "welcome alice")),
        Ok(())
    );
    let redirect = rule
        .check(&page(303, &[("location", "http://idp/sso")], ""))
        .expect_err("a redirect to the IdP is no session")
        .to_string();
    assert!(
        redirect.contains("303") && redirect.contains("http://idp/sso"),
        "{redirect}"
    );
    let no_header = rule
        .check(&page(200, &[], "welcome"))
        .expect_err("header missing")
        .to_string();
    assert!(no_header.contains("X-Idpsim-User"), "{no_header}");
    let empty_header = rule.check(&page(200, &[("x-idpsim-user", " ")], "welcome"));
    assert!(empty_header.is_err(), "an empty header is no user");
    let body = rule
        .check(&page(200, &[("x-idpsim-user", "a")], "error page"))
        .expect_err("body")
        .to_string();
    assert!(body.contains("^welcome"), "{body}");
}

#[test]
fn a_json_pointer_rule_wants_a_value() {
    let rule = AcceptRule {
        status: Some(200),
        json_pointer: Some("/user/email".into()),
        ..AcceptRule::default()
    };
    assert_eq!(
        rule.check(&page(200, &[], r#"{"user":{"email":"a@b"}}"#)),
        Ok(())
    );
    for body in [r#"{"user":{"email":""}}"#, r#"{"user":null}"#, "not json"] {
        assert!(rule.check(&page(200, &[], body)).is_err(), "{body}");
    }
}

#[test]
fn probes_read_headers_pointers_and_regex_groups() {
    let p = page(
        200,
        &[("x-idpsim-user", "alice@idpsim.example")],
        r#"{"email":"alice@idpsim.example","groups":["a","b"]} NameID=alice"#,
    );
    let header = Probe {
        header: Some("X-Idpsim-User".into()),
        json_pointer: None,
        regex: None,
    };
    assert_eq!(header.read(&p).as_deref(), Some("alice@idpsim.example"));
    let regex = Probe {
        header: None,
        json_pointer: None,
        regex: Some("NameID=(\\w+)".into()),
    };
    assert_eq!(regex.read(&p).as_deref(), Some("alice"));
    let json = page(200, &[], r#"{"groups":["a","b"]}"#);
    let ptr = Probe {
        header: None,
        json_pointer: Some("/groups".into()),
        regex: None,
    };
    assert_eq!(ptr.read(&json).as_deref(), Some(r#"["a","b"]"#));
}

/// A profile and its IdP config in a temporary folder.
fn write_profile(profile: &str, idp: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("idp.toml"), idp).expect("idp");
    let p = dir.path().join("sp.toml");
    std::fs::write(&p, profile).expect("profile");
    (dir, p)
}

const IDP: &str = r#"
[[tenants]]
vendor = "okta"
id = "bb"
mode = "strict"
seed_users = 0
[[tenants.users]]
login = "alice@idpsim.example"
[[tenants.saml_apps]]
id = "0oaidpsimtest0000001"
sp_entity_id = "http://127.0.0.1:1/sp"
acs_urls = ["http://127.0.0.1:1/acs"]
[[tenants.oidc_clients]]
client_id = "rp"
client_secret = "s"
redirect_uris = ["http://127.0.0.1:1/cb"]
"#;

fn profile(extra_login: &str, extra_top: &str) -> String {
    format!(
        r#"name = "sp"
{extra_top}
[black_box]
idp_listen = "127.0.0.1:18999"
idp_config = "idp.toml"
[black_box.accept]
status = 200
[[black_box.login]]
vendor = "okta"
protocol = "saml"
login_url = "http://127.0.0.1:1/protected"
sp_entity_id = "http://127.0.0.1:1/sp"
{extra_login}
"#
    )
}

fn load_err(profile_text: &str) -> String {
    let (_dir, p) = write_profile(profile_text, IDP);
    match Profile::load(&p) {
        Ok(_) => panic!("loaded: {profile_text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_good_black_box_profile_loads_with_its_capabilities() {
    let (_dir, p) = write_profile(&profile("", ""), IDP);
    let (prof, _) = Profile::load(&p).expect("loads");
    assert!(prof.is_black_box());
    assert_eq!(prof.base_url, "http://127.0.0.1:1");
    let c = &prof.capabilities;
    assert!(c.saml && !c.oidc && !c.clock && !c.scim && !c.idp_initiated);
}

#[test]
fn bad_profiles_name_the_field() {
    let unknown = load_err(&profile("colour = \"blue\"", ""));
    assert!(unknown.contains("colour"), "{unknown}");
    let missing =
        load_err(&profile("", "").replace("login_url = \"http://127.0.0.1:1/protected\"\n", ""));
    assert!(missing.contains("login_url"), "{missing}");
    let bad_url = load_err(&profile("", "").replace("http://127.0.0.1:1/protected", "not a url"));
    assert!(
        bad_url.contains("black_box.login[0].login_url"),
        "{bad_url}"
    );
    let no_app = load_err(&profile("", "").replace(
        "sp_entity_id = \"http://127.0.0.1:1/sp\"",
        "sp_entity_id = \"http://other\"",
    ));
    assert!(
        no_app.contains("black_box.login[0].sp_entity_id") && no_app.contains("http://other"),
        "{no_app}"
    );
    let no_rule = load_err(&profile("", "").replace("status = 200", ""));
    assert!(no_rule.contains("black_box.accept"), "{no_rule}");
    let dup = load_err(&format!(
        "{}\n[[black_box.login]]\nvendor = \"okta\"\nprotocol = \"saml\"\nlogin_url = \"http://127.0.0.1:1/x\"\nsp_entity_id = \"http://127.0.0.1:1/sp\"\n",
        profile("", "")
    ));
    assert!(dup.contains("black_box.login[1].vendor"), "{dup}");
    let tenant = load_err(&profile("tenant = \"nope\"", ""));
    assert!(
        tenant.contains("black_box.login[0].tenant") && tenant.contains("nope"),
        "{tenant}"
    );
    let bad_regex = load_err(&profile("", "").replace("status = 200", "body_regex = \"(\""));
    assert!(bad_regex.contains("body_regex"), "{bad_regex}");
}

#[test]
fn an_admin_profile_still_needs_its_endpoints() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("t.toml");
    std::fs::write(&p, "name = \"x\"\nbase_url = \"http://127.0.0.1:1\"\n").expect("write");
    let e = Profile::load(&p).expect_err("no endpoints");
    assert!(matches!(e, ProfileError::Field(_)), "{e}");
    assert!(e.to_string().contains("endpoints.sso_login"), "{e}");
}

#[tokio::test]
async fn init_writes_a_profile_that_loads_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tmp");
    let args = InitArgs {
        name: "My SP".into(),
        vendors: vec![Vendor::Okta, Vendor::Entra],
        protocol: Proto::Saml,
        login_url: "http://127.0.0.1:18481/protected/".into(),
        sp_metadata: None,
        sp_entity_id: Some("http://127.0.0.1:18481/sp".into()),
        acs_url: Some("http://127.0.0.1:18481/acs".into()),
        redirect_uri: None,
        idp_listen: "127.0.0.1:18999".parse().expect("addr"),
        out: dir.path().to_path_buf(),
        force: false,
    };
    let text = init(args.clone()).await.expect("init");
    assert!(
        text.contains("SSO URL") && text.contains("http://127.0.0.1:18999/okta/"),
        "{text}"
    );
    let first = std::fs::read_to_string(dir.path().join("my-sp-idp.toml")).expect("idp file");
    let (prof, _) = Profile::load(&dir.path().join("my-sp.toml")).expect("the profile loads");
    assert_eq!(prof.black_box.as_ref().map(|b| b.logins.len()), Some(2));
    let md = std::fs::read_to_string(dir.path().join("my-sp-okta-idp-metadata.xml")).expect("md");
    assert!(
        md.contains("EntityDescriptor") && md.contains("X509Certificate"),
        "{md}"
    );
    let again = init(args.clone()).await.expect_err("exists");
    assert!(again.to_string().contains("--force"), "{again}");
    init(InitArgs {
        force: true,
        ..args
    })
    .await
    .expect("forced");
    let second = std::fs::read_to_string(dir.path().join("my-sp-idp.toml")).expect("idp file");
    assert_eq!(first, second, "the same arguments give the same IdP values");
}

#[tokio::test]
async fn init_names_what_is_missing() {
    let dir = tempfile::tempdir().expect("tmp");
    let base = InitArgs {
        name: "x".into(),
        vendors: vec![Vendor::Google],
        protocol: Proto::Oidc,
        login_url: "http://127.0.0.1:1/".into(),
        sp_metadata: None,
        sp_entity_id: None,
        acs_url: None,
        redirect_uri: None,
        idp_listen: "127.0.0.1:18999".parse().expect("addr"),
        out: dir.path().to_path_buf(),
        force: false,
    };
    let e = init(base.clone()).await.expect_err("no redirect");
    assert!(e.to_string().contains("--redirect-uri"), "{e}");
    let e = init(InitArgs {
        protocol: Proto::Saml,
        ..base.clone()
    })
    .await
    .expect_err("no SP");
    assert!(e.to_string().contains("--sp-metadata"), "{e}");
    let e = init(InitArgs {
        login_url: "ftp://x".into(),
        ..base
    })
    .await
    .expect_err("bad url");
    assert!(e.to_string().contains("--login-url"), "{e}");
}
