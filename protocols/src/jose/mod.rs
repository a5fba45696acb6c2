//! JOSE: JWS, JWKS, claims.
