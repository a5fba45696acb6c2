//! Which scenarios apply: a scenario's tags (its own, its rule's and its feature's), the
//! capabilities of the target it needs, and the scenarios that must run apart (stateful ones).

use crate::profile::Profile;
use crate::shard;
use cucumber::gherkin;
use std::path::Path;

/// Why a scenario cannot run against this target (a capability it needs), if it cannot.
pub(super) fn inapplicable(profile: &Profile, tags: &[&str]) -> Option<String> {
    let c = &profile.capabilities;
    let needs = |t: &str| tags.contains(&t);
    if profile.is_black_box() && !needs("security") {
        return Some(
            "a black-box SP: the hub-SSO semantics (organisations, accounts, roles, resource \
             groups, sessions) are read through the target admin API"
                .into(),
        );
    }
    let lacks = [
        ("saml", c.saml, "the target does not do SAML"),
        ("oidc", c.oidc, "the target does not do OIDC"),
        ("basic", c.basic, "the target has no Basic organisations"),
        (
            "managed",
            c.managed,
            "the target has no Managed organisations",
        ),
        (
            "idp-initiated",
            c.idp_initiated,
            "the target takes no IdP-initiated login",
        ),
        (
            "clock",
            c.clock,
            "the target's clock cannot be moved (no clock capability)",
        ),
        (
            "scim",
            c.scim,
            "the target has no SCIM server the harness can reach",
        ),
    ];
    lacks
        .iter()
        .find(|(tag, has, _)| needs(tag) && !has)
        .map(|(_, _, why)| why.to_string())
}

pub(super) fn among(tags: &[&str], options: &[&str], wanted: &[String]) -> bool {
    wanted.is_empty()
        || !tags.iter().any(|t| options.contains(t))
        || tags.iter().any(|t| wanted.iter().any(|w| w == t))
}

/// Alterations whose effect outlives the scenario at an RP that caches (keys rotated in, a
/// discovery document): against a black-box target they run last, each followed by the
/// profile's reload command.
const STATEFUL: &[&str] = &[
    "an all-zero ES256 signature",
    "a corrupted ES256 signature",
    "no kid from a single key",
    "no kid among several keys",
    "a kid from a key rotated in",
    "a discovery issuer of its own",
    "rolled its signing certificate over",
];

pub(super) fn is_stateful(f: &gherkin::Feature, s: &gherkin::Scenario) -> bool {
    f.background
        .iter()
        .flat_map(|b| &b.steps)
        .chain(&s.steps)
        .any(|st| STATEFUL.iter().any(|a| st.value.contains(a)))
}

/// The feature file's path relative to the features directory: the reports' `feature_path`
/// and half of a scenario's shard key.
pub(super) fn relative_path(features_dir: &Path, feature: &gherkin::Feature) -> String {
    feature
        .path
        .as_ref()
        .map(|p| shard::relative(features_dir, p))
        .unwrap_or_default()
}

pub(super) fn all_tags<'a>(
    f: &'a gherkin::Feature,
    r: Option<&'a gherkin::Rule>,
    s: &'a gherkin::Scenario,
) -> Vec<&'a str> {
    f.tags
        .iter()
        .chain(r.iter().flat_map(|r| &r.tags))
        .chain(s.tags.iter())
        .map(String::as_str)
        .collect()
}
