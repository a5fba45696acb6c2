//! The schema, as an ordered list of migrations keyed by SQLite's `user_version`.
//!
//! A migration is never edited once released; a change is a new entry. The SCIM server owns its
//! tables (`crate::scim::migrate`, `CREATE TABLE IF NOT EXISTS`), run by [`super::Store`] right
//! after these.

/// Each entry moves the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE orgs (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE COLLATE NOCASE,
    mode TEXT NOT NULL CHECK (mode IN ('basic', 'managed')),
    default_role TEXT NOT NULL,
    session_timeout_secs INTEGER NOT NULL,
    sso_enforced INTEGER NOT NULL,
    allow_idp_initiated INTEGER NOT NULL,
    created INTEGER NOT NULL
);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT,
    managed_by_org INTEGER REFERENCES orgs(id),
    -- The IdP-side login (SCIM userName, SSO NameID) a managed account is known by.
    idp_login TEXT,
    display_name TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created INTEGER NOT NULL
);

CREATE TABLE account_emails (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    is_primary INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, email)
);

CREATE TABLE org_sso (
    org_id INTEGER PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    protocol TEXT NOT NULL CHECK (protocol IN ('saml', 'oidc')),
    config TEXT NOT NULL,
    updated INTEGER NOT NULL
);

CREATE TABLE memberships (
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    source TEXT NOT NULL,
    external_collaborator INTEGER NOT NULL DEFAULT 0,
    -- The role of the invitation the member joined through, the fallback of role mapping.
    invited_role TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created INTEGER NOT NULL,
    PRIMARY KEY (org_id, account_id)
);

CREATE TABLE sso_identities (
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    email TEXT,
    last_login INTEGER NOT NULL,
    PRIMARY KEY (org_id, subject)
);

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    email TEXT COLLATE NOCASE,
    role TEXT NOT NULL,
    external_collaborator INTEGER NOT NULL DEFAULT 0,
    token TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL DEFAULT 'invite',
    accepted INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created INTEGER NOT NULL,
    CHECK (account_id IS NOT NULL OR email IS NOT NULL)
);

CREATE TABLE resource_groups (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created INTEGER NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE rg_members (
    rg_id INTEGER NOT NULL REFERENCES resource_groups(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (rg_id, account_id)
);

CREATE TABLE repos (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL COLLATE NOCASE,
    name TEXT NOT NULL COLLATE NOCASE,
    resource_group INTEGER REFERENCES resource_groups(id) ON DELETE SET NULL,
    created_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    created INTEGER NOT NULL,
    UNIQUE (owner, name)
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('password', 'sso')),
    created INTEGER NOT NULL
);

CREATE TABLE org_sso_sessions (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    authenticated_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, org_id)
);

CREATE TABLE saml_requests (
    id TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    return_to TEXT,
    created INTEGER NOT NULL
);

CREATE TABLE saml_replay (
    org_id INTEGER NOT NULL,
    assertion_id TEXT NOT NULL,
    expires INTEGER NOT NULL,
    PRIMARY KEY (org_id, assertion_id)
);

CREATE TABLE oidc_pending (
    state TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    pending TEXT NOT NULL,
    return_to TEXT,
    created INTEGER NOT NULL
);

CREATE TABLE scim_tokens (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL
);
"#,
    // 2: the SCIM server keeps its own `scim_tokens` (per org slug, see `crate::scim::store`);
    // the core's first draft of that table goes, and `crate::scim::migrate` recreates it.
    r#"
DROP TABLE IF EXISTS scim_tokens;
"#,
    // 3: indexes for lookups that scanned a whole table and so slowed down as an org grew:
    // a managed account by IdP login (SCIM create, SSO), and the foreign keys that deleting an
    // account or an org checks (SQLite indexes the parent side only).
    r#"
CREATE INDEX accounts_managed_login ON accounts(managed_by_org, idp_login COLLATE NOCASE);
CREATE INDEX memberships_account ON memberships(account_id);
CREATE INDEX sso_identities_account ON sso_identities(account_id);
CREATE INDEX invitations_org_account ON invitations(org_id, account_id);
CREATE INDEX rg_members_account ON rg_members(account_id);
CREATE INDEX sessions_account ON sessions(account_id);
CREATE INDEX org_sso_sessions_org ON org_sso_sessions(org_id);
CREATE INDEX saml_requests_org ON saml_requests(org_id);
CREATE INDEX oidc_pending_org ON oidc_pending(org_id);
CREATE INDEX repos_resource_group ON repos(resource_group);
"#,
    // 4: SAML Single Logout: the NameID and SessionIndex each SAML login was given (so an
    // IdP's LogoutRequest can find its sessions), and the LogoutRequests this SP sent (a
    // LogoutResponse must answer one of them).
    r#"
CREATE TABLE saml_sessions (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name_id TEXT NOT NULL,
    session_index TEXT,
    created INTEGER NOT NULL
);
CREATE INDEX saml_sessions_org_name ON saml_sessions(org_id, name_id);
CREATE INDEX saml_sessions_session ON saml_sessions(session_id);
CREATE TABLE saml_logout_requests (
    id TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    created INTEGER NOT NULL
);
"#,
    // 5: the purges that run before every insert into the login-flow tables (expired replay
    // entries, stale AuthnRequests, OIDC logins and LogoutRequests) filter on a time column
    // with no index, so each was a full scan (EXPLAIN QUERY PLAN: `SCAN saml_replay`); with
    // these they are index range searches.
    r#"
CREATE INDEX saml_replay_expires ON saml_replay(expires);
CREATE INDEX saml_requests_created ON saml_requests(created);
CREATE INDEX oidc_pending_created ON oidc_pending(created);
CREATE INDEX saml_logout_requests_created ON saml_logout_requests(created);
"#,
];
