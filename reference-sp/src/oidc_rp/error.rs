//! Why the RP refused a login: one variant per rule, with the context in fields, and a stable
//! kebab-case code per variant for reports and the target API.

/// A refused OIDC login. Catalogue ids are in the docs of the variants they cover.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum OidcRejection {
    // Discovery and keys.
    #[error("discovery document at {url} is unavailable: {reason}")]
    DiscoveryUnavailable { url: String, reason: String },
    #[error("discovery document at {url} is unusable: {reason}")]
    DiscoveryInvalid { url: String, reason: String },
    /// OIDC-DISC-1.
    #[error("discovery document names issuer {found:?}, configured issuer is {expected:?}")]
    DiscoveryIssuerMismatch { expected: String, found: String },
    #[error("JWKS at {url} is unavailable: {reason}")]
    JwksUnavailable { url: String, reason: String },
    #[error("JWKS at {url} is unusable: {reason}")]
    JwksInvalid { url: String, reason: String },

    // Callback.
    /// OIDC-ERR-1.
    #[error("the identity provider answered {error}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    ProviderError {
        error: String,
        description: Option<String>,
    },
    /// OIDC-STATE-1.
    #[error("the callback carries no state")]
    StateMissing,
    /// OIDC-STATE-1.
    #[error("the callback state {found:?} is not the one sent")]
    StateMismatch { found: String },
    #[error("the login was started {age_secs}s ago, longer than {max_secs}s")]
    PendingExpired { age_secs: i64, max_secs: i64 },
    #[error("the callback carries no code")]
    CodeMissing,

    // Token endpoint.
    /// OIDC-PKCE-1: the OP refused the code (replayed, wrong verifier, expired, ...).
    #[error("the token endpoint refused the code: {error}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    TokenEndpointError {
        error: String,
        description: Option<String>,
    },
    #[error("the token endpoint is unavailable: {reason}")]
    TokenEndpointUnavailable { reason: String },
    #[error("the token response is unusable: {reason}")]
    TokenResponseInvalid { reason: String },

    // id_token signature and key choice.
    #[error("the id_token is malformed: {reason}")]
    MalformedIdToken { reason: String },
    /// OIDC-SIG-2.
    #[error("the id_token is unsigned (alg {alg:?})")]
    AlgNone { alg: String },
    /// OIDC-SIG-3 (HS256 key confusion) and any other algorithm outside the allowed set.
    #[error("id_token algorithm {alg:?} is not allowed (allowed: {allowed:?})")]
    AlgNotAllowed { alg: String, allowed: Vec<String> },
    /// OIDC-SIG-5: the header carries a key or a key URL; the RP never uses either.
    #[error("the id_token header carries its own key material ({param})")]
    HeaderKeyRejected { param: String },
    /// OIDC-SIG-4: r or s of an ES256 signature is zero (CVE-2022-21449).
    #[error("the id_token ES256 signature has a zero component")]
    EcdsaZeroSignature,
    /// OIDC-SIG-1, and a token signed by a key the OP never published under that kid.
    #[error("the id_token signature does not verify")]
    BadSignature,
    /// OIDC-KID-3 when the kid is still unknown after refetching the JWKS.
    #[error("no published key has kid {kid:?}, even after refetching the JWKS")]
    UnknownKid { kid: String },
    /// OIDC-KID-2.
    #[error("the id_token has no kid and the JWKS holds {count} keys for its algorithm")]
    AmbiguousKey { count: usize },
    #[error("no published key fits algorithm {alg}")]
    NoKeyForAlg { alg: String },

    // id_token claims.
    /// OIDC-ISS-1.
    #[error("id_token iss is {found:?}, expected {expected:?}")]
    IssuerMismatch {
        expected: String,
        found: Option<String>,
    },
    /// OIDC-AUD-1.
    #[error("id_token aud {found:?} does not name this client {expected:?}")]
    AudienceMismatch {
        expected: String,
        found: Vec<String>,
    },
    /// OIDC-AUD-2: this client is one audience among others.
    #[error("id_token aud {found:?} names other audiences besides this client")]
    UntrustedAudience { found: Vec<String> },
    /// OIDC-AZP-1, and azp missing while aud has several values.
    #[error("id_token azp is {found:?}, expected {expected:?}")]
    AuthorizedPartyMismatch {
        expected: String,
        found: Option<String>,
    },
    /// OIDC-SUB-1.
    #[error("id_token has no sub")]
    SubjectMissing,
    /// OIDC-IAT-1.
    #[error("id_token has no iat")]
    IssuedAtMissing,
    /// OIDC-IAT-2.
    #[error("id_token iat {iat} is more than {max_secs}s after now ({now})")]
    IssuedInFuture { iat: i64, now: i64, max_secs: i64 },
    /// OIDC-EXP-1.
    #[error("id_token has no exp")]
    ExpiryMissing,
    /// OIDC-EXP-1.
    #[error("id_token expired at {exp} (now {now}, skew {skew_secs}s)")]
    Expired { exp: i64, now: i64, skew_secs: i64 },
    /// OIDC-NONCE-1.
    #[error("id_token nonce is {found:?}, not the one sent")]
    NonceMismatch { found: Option<String> },
    /// OIDC-HASH-1.
    #[error("id_token at_hash {found:?} does not match the access token ({expected:?})")]
    AccessTokenHashMismatch { expected: String, found: String },
    /// OIDC-HASH-1.
    #[error("id_token c_hash {found:?} does not match the code ({expected:?})")]
    CodeHashMismatch { expected: String, found: String },

    // Userinfo.
    #[error("the userinfo endpoint is unavailable: {reason}")]
    UserinfoUnavailable { reason: String },
    #[error("the userinfo answer is unusable: {reason}")]
    UserinfoInvalid { reason: String },
    /// OIDC-UI-1.
    #[error("userinfo sub {found:?} differs from id_token sub {expected:?}")]
    UserinfoSubMismatch {
        expected: String,
        found: Option<String>,
    },
}

