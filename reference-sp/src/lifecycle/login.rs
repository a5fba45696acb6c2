//! What a verified IdP login does, per mode: link or create the account, join the organisation,
//! re-sync the role and resource groups, and start the organisation SSO session.
//!
//! Runs inside the caller's transaction; a refusal returns before anything is committed, so a
//! refused login leaves no session and no change [BASIC-7].

use crate::domain::identity::IdpIdentity;
use crate::domain::mapping::resolve_role;
use crate::domain::sso_config::SsoConfig;
use crate::domain::username;
use crate::flaws::{Flaw, Flaws};
use crate::role::{OrgMode, Role, Source};
use crate::store::accounts::{self, Account, NewAccount};
use crate::store::memberships::{self, Membership};
use crate::store::orgs::Org;
use crate::store::sessions::{self, Session, SessionKind};
use crate::store::{invitations, resource_groups, Id, StoreError};
use rusqlite::Connection;
use std::collections::BTreeMap;

/// Why a verified IdP login is still refused.
#[derive(Debug, thiserror::Error)]
pub enum LoginRefusal {
    #[error("sign in to the platform with your own account first; Basic SSO links your IdP identity to it")]
    PlatformLoginRequired,
    #[error("the IdP sent no email, so the identity cannot be matched to a platform account")]
    EmailMissing,
    #[error("the IdP email {idp_email:?} is not one of the emails of platform account {username:?}; add it to your account or sign in with the matching account")]
    EmailMismatch { idp_email: String, username: String },
    #[error("this IdP identity is already linked to another platform account")]
    IdentityLinkedElsewhere,
    #[error("account {username:?} is managed by another organisation and cannot join this one")]
    ManagedElsewhere { username: String },
    #[error("the account is deactivated")]
    AccountDeactivated,
    #[error("your access to this organisation is deactivated")]
    MembershipDeactivated,
    #[error("the IdP sent an empty subject")]
    NoSubject,
    #[error("no free username could be derived from {login:?}")]
    UsernameUnavailable { login: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl LoginRefusal {
    /// The stable code shown to users and matched by scenarios.
    pub fn code(&self) -> &'static str {
        match self {
            LoginRefusal::PlatformLoginRequired => "platform-login-required",
            LoginRefusal::EmailMissing => "email-missing",
            LoginRefusal::EmailMismatch { .. } => "email-mismatch",
            LoginRefusal::IdentityLinkedElsewhere => "identity-linked-elsewhere",
            LoginRefusal::ManagedElsewhere { .. } => "managed-account-restricted",
            LoginRefusal::AccountDeactivated => "account-deactivated",
            LoginRefusal::MembershipDeactivated => "membership-deactivated",
            LoginRefusal::NoSubject => "no-subject",
            LoginRefusal::UsernameUnavailable { .. } => "username-unavailable",
            LoginRefusal::Store(_) => "internal",
        }
    }
}

/// One verified login to apply.
#[derive(Debug)]
pub struct LoginInput<'a> {
    pub org: &'a Org,
    pub config: &'a SsoConfig,
    pub identity: &'a IdpIdentity,
    /// The browser's current platform session, if any.
    pub current: Option<&'a Session>,
    pub flaws: &'a Flaws,
    pub now: i64,
}

/// What the login did.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    pub account: Account,
    /// A new platform session was created for this cookie token (Managed logins).
    pub new_session_token: Option<String>,
    pub session_id: String,
    pub joined: bool,
    pub created_account: bool,
    pub role: Role,
}

/// Apply a verified login. `new_token` is used when a new platform session must be created.
pub fn apply(
    c: &Connection,
    input: &LoginInput,
    new_token: &str,
) -> Result<LoginOutcome, LoginRefusal> {
    if input.identity.subject.trim().is_empty() {
        return Err(LoginRefusal::NoSubject);
    }
    match input.org.mode {
        OrgMode::Basic => basic(c, input),
        OrgMode::Managed => managed(c, input, new_token),
    }
}

/// [BASIC-1], [BASIC-7], [BASIC-8]: link the IdP identity to the signed-in personal account
/// when the emails match, join on first SSO, attach the org SSO session.
fn basic(c: &Connection, input: &LoginInput) -> Result<LoginOutcome, LoginRefusal> {
    let org = input.org;
    let ident = input.identity;
    let session = input.current.ok_or(LoginRefusal::PlatformLoginRequired)?;
    let account =
        accounts::by_id(c, session.account_id)?.ok_or(LoginRefusal::PlatformLoginRequired)?;
    if !account.active {
        return Err(LoginRefusal::AccountDeactivated);
    }
    if let Some(owner) = account.managed_by_org {
        if owner != org.id {
            return Err(LoginRefusal::ManagedElsewhere {
                username: account.username,
            });
        }
    }
    if let Some(linked) = accounts::by_identity(c, org.id, &ident.subject)? {
        if linked != account.id {
            return Err(LoginRefusal::IdentityLinkedElsewhere);
        }
    }
    if !input.flaws.danger(Flaw::SkipEmailMatch) {
        let email = ident.email.as_deref().ok_or(LoginRefusal::EmailMissing)?;
        if !accounts::has_email(c, account.id, email)? {
            return Err(LoginRefusal::EmailMismatch {
                idp_email: email.to_string(),
                username: account.username,
            });
        }
    }
    accounts::link_identity(
        c,
        org.id,
        &ident.subject,
        account.id,
        ident.email.as_deref(),
        input.now,
    )?;
    let (role, joined) = join_and_sync(c, input, &account)?;
    sessions::set_org_session(c, &session.id, org.id, input.now)?;
    Ok(LoginOutcome {
        account,
        new_session_token: None,
        session_id: session.id.clone(),
        joined,
        created_account: false,
        role,
    })
}

