//! Role mapping [ROLE-*] and resource-group mapping [RG-*]: pure functions from the IdP's
//! attribute values to a role and to resource-group memberships.

use super::attributes::Attributes;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One row of the role table: an IdP value and the role it grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRule {
    pub value: String,
    pub role: Role,
}

/// Attribute path plus a table from IdP value to role [ROLE-1].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleMapping {
    pub attribute: String,
    pub rules: Vec<RoleRule>,
}

/// One row of the resource-group table: an IdP value, the group it joins and the role in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupRule {
    pub value: String,
    pub group: String,
    pub role: Role,
}

/// Attribute path plus a table from IdP value to (resource group, role) [RG-1].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupMapping {
    pub attribute: String,
    pub rules: Vec<GroupRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("{which}: the attribute path must not be empty")]
    EmptyAttribute { which: &'static str },
    #[error("{which}: rule {index} has an empty value")]
    EmptyValue { which: &'static str, index: usize },
    #[error("role_mapping: no rule grants admin; at least one mapping must grant admin")]
    NoAdminMapping,
    #[error("resource_group_mapping: rule {index} names no resource group")]
    EmptyGroup { index: usize },
}

impl RoleMapping {
    /// Refuse a table that cannot be used, including one without an admin rule [ROLE-2].
    pub fn validate(&self) -> Result<(), MappingError> {
        let which = "role_mapping";
        if self.attribute.trim().is_empty() {
            return Err(MappingError::EmptyAttribute { which });
        }
        if let Some(index) = self.rules.iter().position(|r| r.value.is_empty()) {
            return Err(MappingError::EmptyValue { which, index });
        }
        if !self.rules.iter().any(|r| r.role == Role::Admin) {
            return Err(MappingError::NoAdminMapping);
        }
        Ok(())
    }

    /// The role the IdP's values grant, or None when no value matches.
    ///
    /// Several matches: the most privileged wins [ROLE-3]. `danger_first_match` takes the first
    /// matching rule of the table instead (the `first-match-role` flaw).
    pub fn evaluate(&self, attrs: &Attributes, danger_first_match: bool) -> Option<Role> {
        let values = attrs.values(&self.attribute);
        let mut matched = self
            .rules
            .iter()
            .filter(|r| values.contains(&r.value))
            .map(|r| r.role);
        if danger_first_match {
            matched.next()
        } else {
            matched.max()
        }
    }
}

impl GroupMapping {
    pub fn validate(&self) -> Result<(), MappingError> {
        let which = "resource_group_mapping";
        if self.attribute.trim().is_empty() {
            return Err(MappingError::EmptyAttribute { which });
        }
        for (index, r) in self.rules.iter().enumerate() {
            if r.value.is_empty() {
                return Err(MappingError::EmptyValue { which, index });
            }
            if r.group.trim().is_empty() {
                return Err(MappingError::EmptyGroup { index });
            }
        }
        Ok(())
    }

    /// Every group a matching rule names, with the most privileged role any rule gives in it
    /// [RG-2]; empty when nothing matches [RG-3].
    pub fn evaluate(&self, attrs: &Attributes) -> BTreeMap<String, Role> {
        let values = attrs.values(&self.attribute);
        let mut out: BTreeMap<String, Role> = BTreeMap::new();
        for r in &self.rules {
            if values.contains(&r.value) {
                let e = out.entry(r.group.clone()).or_insert(r.role);
                *e = (*e).max(r.role);
            }
        }
        out
    }
}

/// The role a login gives [ROLE-3], [ROLE-4]: the mapped role, else the invitation's, else the
/// organisation's default.
pub fn resolve_role(mapped: Option<Role>, invited: Option<Role>, default: Role) -> Role {
    mapped.or(invited).unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RoleMapping {
        RoleMapping {
            attribute: "groups".into(),
            rules: vec![
                RoleRule {
                    value: "readers".into(),
                    role: Role::Read,
                },
                RoleRule {
                    value: "admins".into(),
                    role: Role::Admin,
                },
                RoleRule {
                    value: "writers".into(),
                    role: Role::Write,
                },
            ],
        }
    }

    fn saml(values: &[&str]) -> Attributes {
        let mut m = BTreeMap::new();
        m.insert(
            "groups".to_string(),
            values.iter().map(|s| s.to_string()).collect(),
        );
        Attributes::Exact(m)
    }

    #[test]
    fn most_privileged_wins_role_3() {
        let t = table();
        assert_eq!(
            t.evaluate(&saml(&["readers", "admins"]), false),
            Some(Role::Admin)
        );
        assert_eq!(
            t.evaluate(&saml(&["writers", "readers"]), false),
            Some(Role::Write)
        );
    }

    #[test]
    fn first_match_flaw_takes_table_order() {
        assert_eq!(
            table().evaluate(&saml(&["admins", "readers"]), true),
            Some(Role::Read)
        );
    }

    #[test]
    fn no_match_falls_back_role_4() {
        assert_eq!(table().evaluate(&saml(&["other"]), false), None);
        assert_eq!(table().evaluate(&Attributes::empty(), false), None);
        assert_eq!(
            resolve_role(None, Some(Role::Write), Role::Read),
            Role::Write
        );
        assert_eq!(
            resolve_role(None, None, Role::Contributor),
            Role::Contributor
        );
        assert_eq!(
            resolve_role(Some(Role::Read), Some(Role::Admin), Role::Write),
            Role::Read
        );
    }

    #[test]
    fn admin_mapping_required_role_2() {
        let mut t = table();
        t.rules.retain(|r| r.role != Role::Admin);
        assert_eq!(t.validate(), Err(MappingError::NoAdminMapping));
        assert_eq!(table().validate(), Ok(()));
        let empty = RoleMapping {
            attribute: " ".into(),
            rules: vec![],
        };
        assert!(matches!(
            empty.validate(),
            Err(MappingError::EmptyAttribute { .. })
        ));
    }

    #[test]
    fn groups_are_additive_rg_2_and_empty_without_match_rg_3() {
        let m = GroupMapping {
            attribute: "groups".into(),
            rules: vec![
                GroupRule {
                    value: "ml".into(),
                    group: "models".into(),
                    role: Role::Read,
                },
                GroupRule {
                    value: "data".into(),
                    group: "datasets".into(),
                    role: Role::Write,
                },
                GroupRule {
                    value: "ml-leads".into(),
                    group: "models".into(),
                    role: Role::Admin,
                },
            ],
        };
        let got = m.evaluate(&saml(&["ml", "data", "ml-leads"]));
        assert_eq!(got.get("models"), Some(&Role::Admin));
        assert_eq!(got.get("datasets"), Some(&Role::Write));
        assert!(m.evaluate(&saml(&["nothing"])).is_empty());
    }
}
