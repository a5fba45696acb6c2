//! What a SAML login says, as data: the tenant's facts, the app, the user and the overrides in,
//! a [`ResponseSpec`] and [`SignOptions`] out. No I/O; time and ids are parameters.

use crate::directory::{Group, User};
use crate::next_login::{KeyChoice, SamlOverrides};
use crate::personality::{
    GroupLimit, GroupValues, Personality, UserField, NAMEID_EMAIL, NAMEID_PERSISTENT,
    NAMEID_TRANSIENT, NAMEID_UNSPECIFIED,
};
use crate::tenant::SamlApp;
use chrono::{DateTime, Duration, Utc};
use protocols::saml::response::uri;
use protocols::saml::{
    AssertionSpec, AttributeSpec, AuthnStatementSpec, ConditionsSpec, IssuerSpec, NameIdSpec,
    ResponseSpec, SignOptions, StatusSpec, SubjectConfirmationSpec, XmlStyle,
};
use protocols::IdGen;

pub const STATUS_PREFIX: &str = "urn:oasis:names:tc:SAML:2.0:status:";

/// The tenant facts a response needs.
#[derive(Debug, Clone)]
pub struct Issuer<'a> {
    pub personality: &'a Personality,
    pub tenant_id: &'a str,
    pub entity_id: String,
}

/// One login to answer.
#[derive(Debug, Clone)]
pub struct Login<'a> {
    pub app: &'a SamlApp,
    pub user: &'a User,
    pub groups: Vec<&'a Group>,
    pub acs: &'a str,
    /// The AuthnRequest's ID (None for IdP-initiated).
    pub in_response_to: Option<&'a str>,
    /// The AuthnRequest's NameIDPolicy Format.
    pub requested_name_id_format: Option<&'a str>,
    pub extra_groups: usize,
}

/// A refusal the IdP answers with a SAML error status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub top: &'static str,
    /// The second-level code: a name like `AuthnFailed` or a full URN.
    pub second: String,
    pub message: String,
}

/// The response to send and how to sign it.
#[derive(Debug, Clone)]
pub struct Issued {
    pub spec: ResponseSpec,
    pub sign: SignOptions,
    pub key: Option<KeyChoice>,
}

fn style(p: &Personality, app: Option<&SamlApp>) -> XmlStyle {
    XmlStyle {
        assertion_prefix: p.saml.assertion_prefix.into(),
        protocol_prefix: p.saml.protocol_prefix.into(),
        xsi_type: p.saml.xsi_typed_values,
        inclusive_prefix_list: p.saml.inclusive_prefix_list,
        millis: app.and_then(|a| a.millis).unwrap_or(p.saml.millis),
        attributes_first: p.saml.attributes_first,
        any_type: p.saml.any_type,
        key_info_subject_name: p.saml.key_info_subject_name,
    }
}

fn sign_options(p: &Personality, ov: &SamlOverrides) -> SignOptions {
    let alg = ov.alg.unwrap_or(p.saml.sig_alg);
    SignOptions {
        placement: ov.sign.unwrap_or(p.saml.sign_placement),
        alg,
        digest: ov.digest.or(if ov.alg.is_some() {
            None
        } else {
            Some(p.saml.digest)
        }),
        key_info: ov.key_info.unwrap_or(true),
    }
}

