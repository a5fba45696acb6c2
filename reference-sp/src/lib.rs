//! The reference service provider. Not built yet: see issue 3.
