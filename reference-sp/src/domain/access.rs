//! Who may reach what: pure decisions over facts the caller loaded.
//!
//! Org resources [MODE-1]: a member needs a live org SSO session when the organisation has SSO
//! (unless SSO is optional [BASIC-6]); an external collaborator skips SSO and reaches only the
//! resource groups they belong to [EXT-1]. A repository in a resource group is reachable by
//! organisation admins and by the group's members; one outside any group by every member.

use crate::role::Role;
use crate::store::accounts::Account;
use crate::store::memberships::Membership;
use crate::store::orgs::Org;
use serde::Serialize;

/// How access was granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    Owner,
    Member,
    ResourceGroup,
    ExternalCollaborator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Granted {
        role: Role,
        via: Via,
        /// SSO is optional and the member has not done it: show the banner [BASIC-6].
        sso_skipped: bool,
    },
    /// Nobody is signed in and the platform login comes first (Basic) [BASIC-1].
    LoginRequired,
    /// The organisation's SSO must run (again) [SESS-2], [MODE-2].
    SsoRequired,
    Forbidden {
        code: &'static str,
        message: String,
    },
}

fn forbidden(code: &'static str, message: impl Into<String>) -> Decision {
    Decision::Forbidden {
        code,
        message: message.into(),
    }
}

/// The signed-in account as the organisation sees it.
#[derive(Debug, Clone)]
pub struct Member<'a> {
    pub account: &'a Account,
    pub membership: Option<&'a Membership>,
    /// A live SSO session with this organisation on the browser's session.
    pub sso_session_live: bool,
    /// The account's role in the resource group of the resource, if it is in one.
    pub group_role: Option<Role>,
}

/// Reaching a resource of `org` (`in_group`: the resource belongs to a resource group).
pub fn org_resource(
    org: &Org,
    sso_configured: bool,
    in_group: bool,
    viewer: Option<&Member>,
) -> Decision {
    let Some(v) = viewer else {
        return match org.mode {
            crate::role::OrgMode::Managed if sso_configured => Decision::SsoRequired,
            _ => Decision::LoginRequired,
        };
    };
    if let Some(owner) = v.account.managed_by_org {
        if owner != org.id {
            return forbidden(
                "managed-account-restricted",
                "a managed account cannot reach other organisations' resources",
            );
        }
    }
    let Some(m) = v.membership else {
        // With SSO, the IdP decides who may join: the first SSO joins [BASIC-8], [MAN-2].
        if sso_configured {
            return Decision::SsoRequired;
        }
        return forbidden(
            "not-a-member",
            format!("{} is not a member of {}", v.account.username, org.slug),
        );
    };
    if !m.active {
        return forbidden(
            "membership-deactivated",
            "your access to this organisation is deactivated",
        );
    }
    if m.external_collaborator {
        // [EXT-1]: no SSO, resource groups only.
        return match v.group_role {
            Some(role) if in_group => Decision::Granted {
                role,
                via: Via::ExternalCollaborator,
                sso_skipped: false,
            },
            _ => forbidden(
                "not-in-resource-group",
                "external collaborators reach only the resource groups they belong to",
            ),
        };
    }
    let mut sso_skipped = false;
    if sso_configured && !v.sso_session_live {
        if org.sso_enforced || v.account.managed_by_org == Some(org.id) {
            return Decision::SsoRequired;
        }
        sso_skipped = true;
    }
    if !in_group || m.role == Role::Admin {
        return Decision::Granted {
            role: m.role,
            via: Via::Member,
            sso_skipped,
        };
    }
    match v.group_role {
        Some(role) => Decision::Granted {
            role,
            via: Via::ResourceGroup,
            sso_skipped,
        },
        None => forbidden(
            "not-in-resource-group",
            "the resource belongs to a resource group you are not in",
        ),
    }
}

/// Creating content in `org`'s namespace (or one of its resource groups): as reaching it,
/// plus at least the contributor role.
pub fn org_create(
    org: &Org,
    sso_configured: bool,
    in_group: bool,
    viewer: Option<&Member>,
) -> Decision {
    match org_resource(org, sso_configured, in_group, viewer) {
        Decision::Granted { role, .. } if role < Role::Contributor => forbidden(
            "insufficient-role",
            format!("creating content needs the contributor role or above; you have {role}"),
        ),
        d => d,
    }
}

/// Creating content in a personal namespace [BASIC-3], [MAN-3].
pub fn personal_create(
    account: &Account,
    namespace_owner: &Account,
    danger_managed_personal: bool,
) -> Decision {
    if account.id != namespace_owner.id {
        return forbidden(
            "not-your-namespace",
            "you can only create content in your own namespace",
        );
    }
    if account.is_managed() && !danger_managed_personal {
        return forbidden(
            "managed-personal-namespace",
            "managed accounts cannot create content in their personal namespace",
        );
    }
    Decision::Granted {
        role: Role::Admin,
        via: Via::Owner,
        sso_skipped: false,
    }
}

/// Reading a repository in a personal namespace: its owner only.
pub fn personal_resource(account: Option<&Account>, namespace_owner: &Account) -> Decision {
    match account {
        None => Decision::LoginRequired,
        Some(a) if a.id == namespace_owner.id => Decision::Granted {
            role: Role::Admin,
            via: Via::Owner,
            sso_skipped: false,
        },
        Some(_) => forbidden("private", "this repository is private to its owner"),
    }
}

