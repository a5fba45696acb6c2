//! A tenant's directory: users and groups, seeded with `fake` from a fixed seed or loaded from a
//! fixture.

use crate::personality::Personality;
use fake::faker::name::en::{FirstName, LastName};
use fake::rand::rngs::StdRng;
use fake::rand::SeedableRng;
use fake::Fake;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A directory user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// The vendor's object id (`00u...`, a GUID, a numeric id).
    pub id: String,
    /// Login / user principal name.
    pub login: String,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    #[serde(default)]
    pub display_name: String,
    /// Group ids.
    #[serde(default)]
    pub groups: Vec<String>,
    /// App roles (Entra `roles`).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Extra attributes by name, released as SAML attributes and OIDC claims.
    #[serde(default)]
    pub attributes: BTreeMap<String, Vec<String>>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A directory group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub name: String,
}

/// How to add a user: what the caller knows; the rest is generated.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub id: Option<String>,
    pub login: Option<String>,
    pub email: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    /// Group names or ids; unknown names are created.
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, Vec<String>>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Directory {
    pub domain: String,
    users: Vec<User>,
    groups: Vec<Group>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DirectoryError {
    #[error("a user with login {0:?} already exists")]
    DuplicateLogin(String),
    #[error("a user with id {0:?} already exists")]
    DuplicateId(String),
    #[error("no user {0:?} (looked up by id, login and email)")]
    NoSuchUser(String),
    #[error("no group {0:?}")]
    NoSuchGroup(String),
    #[error("a group named {0:?} already exists")]
    DuplicateGroup(String),
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl Directory {
    pub fn new(domain: impl Into<String>) -> Self {
        Self {
            domain: domain.into(),
            ..Self::default()
        }
    }

    /// `count` users with names from `fake`, reproducible from `seed`.
    pub fn seeded(
        domain: &str,
        seed: u64,
        count: usize,
        personality: &Personality,
        ids: &dyn protocols::IdGen,
    ) -> Self {
        // StdRng is seeded, so the same seed gives the same directory.
        let mut rng = StdRng::seed_from_u64(seed);
        let mut dir = Self::new(domain);
        let everyone = dir.ensure_group("Everyone", personality, ids);
        for _ in 0..count {
            let given: String = FirstName().fake_with_rng(&mut rng);
            let family: String = LastName().fake_with_rng(&mut rng);
            let mut local = format!("{}.{}", given, family).to_ascii_lowercase();
            local.retain(|c| c.is_ascii_alphanumeric() || c == '.');
            let mut login = format!("{local}@{domain}");
            let mut n = 2;
            while dir.users.iter().any(|u| u.login == login) {
                login = format!("{local}{n}@{domain}");
                n += 1;
            }
            dir.users.push(User {
                id: personality.ids.user.make(ids),
                email: login.clone(),
                login,
                display_name: format!("{given} {family}"),
                given_name: given,
                family_name: family,
                groups: vec![everyone.clone()],
                roles: Vec::new(),
                attributes: BTreeMap::new(),
                active: true,
            });
        }
        dir
    }

    pub fn users(&self) -> &[User] {
        &self.users
    }

    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The group id for `name_or_id`, creating a group of that name if none exists.
    pub fn ensure_group(
        &mut self,
        name_or_id: &str,
        personality: &Personality,
        ids: &dyn protocols::IdGen,
    ) -> String {
        if let Some(g) = self
            .groups
            .iter()
            .find(|g| g.id == name_or_id || g.name == name_or_id)
        {
            return g.id.clone();
        }
        let id = personality.ids.group.make(ids);
        self.groups.push(Group {
            id: id.clone(),
            name: name_or_id.to_string(),
        });
        id
    }

    pub fn add_group(
        &mut self,
        name: &str,
        id: Option<String>,
        personality: &Personality,
        ids: &dyn protocols::IdGen,
    ) -> Result<Group, DirectoryError> {
        if name.trim().is_empty() {
            return Err(DirectoryError::Invalid {
                field: "name",
                reason: "must not be empty".into(),
            });
        }
        if self.groups.iter().any(|g| g.name == name) {
            return Err(DirectoryError::DuplicateGroup(name.into()));
        }
        let g = Group {
            id: id.unwrap_or_else(|| personality.ids.group.make(ids)),
            name: name.to_string(),
        };
        self.groups.push(g.clone());
        Ok(g)
    }

    pub fn add_user(
        &mut self,
        new: NewUser,
        personality: &Personality,
        ids: &dyn protocols::IdGen,
    ) -> Result<User, DirectoryError> {
        let given = new.given_name.unwrap_or_else(|| "Test".into());
        let family = new.family_name.unwrap_or_else(|| "User".into());
        let login = match (new.login, &new.email) {
            (Some(l), _) => l,
            (None, Some(e)) => e.clone(),
            (None, None) => format!(
                "{}.{}{}@{}",
                given.to_ascii_lowercase(),
                family.to_ascii_lowercase(),
                self.users.len() + 1,
                self.domain
            ),
        };
        if login.trim().is_empty() {
            return Err(DirectoryError::Invalid {
                field: "login",
                reason: "must not be empty".into(),
            });
        }
        if self
            .users
            .iter()
            .any(|u| u.login.eq_ignore_ascii_case(&login))
        {
            return Err(DirectoryError::DuplicateLogin(login));
        }
        let id = new.id.unwrap_or_else(|| personality.ids.user.make(ids));
        if self.users.iter().any(|u| u.id == id) {
            return Err(DirectoryError::DuplicateId(id));
        }
        let groups = new
            .groups
            .iter()
            .map(|g| self.ensure_group(g, personality, ids))
            .collect();
        let user = User {
            id,
            email: new.email.unwrap_or_else(|| login.clone()),
            display_name: new
                .display_name
                .unwrap_or_else(|| format!("{given} {family}")),
            login,
            given_name: given,
            family_name: family,
            groups,
            roles: new.roles,
            attributes: new.attributes,
            active: new.active.unwrap_or(true),
        };
        self.users.push(user.clone());
        Ok(user)
    }

    /// Find a user by id, login or email (case-insensitive for the last two).
    pub fn find(&self, key: &str) -> Option<&User> {
        self.users.iter().find(|u| {
            u.id == key || u.login.eq_ignore_ascii_case(key) || u.email.eq_ignore_ascii_case(key)
        })
    }

    pub fn find_mut(&mut self, key: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|u| {
            u.id == key || u.login.eq_ignore_ascii_case(key) || u.email.eq_ignore_ascii_case(key)
        })
    }

    pub fn remove_user(&mut self, key: &str) -> Result<User, DirectoryError> {
        let i = self
            .users
            .iter()
            .position(|u| {
                u.id == key
                    || u.login.eq_ignore_ascii_case(key)
                    || u.email.eq_ignore_ascii_case(key)
            })
            .ok_or_else(|| DirectoryError::NoSuchUser(key.into()))?;
        Ok(self.users.remove(i))
    }

    pub fn group(&self, name_or_id: &str) -> Option<&Group> {
        self.groups
            .iter()
            .find(|g| g.id == name_or_id || g.name == name_or_id)
    }

    /// The user's groups, in the user's order.
    pub fn groups_of(&self, user: &User) -> Vec<&Group> {
        user.groups
            .iter()
            .filter_map(|id| self.groups.iter().find(|g| &g.id == id))
            .collect()
    }

    /// Put a user into a group (by name or id; the group is created when unknown).
    pub fn add_member(
        &mut self,
        user: &str,
        group: &str,
        personality: &Personality,
        ids: &dyn protocols::IdGen,
    ) -> Result<(), DirectoryError> {
        if self.find(user).is_none() {
            return Err(DirectoryError::NoSuchUser(user.into()));
        }
        let gid = self.ensure_group(group, personality, ids);
        if let Some(u) = self.find_mut(user) {
            if !u.groups.contains(&gid) {
                u.groups.push(gid);
            }
        }
        Ok(())
    }

    pub fn remove_member(&mut self, user: &str, group: &str) -> Result<(), DirectoryError> {
        let gid = self
            .group(group)
            .map(|g| g.id.clone())
            .ok_or_else(|| DirectoryError::NoSuchGroup(group.into()))?;
        let u = self
            .find_mut(user)
            .ok_or_else(|| DirectoryError::NoSuchUser(user.into()))?;
        u.groups.retain(|g| g != &gid);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personality::Vendor;
    use protocols::SeededIds;

    #[test]
    fn seeding_repeats_exactly() {
        let p = Vendor::Okta.personality();
        let a = Directory::seeded("acme.example", 42, 10, p, &SeededIds::new(1));
        let b = Directory::seeded("acme.example", 42, 10, p, &SeededIds::new(1));
        assert_eq!(a.users(), b.users());
        assert_eq!(a.users().len(), 10);
        assert!(a.users()[0].id.starts_with("00u"));
        let logins: std::collections::BTreeSet<_> = a.users().iter().map(|u| &u.login).collect();
        assert_eq!(logins.len(), 10, "logins are unique");
    }

    #[test]
    fn add_user_rejects_duplicates_and_creates_groups() {
        let p = Vendor::Entra.personality();
        let ids = SeededIds::new(1);
        let mut d = Directory::new("corp.example");
        let u = d
            .add_user(
                NewUser {
                    login: Some("alice@corp.example".into()),
                    groups: vec!["ml-admins".into()],
                    ..NewUser::default()
                },
                p,
                &ids,
            )
            .expect("add");
        assert_eq!(d.groups_of(&u)[0].name, "ml-admins");
        assert_eq!(u.id.len(), 36);
        let again = d.add_user(
            NewUser {
                login: Some("ALICE@corp.example".into()),
                ..NewUser::default()
            },
            p,
            &ids,
        );
        assert_eq!(
            again,
            Err(DirectoryError::DuplicateLogin("ALICE@corp.example".into()))
        );
        assert_eq!(d.users().len(), 1);
    }
}
