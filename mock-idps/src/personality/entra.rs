//! Microsoft Entra ID: v2.0 endpoints, enterprise-application SAML.

use super::*;
use crate::scim_push::dialect::*;
use protocols::scim::{
    ENTERPRISE_USER_SCHEMA, ENTRA_ADSCIM_GROUP_SCHEMA, GROUP_SCHEMA, USER_SCHEMA,
};

const ATTRS: &[AttrRule] = &[
    AttrRule {
        name: "http://schemas.microsoft.com/identity/claims/tenantid",
        friendly_name: None,
        source: UserField::TenantId,
    },
    AttrRule {
        name: "http://schemas.microsoft.com/identity/claims/objectidentifier",
        friendly_name: None,
        source: UserField::Id,
    },
    // S8: displayname and authnmethodsreferences are in every real Entra assertion.
    AttrRule {
        name: "http://schemas.microsoft.com/identity/claims/displayname",
        friendly_name: None,
        source: UserField::DisplayName,
    },
    AttrRule {
        name: "http://schemas.microsoft.com/identity/claims/identityprovider",
        friendly_name: None,
        source: UserField::IdpName,
    },
    AttrRule {
        name: "http://schemas.microsoft.com/claims/authnmethodsreferences",
        friendly_name: None,
        source: UserField::AuthnMethods,
    },
    AttrRule {
        name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        friendly_name: None,
        source: UserField::GivenName,
    },
    AttrRule {
        name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        friendly_name: None,
        source: UserField::FamilyName,
    },
    AttrRule {
        name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        friendly_name: None,
        source: UserField::Email,
    },
    AttrRule {
        name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        friendly_name: None,
        source: UserField::Login,
    },
];

