//! SAML 2.0 wire code.
