//! Google Workspace: custom SAML app, Google Identity OIDC.

use super::*;

const ATTRS: &[AttrRule] = &[];

pub fn personality() -> Personality {
    Personality {
        vendor: Vendor::Google,
        display_name: "Google Workspace",
        group_values: GroupValues::Names,
        ids: IdShapes {
            user: IdShape::Digits {
                prefix: "1",
                len: 20,
            },
            group: IdShape::Prefixed {
                prefix: "0",
                len: 14,
            },
            tenant: IdShape::Prefixed {
                prefix: "C0",
                len: 7,
            },
            saml_app: IdShape::Digits {
                prefix: "",
                len: 12,
            },
            saml_app_key: IdShape::Digits {
                prefix: "",
                len: 12,
            },
            oidc_client: IdShape::Digits {
                prefix: "",
                len: 12,
            },
            // S13: "_" + 32 lowercase hex.
            saml_message: IdShape::Hex {
                prefix: "_",
                len: 32,
            },
            jti: IdShape::Prefixed {
                prefix: "",
                len: 40,
            },
            kid: IdShape::Hex {
                prefix: "",
                len: 40,
            },
        },
        saml: SamlPersonality {
            entity_id: "https://accounts.google.com/o/saml2?idpid={tenant}",
            entity_id_per_app: false,
            issuer_format: None,
            sso_path: "o/saml2/idp",
            metadata_path: "o/saml2/metadata",
            idp_initiated_path: "o/saml2/initsso",
            app_query_param: Some("spid"),
            want_authn_requests_signed: false,
            sign_placement: SignaturePlacement::Assertion,
            sig_alg: SignatureAlgorithm::RsaSha256,
            digest: DigestAlgorithm::Sha256,
            assertion_prefix: "saml2",
            protocol_prefix: "saml2p",
            xsi_typed_values: true,
            inclusive_prefix_list: false,
            // S13: attributes carry no NameFormat, and xsi:type="xs:anyType" values.
            attribute_name_format: None,
            not_before: Duration::minutes(-5),
            not_on_or_after: Duration::minutes(5),
            subject_not_on_or_after: Duration::minutes(5),
            authn_context: "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified",
            name_id_format: NAMEID_EMAIL,
            name_id_source: UserField::Email,
            name_id_formats: &[
                NAMEID_EMAIL,
                NAMEID_UNSPECIFIED,
                NAMEID_PERSISTENT,
                NAMEID_TRANSIENT,
            ],
            subject_in_request_is_error: false,
            attributes: ATTRS,
            groups_attribute: None,
            groups_limit: GroupLimit::Cap { max: 75 },
            groups_overage_attribute: None,
            roles_attribute: None,
            single_logout: false,
            // S13: the SSO URL names the IdP by idpid; the app is found from the Issuer.
            sso_url: Some("o/saml2/idp?idpid={tenant}"),
            metadata_name_id_formats: &[NAMEID_EMAIL],
            metadata_all_keys: false,
            metadata_valid_until: true,
            federation_metadata: false,
            session_index_is_assertion_id: true,
            millis: true,
            attributes_first: true,
            any_type: true,
            key_info_subject_name: true,
            cert_years: 5,
            cert_cn: "Google",
        },
        oidc: OidcPersonality {
            issuer_path: "",
            discovery_path: ".well-known/openid-configuration",
            authorize_path: "o/oauth2/v2/auth",
            token_path: "token",
            userinfo_path: "v1/userinfo",
            jwks_path: "oauth2/v3/certs",
            end_session_path: None,
            token_auth: &[TokenAuth::ClientSecretPost, TokenAuth::ClientSecretBasic],
            id_token_lifetime: Duration::minutes(60),
            // The token endpoint answers `expires_in: 3599` (audit, Google id_token row).
            access_token_lifetime: Duration::seconds(3599),
            ext_expires_in: false,
            header_typ: Some("JWT"),
            subject: SubjectStyle::UserId,
            fixed_claims: &[
                ("hd", FixedClaim::HostedDomain),
                ("email_verified", FixedClaim::Bool(true)),
                // S14: azp is always present (the client id).
                ("azp", FixedClaim::ClientId),
            ],
            profile_claims: &[
                ("email", UserField::Email, Some("email")),
                ("name", UserField::DisplayName, Some("profile")),
                ("given_name", UserField::GivenName, Some("profile")),
                ("family_name", UserField::FamilyName, Some("profile")),
            ],
            userinfo_only_claims: &[],
            groups_claim: None,
            groups_value: GroupValue::Name,
            groups_scope: None,
            groups_limit: GroupLimit::Cap { max: 75 },
            groups_overage_endpoint: None,
            published_keys: 2,
            sp_initiated_only: true,
            scopes: &["openid", "email", "profile"],
            // S14's discovery lists plain and S256.
            pkce_methods: &["plain", "S256"],
            advertise_pkce: true,
            // Google's discovery has no response_modes_supported, so the OIDC default (query,
            // fragment) applies; form_post is not documented for the code flow (S14).
            response_modes: &["query", "fragment"],
            advertise_response_modes: false,
            at_hash: true,
            groups_need_client_setting: false,
            // S14: a refresh token with access_type=offline (on the consent that grants it).
            offline: OfflineAccess::AccessTypeOfflineWithConsent,
            access_token: AccessTokenStyle::Opaque,
            // S14: bare RSA keys.
            jwks: JwksShape {
                x5c: false,
                kid_is_x5t: false,
            },
            // S14: userinfo returns email_verified, hd and picture.
            userinfo_fixed_claims: &[
                ("email_verified", FixedClaim::Bool(true), Some("email")),
                ("hd", FixedClaim::HostedDomain, None),
                ("picture", FixedClaim::Picture, Some("profile")),
            ],
            discovery_extra: &[(
                "claims_supported",
                DiscoveryValue::List(&[
                    "aud",
                    "email",
                    "email_verified",
                    "exp",
                    "family_name",
                    "given_name",
                    "iat",
                    "iss",
                    "name",
                    "picture",
                    "sub",
                ]),
            )],
            custom_servers: None,
            v1: None,
            multi_tenant: &[],
            issuer_template: None,
            header_x5t: false,
        },
        scim: ScimSupport::None {
            reason: "Google Workspace has no SCIM provisioning for custom apps: users arrive \
                     by SSO (just in time or through the join link)",
        },
    }
}