/// Whether an org SSO session that completed at `authenticated_at` is still live [SESS-1],
/// [SESS-2]. The `ignore-session-timeout` flaw keeps it forever.
pub fn sso_session_live(
    org: &Org,
    authenticated_at: i64,
    now: i64,
    danger_ignore_timeout: bool,
) -> bool {
    danger_ignore_timeout || now < authenticated_at.saturating_add(org.session_timeout_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::{OrgMode, Source};

    fn org(mode: OrgMode, enforced: bool) -> Org {
        Org {
            id: 1,
            slug: "acme".into(),
            mode,
            default_role: Role::Read,
            session_timeout_secs: 3600,
            sso_enforced: enforced,
            allow_idp_initiated: false,
            created: 0,
        }
    }

    fn account(managed_by: Option<i64>) -> Account {
        Account {
            id: 7,
            username: "alice".into(),
            managed_by_org: managed_by,
            idp_login: None,
            display_name: None,
            active: true,
            has_password: managed_by.is_none(),
            created: 0,
        }
    }

    fn membership(role: Role, external: bool) -> Membership {
        Membership {
            org_id: 1,
            account_id: 7,
            role,
            source: Source::Sso,
            external_collaborator: external,
            invited_role: None,
            active: true,
            created: 0,
        }
    }

    #[test]
    fn basic_member_needs_a_live_sso_session() {
        let o = org(OrgMode::Basic, true);
        let a = account(None);
        let m = membership(Role::Write, false);
        let mut v = Member {
            account: &a,
            membership: Some(&m),
            sso_session_live: false,
            group_role: None,
        };
        assert_eq!(
            org_resource(&o, true, false, Some(&v)),
            Decision::SsoRequired
        );
        v.sso_session_live = true;
        assert!(matches!(
            org_resource(&o, true, false, Some(&v)),
            Decision::Granted {
                role: Role::Write,
                via: Via::Member,
                ..
            }
        ));
        assert_eq!(org_resource(&o, true, false, None), Decision::LoginRequired);
    }

    #[test]
    fn optional_sso_lets_members_skip_with_a_banner() {
        let o = org(OrgMode::Basic, false);
        let a = account(None);
        let m = membership(Role::Read, false);
        let v = Member {
            account: &a,
            membership: Some(&m),
            sso_session_live: false,
            group_role: None,
        };
        assert!(matches!(
            org_resource(&o, true, false, Some(&v)),
            Decision::Granted {
                sso_skipped: true,
                ..
            }
        ));
    }

    #[test]
    fn external_collaborators_skip_sso_but_groups_apply() {
        let o = org(OrgMode::Basic, true);
        let a = account(None);
        let m = membership(Role::Read, true);
        let mut v = Member {
            account: &a,
            membership: Some(&m),
            sso_session_live: false,
            group_role: Some(Role::Write),
        };
        assert!(matches!(
            org_resource(&o, true, true, Some(&v)),
            Decision::Granted {
                via: Via::ExternalCollaborator,
                role: Role::Write,
                ..
            }
        ));
        assert!(matches!(
            org_resource(&o, true, false, Some(&v)),
            Decision::Forbidden {
                code: "not-in-resource-group",
                ..
            }
        ));
        v.group_role = None;
        assert!(matches!(
            org_resource(&o, true, true, Some(&v)),
            Decision::Forbidden { .. }
        ));
    }

    #[test]
    fn managed_accounts_stay_home() {
        let o = org(OrgMode::Basic, true);
        let a = account(Some(99));
        let v = Member {
            account: &a,
            membership: None,
            sso_session_live: true,
            group_role: None,
        };
        assert!(matches!(
            org_resource(&o, true, false, Some(&v)),
            Decision::Forbidden {
                code: "managed-account-restricted",
                ..
            }
        ));
        assert!(matches!(
            personal_create(&a, &a, false),
            Decision::Forbidden {
                code: "managed-personal-namespace",
                ..
            }
        ));
        assert!(matches!(
            personal_create(&a, &a, true),
            Decision::Granted { .. }
        ));
        let b = account(None);
        assert!(matches!(
            personal_create(&b, &b, false),
            Decision::Granted { .. }
        ));
    }

    #[test]
    fn resource_groups_gate_group_resources() {
        let o = org(OrgMode::Managed, true);
        let a = account(Some(1));
        let m = membership(Role::Read, false);
        let v = Member {
            account: &a,
            membership: Some(&m),
            sso_session_live: true,
            group_role: None,
        };
        assert!(matches!(
            org_resource(&o, true, true, Some(&v)),
            Decision::Forbidden { .. }
        ));
        let admin = membership(Role::Admin, false);
        let v = Member {
            membership: Some(&admin),
            ..v
        };
        assert!(matches!(
            org_resource(&o, true, true, Some(&v)),
            Decision::Granted { .. }
        ));
        assert!(matches!(
            org_create(
                &o,
                true,
                false,
                Some(&Member {
                    membership: Some(&m),
                    ..v.clone()
                })
            ),
            Decision::Forbidden {
                code: "insufficient-role",
                ..
            }
        ));
    }

    #[test]
    fn non_members_are_sent_to_sso_when_there_is_one() {
        let o = org(OrgMode::Basic, true);
        let a = account(None);
        let v = Member {
            account: &a,
            membership: None,
            sso_session_live: false,
            group_role: None,
        };
        assert_eq!(
            org_resource(&o, true, false, Some(&v)),
            Decision::SsoRequired
        );
        assert!(matches!(
            org_resource(&o, false, false, Some(&v)),
            Decision::Forbidden {
                code: "not-a-member",
                ..
            }
        ));
    }

    #[test]
    fn session_timeout() {
        let o = org(OrgMode::Basic, true);
        assert!(sso_session_live(&o, 100, 100 + 3599, false));
        assert!(!sso_session_live(&o, 100, 100 + 3600, false));
        assert!(sso_session_live(&o, 100, 100 + 999_999, true));
    }
}