/// [MAN-1], [MAN-2]: the IdP is the only way in; the first login creates the account.
fn managed(
    c: &Connection,
    input: &LoginInput,
    new_token: &str,
) -> Result<LoginOutcome, LoginRefusal> {
    let org = input.org;
    let ident = input.identity;
    let mut created = false;
    let account = match accounts::by_identity(c, org.id, &ident.subject)? {
        Some(id) => accounts::by_id(c, id)?,
        None => None,
    };
    let account = match account {
        Some(a) => a,
        None => match accounts::managed_matching(
            c,
            org.id,
            ident.login.as_deref().or(Some(ident.subject.as_str())),
            ident.email.as_deref(),
        )? {
            Some(a) => a,
            None => {
                created = true;
                create_managed(c, input)?
            }
        },
    };
    if account.managed_by_org != Some(org.id) {
        // A personal account linked to a managed organisation's IdP: not how Managed works.
        return Err(LoginRefusal::IdentityLinkedElsewhere);
    }
    if !account.active {
        return Err(LoginRefusal::AccountDeactivated);
    }
    accounts::link_identity(
        c,
        org.id,
        &ident.subject,
        account.id,
        ident.email.as_deref(),
        input.now,
    )?;
    let (role, joined) = join_and_sync(c, input, &account)?;
    // Reuse the browser's session when it is already this account's; otherwise a new one.
    let (session_id, new_token) = match input.current {
        Some(s) if s.account_id == account.id => (s.id.clone(), None),
        _ => {
            let s = sessions::create(c, new_token, account.id, SessionKind::Sso, input.now)?;
            (s.id, Some(new_token.to_string()))
        }
    };
    sessions::set_org_session(c, &session_id, org.id, input.now)?;
    Ok(LoginOutcome {
        account,
        new_session_token: new_token,
        session_id,
        joined,
        created_account: created,
        role,
    })
}

fn create_managed(c: &Connection, input: &LoginInput) -> Result<Account, LoginRefusal> {
    let ident = input.identity;
    let login = ident
        .login
        .clone()
        .or_else(|| ident.email.clone())
        .unwrap_or_else(|| ident.subject.clone());
    let base = username::derive(&login);
    let mut chosen = None;
    for n in 1..=1000 {
        let candidate = username::with_suffix(&base, n);
        if username::validate(&candidate).is_ok() && namespace_free(c, &candidate)? {
            chosen = Some(candidate);
            break;
        }
    }
    let name = chosen.ok_or(LoginRefusal::UsernameUnavailable { login })?;
    // The IdP's email, unless a personal account already holds it (it stays theirs).
    let emails = match &ident.email {
        Some(e) if accounts::by_email(c, e)?.is_none() => vec![e.clone()],
        _ => Vec::new(),
    };
    Ok(accounts::create(
        c,
        &NewAccount {
            username: name,
            password_hash: None,
            managed_by_org: Some(input.org.id),
            idp_login: ident.login.clone().or_else(|| Some(ident.subject.clone())),
            display_name: ident.display_name.clone(),
            emails,
        },
        input.now,
    )?)
}

/// Whether `name` is free as a namespace: no account and no organisation holds it.
pub fn namespace_free(c: &Connection, name: &str) -> Result<bool, StoreError> {
    Ok(accounts::username_available(c, name)?
        && crate::store::orgs::by_slug(c, name)?.is_none()
        && !username::is_reserved(name))
}

/// Join the organisation if needed (accepting a pending invitation), then re-sync the role
/// [ROLE-5] and the resource groups [RG-*]. Returns the role and whether the account joined.
fn join_and_sync(
    c: &Connection,
    input: &LoginInput,
    account: &Account,
) -> Result<(Role, bool), LoginRefusal> {
    let org = input.org;
    let cfg = input.config;
    let attrs = &input.identity.attributes;
    let mapped = cfg
        .role_mapping
        .as_ref()
        .and_then(|m| m.evaluate(attrs, input.flaws.danger(Flaw::FirstMatchRole)));
    let existing = memberships::get(c, org.id, account.id)?;
    let (role, joined) = match existing {
        Some(m) => {
            if !m.active {
                return Err(LoginRefusal::MembershipDeactivated);
            }
            let role = if cfg.role_mapping.is_some() {
                resolve_role(mapped, m.invited_role, org.default_role)
            } else {
                // Without a mapping the IdP says nothing about roles: keep what was given.
                m.role
            };
            if role != m.role {
                memberships::set_role(c, org.id, account.id, role)?;
            }
            (role, false)
        }
        None => {
            let invitation = invitations::pending_for(c, org.id, account.id)?;
            if let Some(inv) = &invitation {
                if !inv.active {
                    return Err(LoginRefusal::MembershipDeactivated);
                }
                invitations::accept(c, inv.id, account.id)?;
            }
            let invited = invitation.as_ref().map(|i| i.role);
            let role = resolve_role(mapped, invited, org.default_role);
            memberships::insert(
                c,
                &Membership {
                    org_id: org.id,
                    account_id: account.id,
                    role,
                    source: Source::Sso,
                    external_collaborator: false,
                    invited_role: invited,
                    active: true,
                    created: input.now,
                },
            )?;
            (role, true)
        }
    };
    if let Some(gm) = &cfg.resource_group_mapping {
        let mut desired: BTreeMap<Id, Role> = BTreeMap::new();
        for (name, role) in gm.evaluate(attrs) {
            // A rule naming a group deleted since configuration is skipped, not fatal.
            if let Some(rg) = resource_groups::by_name(c, org.id, &name)? {
                desired.insert(rg.id, role);
            }
        }
        resource_groups::sync_sso(c, org.id, account.id, &desired)?;
    }
    Ok((role, joined))
}