/// Entra ID by default: capitalised ops, "True"/"False", one Replace per attribute.
pub const ENTRA_SCIM_DEFAULT: ScimDialect = ScimDialect {
    id: DialectId::EntraDefault,
    name: "Microsoft Entra ID",
    // Assumed: vendors.md does not give Entra's User-Agent; override it per client.
    user_agent: "Microsoft.Identity.Provisioning/1.0",
    accept: "application/scim+json",
    content_type: "application/scim+json",
    response_media_types: &["application/scim+json"],
    op_case: OpCase::Capitalised,
    active: ActiveForm::CapitalisedString,
    activation: Activation::PathReplace,
    profile_update: ProfileUpdate::ReplacePerAttribute,
    // S6: a generic Entra app matches users on userName (the UPN); `externalId eq
    // "<objectId>"` is one app's mapping (S15), selectable per push target (`user_lookup`).
    user_lookup: UserLookup {
        attribute: LookupAttribute::UserName,
        paging: None,
        absent_on_404: false,
    },
    // S6: POST /Users carries meta.resourceType.
    create_user: CreateUser {
        meta: true,
        schemas: &[USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        display_name: false,
        locale: None,
        formatted_name: true,
        password: false,
        empty_groups: false,
        empty_roles: true,
    },
    user_delete: UserDelete::SoftThenDelete,
    group_lookup: Some(GroupLookup {
        exclude_members: true,
    }),
    // S6: the ADSCIM Group schema beside the core one, and meta.
    create_group: CreateGroup {
        schemas: &[GROUP_SCHEMA, ENTRA_ADSCIM_GROUP_SCHEMA],
        meta: true,
        external_id: true,
        empty_members: false,
    },
    member_add_display: false,
    member_removal: MemberRemoval::ValueArray,
    group_rename: GroupRename::PathReplace,
    // S6: a displayName change is pushed; member values carry "$ref": null.
    display_name_op: true,
    member_ref_null: true,
    group_update: GroupUpdate::Patch,
    rename_with_members: false,
    expect: Expectations {
        create: &[201],
        user_patch: &[200, 204],
        group_patch: &[204],
        put: &[200],
        delete: &[204],
    },
    // Assumed: vendors.md gives Okta's 60 s only.
    timeout_secs: 60,
    flag_query: None,
};

/// Entra ID with `aadOptscim062020`: lowercase ops, booleans, one replace with dotted keys,
/// member removal by a `members[value eq "id"]` path.
pub const ENTRA_SCIM_AADOPTSCIM062020: ScimDialect = ScimDialect {
    id: DialectId::EntraAadOptScim062020,
    name: "Microsoft Entra ID (aadOptscim062020)",
    op_case: OpCase::Lowercase,
    active: ActiveForm::Boolean,
    profile_update: ProfileUpdate::DottedValueObject,
    member_removal: MemberRemoval::FilterPath,
    group_rename: GroupRename::ValueObject,
    flag_query: Some("aadOptscim062020"),
    ..ENTRA_SCIM_DEFAULT
};

/// The v2.0 endpoints of a tenant (the default).
fn v2() -> OidcPersonality {
    OidcPersonality {
        issuer_path: "v2.0",
        discovery_path: "v2.0/.well-known/openid-configuration",
        authorize_path: "oauth2/v2.0/authorize",
        token_path: "oauth2/v2.0/token",
        userinfo_path: "oidc/userinfo",
        jwks_path: "discovery/v2.0/keys",
        end_session_path: Some("oauth2/v2.0/logout"),
        token_auth: &[TokenAuth::ClientSecretPost, TokenAuth::ClientSecretBasic],
        id_token_lifetime: Duration::minutes(60),
        access_token_lifetime: Duration::minutes(75),
        ext_expires_in: true,
        header_typ: Some("JWT"),
        subject: SubjectStyle::Pairwise,
        fixed_claims: &[
            ("ver", FixedClaim::Str("2.0")),
            ("tid", FixedClaim::TenantId),
            (
                "uti",
                FixedClaim::Id(IdShape::Prefixed {
                    prefix: "",
                    len: 22,
                }),
            ),
            // S4: nbf always (= iat); aio, rh (opaque, internal) and sid (the session) are
            // present in v2 id_tokens.
            ("nbf", FixedClaim::IssuedAt),
            (
                "aio",
                FixedClaim::Id(IdShape::Prefixed {
                    prefix: "AWQAm/8",
                    len: 100,
                }),
            ),
            (
                "rh",
                FixedClaim::Id(IdShape::Prefixed {
                    prefix: "0.A",
                    len: 60,
                }),
            ),
            ("sid", FixedClaim::SessionId),
        ],
        profile_claims: &[
            ("oid", UserField::Id, None),
            ("preferred_username", UserField::Login, Some("profile")),
            ("name", UserField::DisplayName, Some("profile")),
            ("email", UserField::Email, Some("email")),
            ("roles", UserField::Roles, None),
        ],
        userinfo_only_claims: &[],
        groups_claim: Some("groups"),
        groups_value: GroupValue::Id,
        groups_scope: None,
        groups_limit: GroupLimit::Overage { max: 200 },
        groups_overage_endpoint: Some(
            "https://graph.microsoft.com/v1.0/users/{oid}/getMemberObjects",
        ),
        published_keys: 3,
        sp_initiated_only: false,
        scopes: &["openid", "profile", "email", "offline_access"],
        // Entra takes S256 and plain but its discovery omits the list (S5).
        pkce_methods: &["S256", "plain"],
        advertise_pkce: false,
        response_modes: &["query", "fragment", "form_post"],
        advertise_response_modes: true,
        // S4: "isn't returned on ID tokens from the /token endpoint".
        at_hash: false,
        // S2/S4: groups only once the app's groupMembershipClaims is set.
        groups_need_client_setting: true,
        offline: OfflineAccess::Scope,
        access_token: AccessTokenStyle::Opaque,
        // S4: the kid is the certificate's x5t; keys carry x5c.
        jwks: JwksShape {
            x5c: true,
            kid_is_x5t: true,
        },
        userinfo_fixed_claims: &[],
        discovery_extra: &[
            (
                "claims_supported",
                DiscoveryValue::List(&[
                    "sub",
                    "iss",
                    "cloud_instance_name",
                    "cloud_instance_host_name",
                    "cloud_graph_host_name",
                    "msgraph_host",
                    "aud",
                    "exp",
                    "iat",
                    "auth_time",
                    "acr",
                    "nonce",
                    "preferred_username",
                    "name",
                    "tid",
                    "ver",
                    "at_hash",
                    "c_hash",
                    "email",
                ]),
            ),
            (
                "request_uri_parameter_supported",
                DiscoveryValue::Bool(false),
            ),
            ("http_logout_supported", DiscoveryValue::Bool(true)),
            ("frontchannel_logout_supported", DiscoveryValue::Bool(true)),
            (
                "cloud_instance_name",
                DiscoveryValue::Str("microsoftonline.com"),
            ),
            (
                "cloud_graph_host_name",
                DiscoveryValue::Str("graph.windows.net"),
            ),
            ("msgraph_host", DiscoveryValue::Str("graph.microsoft.com")),
            ("rbac_url", DiscoveryValue::Str("https://pas.windows.net")),
        ],
        custom_servers: None,
        v1: None,
        // Multi-tenant apps use these in place of the tenant id; their discovery shows the
        // issuer with a literal {tenantid} (S4, S5).
        multi_tenant: &["common", "organizations"],
        issuer_template: None,
        header_x5t: false,
    }
}

/// The v1.0 endpoints of a tenant: issuer `https://sts.windows.net/{tid}/` (S15), `ver` "1.0",
/// and both `kid` and `x5t` in the header (S15: "kid (x5t in v1)").
fn v1() -> OidcPersonality {
    let v2 = v2();
    OidcPersonality {
        issuer_path: "",
        issuer_template: Some("https://sts.windows.net/{tenant}/"),
        header_x5t: true,
        discovery_path: ".well-known/openid-configuration",
        authorize_path: "oauth2/authorize",
        token_path: "oauth2/token",
        userinfo_path: "openid/userinfo",
        jwks_path: "discovery/keys",
        end_session_path: Some("oauth2/logout"),
        fixed_claims: &[
            ("ver", FixedClaim::Str("1.0")),
            ("tid", FixedClaim::TenantId),
            ("amr", FixedClaim::List(&["pwd"])),
            ("nbf", FixedClaim::IssuedAt),
            (
                "aio",
                FixedClaim::Id(IdShape::Prefixed {
                    prefix: "AWQAm/8",
                    len: 100,
                }),
            ),
            (
                "rh",
                FixedClaim::Id(IdShape::Prefixed {
                    prefix: "0.A",
                    len: 60,
                }),
            ),
        ],
        profile_claims: &[
            ("oid", UserField::Id, None),
            ("unique_name", UserField::Login, None),
            ("upn", UserField::Login, None),
            ("name", UserField::DisplayName, None),
            ("given_name", UserField::GivenName, None),
            ("family_name", UserField::FamilyName, None),
            ("roles", UserField::Roles, None),
        ],
        discovery_extra: &[],
        multi_tenant: &[],
        v1: None,
        ..v2
    }
}

pub fn personality() -> Personality {
    Personality {
        vendor: Vendor::Entra,
        display_name: "Microsoft Entra ID",
        group_values: GroupValues::Ids,
        ids: IdShapes {
            user: IdShape::Guid { prefix: "" },
            group: IdShape::Guid { prefix: "" },
            tenant: IdShape::Guid { prefix: "" },
            saml_app: IdShape::Guid { prefix: "" },
            saml_app_key: IdShape::Guid { prefix: "" },
            oidc_client: IdShape::Guid { prefix: "" },
            saml_message: IdShape::Guid { prefix: "_" },
            jti: IdShape::Prefixed {
                prefix: "",
                len: 22,
            },
            kid: IdShape::Prefixed {
                prefix: "",
                len: 27,
            },
        },
        saml: SamlPersonality {
            entity_id: "https://sts.windows.net/{tenant}/",
            entity_id_per_app: false,
            issuer_format: None,
            sso_path: "saml2",
            metadata_path: "federationmetadata/2007-06/federationmetadata.xml",
            idp_initiated_path: "api/signin/{app_id}",
            app_query_param: Some("appid"),
            want_authn_requests_signed: false,
            sign_placement: SignaturePlacement::Assertion,
            sig_alg: SignatureAlgorithm::RsaSha256,
            digest: DigestAlgorithm::Sha256,
            assertion_prefix: "",
            protocol_prefix: "samlp",
            xsi_typed_values: false,
            inclusive_prefix_list: false,
            attribute_name_format: None,
            // S8 (observed tokens): NotBefore -5 min, NotOnOrAfter +60 min, and the
            // SubjectConfirmationData NotOnOrAfter +60 min too.
            not_before: Duration::minutes(-5),
            not_on_or_after: Duration::minutes(60),
            subject_not_on_or_after: Duration::minutes(60),
            authn_context: "urn:oasis:names:tc:SAML:2.0:ac:classes:Password",
            name_id_format: NAMEID_EMAIL,
            name_id_source: UserField::Login,
            name_id_formats: &[
                NAMEID_PERSISTENT,
                NAMEID_EMAIL,
                NAMEID_UNSPECIFIED,
                NAMEID_TRANSIENT,
            ],
            subject_in_request_is_error: true,
            attributes: ATTRS,
            groups_attribute: Some(
                "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
            ),
            groups_limit: GroupLimit::Overage { max: 150 },
            groups_overage_attribute: Some("http://schemas.microsoft.com/claims/groups.link"),
            roles_attribute: Some("http://schemas.microsoft.com/ws/2008/06/identity/claims/role"),
            single_logout: true,
            sso_url: None,
            // S3: the federation metadata lists no NameIDFormat.
            metadata_name_id_formats: &[],
            metadata_all_keys: false,
            metadata_valid_until: false,
            federation_metadata: true,
            session_index_is_assertion_id: true,
            millis: true,
            attributes_first: true,
            any_type: false,
            key_info_subject_name: false,
            cert_years: 3,
            cert_cn: "Microsoft Azure Federated SSO Certificate",
        },
        oidc: OidcPersonality {
            v1: Some(Box::new(v1())),
            ..v2()
        },
        scim: ScimSupport::Dialects(&[ENTRA_SCIM_DEFAULT, ENTRA_SCIM_AADOPTSCIM062020]),
    }
}