/// A stable pairwise identifier for `user` at `app` (Entra's persistent NameID).
pub fn pairwise(user_id: &str, app_id: &str) -> String {
    use base64::Engine;
    let digest = openssl::hash::hash(
        openssl::hash::MessageDigest::sha256(),
        format!("{user_id}|{app_id}").as_bytes(),
    )
    .map(|d| d.to_vec())
    .unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// The values a directory field gives for `user`.
pub fn field_values(
    field: UserField,
    p: &Personality,
    tenant_id: &str,
    user: &User,
    groups: &[&Group],
) -> Vec<String> {
    match field {
        UserField::Login => vec![user.login.clone()],
        UserField::Email => vec![user.email.clone()],
        UserField::Id => vec![user.id.clone()],
        UserField::GivenName => vec![user.given_name.clone()],
        UserField::FamilyName => vec![user.family_name.clone()],
        UserField::DisplayName => vec![user.display_name.clone()],
        UserField::Groups => groups
            .iter()
            .map(|g| match p.group_values {
                GroupValues::Names => g.name.clone(),
                GroupValues::Ids => g.id.clone(),
            })
            .collect(),
        UserField::Roles => user.roles.clone(),
        UserField::TenantId => vec![tenant_id.to_string()],
        UserField::IdpName => vec![format!("https://sts.windows.net/{tenant_id}/")],
        UserField::AuthnMethods => {
            vec![crate::personality::ENTRA_AUTHN_METHOD_PASSWORD.to_string()]
        }
    }
}

/// The user's group values plus `extra` synthetic ones, as the vendor would name them.
pub fn group_values(
    p: &Personality,
    tenant_id: &str,
    user: &User,
    groups: &[&Group],
    extra: usize,
) -> Vec<String> {
    let mut v = field_values(UserField::Groups, p, tenant_id, user, groups);
    v.extend((1..=extra).map(|i| match p.group_values {
        GroupValues::Names => format!("idpsim-extra-{i:03}"),
        GroupValues::Ids => format!("00000000-0000-4000-8000-{i:012}"),
    }));
    v
}

fn attr(name: &str, format: Option<&str>, values: Vec<String>) -> AttributeSpec {
    AttributeSpec {
        name: name.to_string(),
        name_format: format.map(str::to_string),
        friendly_name: None,
        values,
    }
}

/// Choose the NameID, honouring the NameIDPolicy and the app's configured format.
fn name_id(iss: &Issuer, login: &Login, ids: &dyn IdGen) -> Result<NameIdSpec, Refusal> {
    let p = iss.personality;
    let requested = login
        .requested_name_id_format
        .filter(|f| *f != NAMEID_UNSPECIFIED);
    if let Some(f) = requested {
        if !p.saml.name_id_formats.contains(&f) {
            return Err(Refusal {
                top: "Requester",
                second: "InvalidNameIDPolicy".into(),
                message: format!("{} does not issue NameID format {f}", p.display_name),
            });
        }
    }
    let format = requested
        .or(login.app.name_id_format.as_deref())
        .unwrap_or(p.saml.name_id_format);
    let user = login.user;
    let value = match format {
        NAMEID_EMAIL => user.email.clone(),
        NAMEID_PERSISTENT => match p.subject_pairwise() {
            true => pairwise(&user.id, &login.app.id),
            false => user.id.clone(),
        },
        NAMEID_TRANSIENT => format!("_{}", ids.hex(16)),
        _ => field_values(p.saml.name_id_source, p, iss.tenant_id, user, &login.groups)
            .pop()
            .unwrap_or_default(),
    };
    Ok(NameIdSpec {
        value,
        format: Some(format.to_string()),
        name_qualifier: None,
        sp_name_qualifier: None,
    })
}

impl Personality {
    /// Whether persistent NameIDs and `sub` are pairwise per app (Entra).
    pub fn subject_pairwise(&self) -> bool {
        matches!(
            self.oidc.subject,
            crate::personality::SubjectStyle::Pairwise
        )
    }
}

fn offset(base: DateTime<Utc>, secs: Option<i64>, default: Duration) -> DateTime<Utc> {
    base + secs.map(Duration::seconds).unwrap_or(default)
}

/// Build the response for one login.
pub fn response(
    iss: &Issuer,
    login: &Login,
    ov: &SamlOverrides,
    now: DateTime<Utc>,
    ids: &dyn IdGen,
) -> Issued {
    let p = iss.personality;
    let instant = offset(now, ov.issue_instant_offset_secs, Duration::zero());
    let destination = Some(
        ov.destination
            .clone()
            .unwrap_or_else(|| login.acs.to_string()),
    );
    let in_response_to = match ov.in_response_to.as_deref() {
        Some("") => None,
        Some(x) => Some(x.to_string()),
        None => login.in_response_to.map(str::to_string),
    };
    let issuer = IssuerSpec {
        value: ov.issuer.clone().unwrap_or_else(|| iss.entity_id.clone()),
        format: p.saml.issuer_format.map(str::to_string),
    };
    let envelope = Envelope {
        id: p.ids.saml_message.make(ids),
        instant,
        destination,
        in_response_to,
        issuer,
    };
    let refusal =
        |r: Refusal| error_issued(p, &envelope, r, sign_options(p, ov), ov.signing_key.clone());
    if let Some(code) = &ov.status {
        return refusal(Refusal {
            top: "Responder",
            second: code.clone(),
            message: ov
                .status_message
                .clone()
                .unwrap_or_else(|| format!("{} refused the sign-in", p.display_name)),
        });
    }
    if !login.user.active {
        return refusal(Refusal {
            top: "Responder",
            second: "AuthnFailed".into(),
            message: format!("user {} is suspended", login.user.login),
        });
    }
    let mut name = match name_id(iss, login, ids) {
        Ok(n) => n,
        Err(r) => return refusal(r),
    };
    if let Some(v) = &ov.name_id {
        name.value = v.clone();
    }
    if let Some(f) = &ov.name_id_format {
        name.format = Some(f.clone());
    }

    let app = login.app;
    // The app's NameFormat wins over the vendor's (Okta unspecified, S12; Google none, S13).
    let name_format = app
        .attribute_name_format
        .as_deref()
        .or(p.saml.attribute_name_format);
    let values = |f: UserField| field_values(f, p, iss.tenant_id, login.user, &login.groups);
    let mut attributes: Vec<AttributeSpec> = match &app.attribute_statements {
        Some(statements) => statements
            .iter()
            .map(|st| {
                attr(
                    &st.name,
                    st.name_format.as_deref().or(name_format),
                    values(st.value),
                )
            })
            .collect(),
        None => p
            .saml
            .attributes
            .iter()
            .map(|a| attr(a.name, name_format, values(a.source)))
            .collect(),
    };
    if let (Some(roles), false) = (p.saml.roles_attribute, login.user.roles.is_empty()) {
        attributes.push(attr(roles, name_format, login.user.roles.clone()));
    }
    let groups_attribute = login
        .app
        .groups_attribute
        .as_deref()
        .or(p.saml.groups_attribute);
    if let (Some(name), true) = (groups_attribute, login.app.send_groups) {
        let mut values = group_values(
            p,
            iss.tenant_id,
            login.user,
            &login.groups,
            login.extra_groups,
        );
        if let Some(filter) = &login.app.group_filter {
            filter.retain(&mut values);
        }
        match p.saml.groups_limit {
            GroupLimit::Overage { max } if values.len() > max => {
                if let Some(link) = p.saml.groups_overage_attribute {
                    attributes.push(attr(
                        link,
                        name_format,
                        vec![format!(
                            "https://graph.windows.net/{}/users/{}/getMemberObjects",
                            iss.tenant_id, login.user.id
                        )],
                    ));
                }
            }
            GroupLimit::Cap { max } => {
                values.truncate(max);
                attributes.push(attr(name, name_format, values));
            }
            _ if !values.is_empty() => attributes.push(attr(name, name_format, values)),
            _ => {}
        }
    }
    for (k, v) in &login.user.attributes {
        attributes.retain(|a| &a.name != k);
        attributes.push(attr(k, name_format, v.clone()));
    }
    for (k, v) in &ov.attributes {
        attributes.retain(|a| &a.name != k);
        attributes.push(attr(k, name_format, v.clone()));
    }
    attributes.retain(|a| !ov.remove_attributes.contains(&a.name) && !a.values.is_empty());

    let assertion_id = p.ids.saml_message.make(ids);
    // Entra (S8) and Google (S13) repeat the assertion ID as the SessionIndex.
    let session_index = if p.saml.session_index_is_assertion_id {
        assertion_id.clone()
    } else {
        p.ids.saml_message.make(ids)
    };
    let assertion = AssertionSpec {
        id: assertion_id,
        name_id: name,
        subject_confirmation: Some(SubjectConfirmationSpec {
            method: uri::CM_BEARER.into(),
            recipient: Some(
                ov.recipient
                    .clone()
                    .unwrap_or_else(|| login.acs.to_string()),
            ),
            not_on_or_after: Some(offset(
                instant,
                ov.subject_not_on_or_after_offset_secs,
                p.saml.subject_not_on_or_after,
            )),
            in_response_to: envelope.in_response_to.clone(),
        }),
        conditions: Some(ConditionsSpec {
            not_before: Some(offset(
                instant,
                ov.not_before_offset_secs,
                p.saml.not_before,
            )),
            not_on_or_after: Some(offset(
                instant,
                ov.not_on_or_after_offset_secs,
                p.saml.not_on_or_after,
            )),
            audiences: vec![ov
                .audience
                .clone()
                .unwrap_or_else(|| login.app.sp_entity_id.to_string())],
        }),
        authn_statement: Some(AuthnStatementSpec {
            authn_instant: instant,
            session_index: Some(session_index),
            session_not_on_or_after: None,
            class_ref: p.saml.authn_context.into(),
        }),
        attributes,
    };
    Issued {
        spec: ResponseSpec {
            style: style(p, Some(login.app)),
            id: envelope.id,
            issue_instant: instant,
            destination: envelope.destination,
            in_response_to: envelope.in_response_to,
            issuer: envelope.issuer,
            status: StatusSpec::success(),
            assertion: Some(assertion),
        },
        sign: sign_options(p, ov),
        key: ov.signing_key.clone(),
    }
}

/// The Response fields an error answer shares with a success.
struct Envelope {
    id: String,
    instant: DateTime<Utc>,
    destination: Option<String>,
    in_response_to: Option<String>,
    issuer: IssuerSpec,
}

/// A status code as the spec writes it: a bare name gets the status URN prefix.
fn status_uri(code: &str) -> String {
    if code.starts_with("urn:") {
        code.to_string()
    } else {
        format!("{STATUS_PREFIX}{code}")
    }
}

fn error_issued(
    p: &Personality,
    env: &Envelope,
    r: Refusal,
    sign: SignOptions,
    key: Option<KeyChoice>,
) -> Issued {
    let mut spec = ResponseSpec::error(
        env.id.clone(),
        env.instant,
        env.destination.clone(),
        env.in_response_to.clone(),
        env.issuer.clone(),
        StatusSpec {
            code: status_uri(r.top),
            second_level: Some(status_uri(&r.second)),
            message: Some(r.message),
        },
    );
    spec.style = style(p, None);
    Issued {
        spec,
        sign: SignOptions {
            placement: protocols::saml::SignaturePlacement::None,
            ..sign
        },
        key,
    }
}

/// An error response for a request the IdP refuses after parsing it (e.g. a Subject sent to
/// Entra, an unsupported NameIDPolicy).
pub fn refusal(
    iss: &Issuer,
    acs: &str,
    in_response_to: Option<&str>,
    r: Refusal,
    now: DateTime<Utc>,
    ids: &dyn IdGen,
) -> Issued {
    let p = iss.personality;
    let envelope = Envelope {
        id: p.ids.saml_message.make(ids),
        instant: now,
        destination: Some(acs.to_string()),
        in_response_to: in_response_to.map(str::to_string),
        issuer: IssuerSpec {
            value: iss.entity_id.clone(),
            format: p.saml.issuer_format.map(str::to_string),
        },
    };
    error_issued(
        p,
        &envelope,
        r,
        sign_options(p, &SamlOverrides::default()),
        None,
    )
}
