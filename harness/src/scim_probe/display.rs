//! Probes of a Group member's `display` (RFC 7643 §2.4, §4.2, §8.7.1): whether the server
//! computes it or keeps what the client sent must be readable from /Schemas, and PATCH must
//! behave as the schema says. RFC 7643's Group schema does not list `display` at all (errata
//! 6011), so the server's own /Schemas is the only place a client can learn it.

use reqwest::Method;
use serde_json::{json, Value};

use super::{Level, Prober, GROUP};

const SENT: &str = "probe display as sent";

/// The `display` the group `g` shows for member `member`; `None` when it is no member.
fn display_of(g: &Value, member: &str) -> Option<Value> {
    g["members"]
        .as_array()
        .and_then(|a| a.iter().find(|m| m["value"] == member))
        .map(|m| m["display"].clone())
}

/// Whether `got` is what a server with this `display` mutability owes after `sent`: the
/// member is there, and its display is the server's (readOnly) or the one sent.
fn as_advertised(mutability: Option<&str>, sent: &str, got: Option<&Value>) -> bool {
    match (mutability, got) {
        (_, None) => false,
        // Server-computed: what was sent is ignored (RFC 7644 §3.5.1 for readOnly values).
        (Some("readOnly"), Some(d)) => d != sent,
        // Client-owned (or not described, the RFC's own default of §2.4 aside): kept.
        (_, Some(d)) => d == sent,
    }
}

/// Runs the checks on group `gid` (probe-owned) with the probe user `member`, not a member yet.
pub(super) async fn probe(p: &mut Prober, gid: &str, member: &str) -> anyhow::Result<()> {
    use Level::*;
    let schema = p
        .call(Method::GET, &format!("/Schemas/{GROUP}"), None)
        .await?;
    let display = schema.body["attributes"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "members"))
        .and_then(|m| m["subAttributes"].as_array())
        .and_then(|subs| subs.iter().find(|s| s["name"] == "display"))
        .cloned();
    let mutability = display
        .as_ref()
        .and_then(|d| d["mutability"].as_str())
        .map(str::to_string);
    p.check(
        "GRP-9",
        "groups",
        Should,
        "/Schemas describes Group members.display with its mutability",
        mutability.is_some(),
        format!("members.display in /Schemas: {display:?}"),
    );
    let m = mutability.as_deref();
    let at = format!("/Groups/{gid}");

    let (r, g) = p
        .patch_then_get(
            &at,
            json!([{"op": "add", "path": "members",
                "value": [{"value": member, "display": SENT}]}]),
        )
        .await?;
    let got = display_of(&g.body, member);
    p.check(
        "GRP-10",
        "groups",
        Should,
        "PATCH add members with a display: display as /Schemas says (kept, or server-computed if readOnly)",
        matches!(r.status, 200 | 204) && as_advertised(m, SENT, got.as_ref()),
        format!("{} → display {got:?} (mutability {m:?})", r.short()),
    );

    let replaced = "probe display replaced";
    let (r, g) = p
        .patch_then_get(
            &at,
            json!([{"op": "replace", "path": "members",
                "value": [{"value": member, "display": replaced}]}]),
        )
        .await?;
    let got = display_of(&g.body, member);
    p.check(
        "GRP-11",
        "groups",
        Should,
        "PATCH replace members with a display: display as /Schemas says",
        matches!(r.status, 200 | 204) && as_advertised(m, replaced, got.as_ref()),
        format!("{} → display {got:?} (mutability {m:?})", r.short()),
    );

    if matches!(m, Some("readOnly" | "immutable")) {
        // RFC 7644 §3.5.2: an operation incompatible with the mutability SHALL be refused.
        let before = p.call(Method::GET, &at, None).await?;
        let (r, after) = p
            .patch_then_get(
                &at,
                json!([{"op": "replace",
                    "path": format!("members[value eq \"{member}\"].display"),
                    "value": "probe display forced"}]),
            )
            .await?;
        p.check(
            "GRP-12",
            "groups",
            Must,
            "PATCH of members[value eq].display when it is readOnly/immutable: 400, unchanged",
            r.status == 400 && before.body["members"] == after.body["members"],
            format!("{} → {}", r.short(), after.body["members"]),
        );
        p.check(
            "GRP-13",
            "groups",
            Should,
            "that refusal carries scimType mutability",
            r.body["scimType"] == "mutability",
            r.short(),
        );
    }
    Ok(())
}
