//! Okta: org authorization server, OIN-style SAML app.

use super::*;
use crate::scim_push::dialect::*;
use protocols::scim::{GROUP_SCHEMA, USER_SCHEMA};

/// A fresh Okta SAML app defines no attribute statements, so it sends none (S12): attributes
/// come only from the app's `attribute_statements` (and groups from its group attribute
/// statement, `groups_attribute`).
const ATTRS: &[AttrRule] = &[];

/// Okta catalogue (OIN) apps: PATCH only for `active`, GET + PUT for the rest, never DELETE.
pub const OKTA_SCIM_CATALOGUE: ScimDialect = ScimDialect {
    id: DialectId::OktaCatalogue,
    name: "Okta catalogue (OIN) app",
    user_agent: "Okta SCIM Client 1.0.0",
    // Assumed: vendors.md gives only the User-Agent and the bearer token.
    accept: "application/scim+json",
    content_type: "application/scim+json; charset=utf-8",
    response_media_types: &["application/scim+json", "application/json"],
    op_case: OpCase::Lowercase,
    active: ActiveForm::Boolean,
    activation: Activation::PathlessValue,
    profile_update: ProfileUpdate::GetThenPut,
    user_lookup: UserLookup {
        attribute: LookupAttribute::UserName,
        paging: Some((1, 100)),
        absent_on_404: true,
    },
    create_user: CreateUser {
        meta: false,
        schemas: &[USER_SCHEMA],
        display_name: true,
        locale: Some("en-US"),
        formatted_name: false,
        password: true,
        empty_groups: true,
        empty_roles: false,
    },
    user_delete: UserDelete::Deactivate,
    group_lookup: None,
    create_group: CreateGroup {
        schemas: &[GROUP_SCHEMA],
        meta: false,
        external_id: false,
        empty_members: true,
    },
    member_add_display: true,
    member_removal: MemberRemoval::FilterPath,
    group_rename: GroupRename::ValueWithId,
    display_name_op: false,
    member_ref_null: false,
    group_update: GroupUpdate::Patch,
    // S11: the rename op (replace {id, displayName}) comes with every membership update.
    rename_with_members: true,
    expect: Expectations {
        create: &[201],
        user_patch: &[200, 204],
        group_patch: &[200, 204],
        put: &[200],
        delete: &[204],
    },
    timeout_secs: 60,
    flag_query: None,
};

/// Okta custom (AIW) apps: PUT for everything, activation, group renames and membership
/// included (S11).
pub const OKTA_SCIM_CUSTOM: ScimDialect = ScimDialect {
    id: DialectId::OktaCustom,
    name: "Okta custom (AIW) app",
    activation: Activation::GetThenPut,
    group_update: GroupUpdate::Put,
    ..OKTA_SCIM_CATALOGUE
};

/// Okta's `claims_supported` (S9), the same on the org and the custom servers.
const CLAIMS_SUPPORTED: &[&str] = &[
    "iss",
    "ver",
    "sub",
    "aud",
    "iat",
    "exp",
    "jti",
    "auth_time",
    "amr",
    "idp",
    "nonce",
    "name",
    "nickname",
    "preferred_username",
    "given_name",
    "middle_name",
    "family_name",
    "email",
    "email_verified",
    "profile",
    "zoneinfo",
    "locale",
    "address",
    "phone_number",
    "picture",
    "website",
    "gender",
    "birthdate",
    "updated_at",
    "at_hash",
    "c_hash",
];

/// What the org server and a custom server share. Paths are the org server's; a custom
/// server's are relative to `/oauth2/{id}` (S9).
fn org_and_custom_common() -> OidcPersonality {
    OidcPersonality {
        issuer_path: "",
        discovery_path: ".well-known/openid-configuration",
        authorize_path: "oauth2/v1/authorize",
        token_path: "oauth2/v1/token",
        userinfo_path: "oauth2/v1/userinfo",
        jwks_path: "oauth2/v1/keys",
        end_session_path: Some("oauth2/v1/logout"),
        token_auth: &[TokenAuth::ClientSecretBasic, TokenAuth::ClientSecretPost],
        id_token_lifetime: Duration::minutes(60),
        access_token_lifetime: Duration::minutes(60),
        ext_expires_in: false,
        header_typ: None,
        subject: SubjectStyle::UserId,
        fixed_claims: &[
            ("ver", FixedClaim::Int(1)),
            (
                "jti",
                FixedClaim::Id(IdShape::Prefixed {
                    prefix: "ID.",
                    len: 43,
                }),
            ),
            ("amr", FixedClaim::List(&["pwd"])),
            ("idp", FixedClaim::IdpId),
            ("auth_time", FixedClaim::AuthTime),
        ],
        profile_claims: &[
            ("preferred_username", UserField::Login, Some("profile")),
            ("name", UserField::DisplayName, Some("profile")),
            ("given_name", UserField::GivenName, Some("profile")),
            ("family_name", UserField::FamilyName, Some("profile")),
            ("email", UserField::Email, Some("email")),
        ],
        // S10: a real org-AS id_token from /token has no given_name/family_name.
        userinfo_only_claims: &["given_name", "family_name"],
        groups_claim: Some("groups"),
        groups_value: GroupValue::Name,
        groups_scope: Some("groups"),
        groups_limit: GroupLimit::Fail { max: 100 },
        groups_overage_endpoint: None,
        published_keys: 2,
        sp_initiated_only: false,
        scopes: &[
            "openid",
            "profile",
            "email",
            "address",
            "phone",
            "offline_access",
        ],
        // S9: both servers list S256 only.
        pkce_methods: &["S256"],
        advertise_pkce: true,
        // S9 also lists okta_post_message, which the mock does not serve.
        response_modes: &["query", "fragment", "form_post"],
        advertise_response_modes: true,
        at_hash: true,
        // S10: scope groups alone gave no groups claim; the app needs a Groups claim filter.
        groups_need_client_setting: true,
        offline: OfflineAccess::Scope,
        // S10: the org server's access token is a JWT whose aud is the org URL.
        access_token: AccessTokenStyle::Jwt {
            audience: "{issuer}",
        },
        // S9/S10: bare RSA keys, no certificates.
        jwks: JwksShape {
            x5c: false,
            kid_is_x5t: false,
        },
        userinfo_fixed_claims: &[],
        discovery_extra: &[
            ("claims_supported", DiscoveryValue::List(CLAIMS_SUPPORTED)),
            ("request_parameter_supported", DiscoveryValue::Bool(false)),
        ],
        custom_servers: None,
        v1: None,
        multi_tenant: &[],
        issuer_template: None,
        header_x5t: false,
    }
}

