//! Newtypes for the string ids that cross crate boundaries, so that one kind of id cannot be
//! passed where another is wanted. [`string_id!`](crate::string_id) makes each: a
//! `#[serde(transparent)]` struct over a `String` (the JSON is the plain string) with `Display`,
//! `AsRef<str>`, `as_str()`, `From<String>`, `From<&str>`, `Into<String>` and comparisons with
//! `str`. The crate using the macro needs `serde` (with `derive`).

/// Declare a string id newtype (see the module docs).
#[macro_export]
macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug,
            Clone,
            Default,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            ::serde::Serialize,
            ::serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_string())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

string_id! {
    /// A SAML entity id (an SP's or an IdP's `entityID`, the Issuer of its messages).
    EntityId
}

string_id! {
    /// An issuer as configured or accepted: an OIDC provider's `issuer` (every id_token's
    /// `iss`), or a SAML IdP's entity id where it stands as the Issuer of its assertions.
    Issuer
}

string_id! {
    /// An OAuth / OIDC `client_id`.
    ClientId
}