impl OidcRejection {
    /// A stable kebab-case id, for reports and the target API.
    pub fn code(&self) -> &'static str {
        use OidcRejection::*;
        match self {
            DiscoveryUnavailable { .. } => "discovery-unavailable",
            DiscoveryInvalid { .. } => "discovery-invalid",
            DiscoveryIssuerMismatch { .. } => "discovery-issuer-mismatch",
            JwksUnavailable { .. } => "jwks-unavailable",
            JwksInvalid { .. } => "jwks-invalid",
            ProviderError { .. } => "provider-error",
            StateMissing => "state-missing",
            StateMismatch { .. } => "state-mismatch",
            PendingExpired { .. } => "pending-expired",
            CodeMissing => "code-missing",
            TokenEndpointError { .. } => "token-endpoint-error",
            TokenEndpointUnavailable { .. } => "token-endpoint-unavailable",
            TokenResponseInvalid { .. } => "token-response-invalid",
            MalformedIdToken { .. } => "id-token-malformed",
            AlgNone { .. } => "id-token-alg-none",
            AlgNotAllowed { .. } => "id-token-alg-not-allowed",
            HeaderKeyRejected { .. } => "id-token-header-key",
            EcdsaZeroSignature => "id-token-ecdsa-zero-signature",
            BadSignature => "id-token-bad-signature",
            UnknownKid { .. } => "id-token-unknown-kid",
            AmbiguousKey { .. } => "id-token-ambiguous-key",
            NoKeyForAlg { .. } => "id-token-no-key-for-alg",
            IssuerMismatch { .. } => "id-token-issuer-mismatch",
            AudienceMismatch { .. } => "id-token-audience-mismatch",
            UntrustedAudience { .. } => "id-token-untrusted-audience",
            AuthorizedPartyMismatch { .. } => "id-token-azp-mismatch",
            SubjectMissing => "id-token-sub-missing",
            IssuedAtMissing => "id-token-iat-missing",
            IssuedInFuture { .. } => "id-token-iat-future",
            ExpiryMissing => "id-token-exp-missing",
            Expired { .. } => "id-token-expired",
            NonceMismatch { .. } => "id-token-nonce-mismatch",
            AccessTokenHashMismatch { .. } => "id-token-at-hash-mismatch",
            CodeHashMismatch { .. } => "id-token-c-hash-mismatch",
            UserinfoUnavailable { .. } => "userinfo-unavailable",
            UserinfoInvalid { .. } => "userinfo-invalid",
            UserinfoSubMismatch { .. } => "userinfo-sub-mismatch",
        }
    }
}