/// The custom authorization server (`/oauth2/{id}`, with `default` in every org, S9): its own
/// issuer, discovery, endpoints and JWT access tokens for the audience `api://{id}`.
fn custom_server() -> CustomServers {
    CustomServers {
        path: "oauth2/{server}",
        builtin: &["default"],
        id: IdShape::Prefixed {
            prefix: "aus",
            len: 17,
        },
        oidc: OidcPersonality {
            discovery_path: ".well-known/openid-configuration",
            authorize_path: "v1/authorize",
            token_path: "v1/token",
            userinfo_path: "v1/userinfo",
            jwks_path: "v1/keys",
            end_session_path: Some("v1/logout"),
            // A custom server has no groups scope; its groups claim is one the admin adds.
            groups_scope: None,
            access_token: AccessTokenStyle::Jwt {
                audience: "api://{server}",
            },
            ..org_and_custom_common()
        },
    }
}

pub fn personality() -> Personality {
    Personality {
        vendor: Vendor::Okta,
        display_name: "Okta",
        group_values: GroupValues::Names,
        ids: IdShapes {
            user: IdShape::Prefixed {
                prefix: "00u",
                len: 17,
            },
            group: IdShape::Prefixed {
                prefix: "00g",
                len: 17,
            },
            tenant: IdShape::Prefixed {
                prefix: "dev-",
                len: 8,
            },
            saml_app: IdShape::Prefixed {
                prefix: "0oa",
                len: 17,
            },
            saml_app_key: IdShape::Prefixed {
                prefix: "exk",
                len: 17,
            },
            oidc_client: IdShape::Prefixed {
                prefix: "0oa",
                len: 17,
            },
            // S12: "id" + 25 digits.
            saml_message: IdShape::Digits {
                prefix: "id",
                len: 25,
            },
            jti: IdShape::Prefixed {
                prefix: "ID.",
                len: 43,
            },
            kid: IdShape::Prefixed {
                prefix: "",
                len: 43,
            },
        },
        saml: SamlPersonality {
            entity_id: "http://www.okta.com/{app_key}",
            entity_id_per_app: true,
            issuer_format: Some(NAMEID_ENTITY),
            sso_path: "app/{app_name}/{app_id}/sso/saml",
            metadata_path: "app/{app_id}/sso/saml/metadata",
            idp_initiated_path: "home/{app_name}/{app_id}",
            app_query_param: None,
            want_authn_requests_signed: false,
            sign_placement: SignaturePlacement::Both,
            sig_alg: SignatureAlgorithm::RsaSha256,
            digest: DigestAlgorithm::Sha256,
            assertion_prefix: "saml2",
            protocol_prefix: "saml2p",
            xsi_typed_values: true,
            inclusive_prefix_list: true,
            // S12: every attribute of a real Okta assertion says unspecified (not basic).
            attribute_name_format: Some(ATTRNAME_UNSPECIFIED),
            not_before: Duration::minutes(-5),
            not_on_or_after: Duration::minutes(5),
            subject_not_on_or_after: Duration::minutes(5),
            authn_context: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
            name_id_format: NAMEID_UNSPECIFIED,
            name_id_source: UserField::Login,
            name_id_formats: &[
                NAMEID_UNSPECIFIED,
                NAMEID_EMAIL,
                NAMEID_PERSISTENT,
                NAMEID_TRANSIENT,
            ],
            subject_in_request_is_error: false,
            attributes: ATTRS,
            // Groups only through the app's group attribute statement (its name and filter).
            groups_attribute: None,
            groups_limit: GroupLimit::None,
            groups_overage_attribute: None,
            roles_attribute: None,
            // S12: no SingleLogoutService unless SLO is enabled on the app.
            single_logout: false,
            // S12: the SSO URL carries `{org}_{app}_1` and the issuer's exk key.
            sso_url: Some("app/{tenant}_{app_name}_1/{app_key}/sso/saml"),
            metadata_name_id_formats: &[NAMEID_UNSPECIFIED, NAMEID_EMAIL],
            metadata_all_keys: false,
            metadata_valid_until: false,
            federation_metadata: false,
            session_index_is_assertion_id: false,
            millis: true,
            attributes_first: false,
            any_type: false,
            key_info_subject_name: false,
            cert_years: 10,
            cert_cn: "dev-okta",
        },
        oidc: OidcPersonality {
            custom_servers: Some(Box::new(custom_server())),
            scopes: &[
                "openid",
                "profile",
                "email",
                "address",
                "phone",
                "offline_access",
                "groups",
            ],
            ..org_and_custom_common()
        },
        scim: ScimSupport::Dialects(&[OKTA_SCIM_CATALOGUE, OKTA_SCIM_CUSTOM]),
    }
}
