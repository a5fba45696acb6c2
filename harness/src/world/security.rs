//! The security catalogue (shared/reference/catalogue.md): what a hostile or broken IdP sends on
//! the next login, and what the target must answer. Verdicts come from the SP's own answer and
//! its admin API; nothing waits.

use super::journey::excerpt;
use super::params::Req;
use super::IdpWorld;
use anyhow::{bail, ensure, Context as _};
use mock_idps::next_login::{KeyChoice, SamlOverrides};
use mock_idps::NextLogin;
use protocols::keys::KeyKind;
use serde_json::{json, Value};

/// The identity the forging attacks claim (docs/attacks.md).
pub const VICTIM: &str = "victim@corp.example";

/// What the IdP's next response does, by the name a scenario gives it.
fn alteration(name: &str, client_id: &str, victim: &str) -> anyhow::Result<Value> {
    let saml = |v: Value| json!({ "saml": v });
    let oidc = |v: Value| json!({ "oidc": v });
    let sa = |a: &str| saml(json!({ "attack": a }));
    let oa = |a: &str| oidc(json!({ "attack": a }));
    Ok(match name {
        // SAML
        "no signature at all" => sa("unsigned"),
        "its signature excluded" => sa("signature-exclusion"),
        "a signature by the attacker's key" => sa("foreign-key"),
        "a corrupted signature value" => sa("corrupt-signature"),
        "an RSA-SHA1 signature and SHA-1 digest" => {
            saml(json!({"alg": "RsaSha1", "digest": "Sha1"}))
        }
        "only the response signed" => saml(json!({"sign": "Response"})),
        "only the assertion signed" => saml(json!({"sign": "Assertion"})),
        "both response and assertion signed" => saml(json!({"sign": "Both"})),
        "XSW1" | "XSW2" | "XSW3" | "XSW4" | "XSW5" | "XSW6" | "XSW7" | "XSW8" => {
            sa(&name.to_ascii_lowercase())
        }
        "two assertions, the signed one first" => sa("two-assertions-signed-first"),
        "two assertions, the signed one second" => sa("two-assertions-signed-second"),
        "the victim's identity split by a comment" => {
            saml(json!({"attack": "comment-split", "victim": victim}))
        }
        "another SP's audience" => saml(json!({"audience": "https://other-sp.example"})),
        "an audience that only starts with this SP's" => sa("audience-prefix"),
        "an issuer that only starts with the IdP's" => sa("issuer-prefix"),
        "another destination" => saml(json!({"destination": "https://other-sp.example/acs"})),
        "a destination that only starts with the ACS URL" => sa("destination-prefix"),
        "another recipient" => saml(json!({"recipient": "https://other-sp.example/acs"})),
        "a recipient that merely contains the ACS URL" => sa("recipient-substring"),
        "an expired assertion" => saml(json!({"not_on_or_after_offset_secs": -600})),
        "a NotBefore ten minutes ahead" => saml(json!({"not_before_offset_secs": 600})),
        "an expired subject confirmation" => {
            saml(json!({"subject_not_on_or_after_offset_secs": -600}))
        }
        "a NotBefore two minutes ahead" => saml(json!({"not_before_offset_secs": 120})),
        "an InResponseTo it never received" => saml(json!({"in_response_to": "_never-sent"})),
        "another IdP's issuer" => saml(json!({"issuer": "https://other-idp.example"})),
        "the status AuthnFailed" => {
            saml(json!({"status": "AuthnFailed", "status_message": "wrong password"}))
        }
        "an external entity" => sa("xxe"),
        "an entity expansion bomb" => sa("entity-bomb"),
        "the previous response replayed" => sa("replay"),
        "an emailAddress NameID" => saml(json!({
            "name_id_format": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"})),
        "a persistent NameID" => saml(json!({
            "name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"})),
        "a transient NameID" => saml(json!({
            "name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"})),
        "an unspecified NameID" => saml(json!({
            "name_id_format": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"})),
        // OIDC
        "an altered issuer" => oidc(json!({"claims": {"iss": "https://evil.example"}})),
        "another audience" => oidc(json!({"claims": {"aud": "other-client"}})),
        "no audience" => oidc(json!({"remove_claims": ["aud"]})),
        "an azp naming another client" => oidc(json!({"claims": {"azp": "other-client"}})),
        "an extra untrusted audience" => oidc(json!({"claims": {
            "aud": [client_id, "untrusted-client"], "azp": client_id}})),
        "no sub" => oidc(json!({"remove_claims": ["sub"]})),
        "no iat" => oidc(json!({"remove_claims": ["iat"]})),
        "an iat a day ahead" => oidc(json!({"iat_offset_secs": 86400})),
        "an expired id_token" => oidc(json!({"exp_offset_secs": -600})),
        "no exp" => oidc(json!({"remove_claims": ["exp"]})),
        "an altered nonce" => oidc(json!({"claims": {"nonce": "other"}})),
        "no nonce" => oidc(json!({"remove_claims": ["nonce"]})),
        "a corrupted signature" | "a corrupted ES256 signature" => oa("corrupt-signature"),
        "alg none" => oa("alg-none"),
        "alg none and no at_hash" => {
            oidc(json!({"attack": "alg-none", "remove_claims": ["at_hash"]}))
        }
        "HS256 keyed with the public key" => oa("hs256-public-key"),
        "an all-zero ES256 signature" => oa("psychic-signature"),
        "the attacker's key in the header" => oa("header-jwk"),
        "the attacker's key URL in the header" => oa("header-jku"),
        "no kid from a single key" => oa("no-kid-single-key"),
        "no kid among several keys" => oa("no-kid-several-keys"),
        "a kid from a key rotated in" => oa("unknown-kid-rotated"),
        "a wrong at_hash" => oa("wrong-at-hash"),
        "a wrong c_hash" => oa("wrong-c-hash"),
        "an altered state" => oa("state-altered"),
        "no state" => oa("state-missing"),
        "another sub at userinfo" => oidc(json!({"userinfo_claims": {"sub": "someone-else"}})),
        "a discovery issuer of its own" => oa("discovery-issuer-mismatch"),
        "the error access_denied" => oidc(json!({"authorize_error": "access_denied"})),
        "the error login_required" => oidc(json!({"authorize_error": "login_required"})),
        "its assertion encrypted to another key" => saml(json!({"encryption": "foreign-key"})),
        "over 200 groups" => json!({"extra_groups": 201}),
        other => bail!("no such alteration of the next response: {other:?}"),
    })
}

impl IdpWorld {
    /// This scenario's victim of an identity-splitting attack (unique, as platform usernames
    /// are).
    fn victim(&self) -> String {
        format!("victim.{}@corp.example", self.key())
    }

    /// `org`'s IdP alters its next response as `name` says (the user is set at the sign-in).
    pub fn alter_next_response(&mut self, org: &str, name: &str) -> anyhow::Result<()> {
        let o = self.org(org)?;
        let v = alteration(name, &o.client_id(), &self.victim())?;
        let next = NextLogin::from_json(v.to_string().as_bytes()).map_err(anyhow::Error::msg)?;
        let t = &o.tenant;
        // Attacks that need more than one key published.
        match name {
            "an all-zero ES256 signature" => {
                t.rotate_keys(KeyKind::Ec, false)
                    .map_err(anyhow::Error::msg)?;
            }
            "a corrupted ES256 signature" => {
                t.rotate_keys(KeyKind::Ec, true)
                    .map_err(anyhow::Error::msg)?;
            }
            "no kid among several keys" => {
                t.rotate_keys(KeyKind::Rsa, false)
                    .map_err(anyhow::Error::msg)?;
            }
            _ => {}
        }
        t.set_next_login(next);
        self.bb_needs_fetch = match name {
            "a discovery issuer of its own" => Some((
                "/.well-known/openid-configuration",
                "the discovery document (it had it cached)",
            )),
            "another sub at userinfo" => Some(("userinfo", "userinfo")),
            _ => None,
        };
        Ok(())
    }

    /// `org`'s IdP publishes a new signing certificate next to the old one, the admin gives
    /// `org` the IdP's current metadata (both certificates), and the next response is signed
    /// with the `which` ("old" or "new") one: the overlap of a rollover.
    pub async fn roll_idp_certificate(&mut self, org: &str, which: &str) -> anyhow::Result<()> {
        if self.env.black_box.is_some() {
            bail!(
                "{}a black-box SP is configured once with the IdP's certificate; a rollover \
                 needs it to re-read the IdP's metadata",
                crate::target::NOT_APPLICABLE
            );
        }
        let o = self.org(org)?;
        let kid = o
            .tenant
            .rotate_keys(KeyKind::Rsa, false)
            .map_err(anyhow::Error::msg)?;
        let (slug, cfg) = (o.slug.clone(), o.sso_config(&self.env.idps)?);
        self.admin.configure_sso(&slug, &cfg).await?;
        let key = match which {
            "old" => None,
            "new" => Some(KeyChoice::Kid(kid)),
            other => bail!("which certificate: old or new, not {other:?}"),
        };
        let o = self.org(org)?;
        o.tenant.set_next_login(NextLogin {
            saml: SamlOverrides {
                signing_key: key,
                ..SamlOverrides::default()
            },
            ..NextLogin::default()
        });
        Ok(())
    }

    /// The last journey's answer: 4xx, with a rejection code.
    fn refused_answer(&self, actor: &str, req: &Req) -> anyhow::Result<String> {
        let o = self.last_of(actor)?;
        let p = &o.page;
        let code = p
            .json()
            .and_then(|v| v["code"].as_str().map(str::to_string))
            .unwrap_or_default();
        ensure!(
            (p.status.is_client_error() || p.status.as_u16() == 502) && !code.is_empty(),
            "{req}: expected the sign-in refused with an error answer (4xx, or 502 for a \
             misbehaving IdP, and a rejection code), got {} at {}: {}",
            p.status.as_u16(),
            p.url,
            excerpt(&p.body)
        );
        Ok(code)
    }

    /// Who the actor's browser is signed in as, if anyone.
    async fn signed_in_as(&mut self, actor: &str) -> anyhow::Result<Option<Value>> {
        let agent = self.known_actor(actor)?.agent.clone();
        let p = agent.get(&self.env.target.whoami_url()).await?;
        let v = p.json().unwrap_or_default();
        Ok((p.status.is_success() && !v["account"].is_null()).then(|| v["account"].clone()))
    }

    /// The members of `org` as the admin API lists them, as text (to search for an email).
    async fn members_text(&mut self, org: &str) -> anyhow::Result<String> {
        let slug = self.org(org)?.slug.clone();
        let mut reader = self.env.target.admin();
        Ok(reader.members(&slug).await?.to_string())
    }

    /// Refused: an error answer, no session, and no account of the actor or the victim.
    pub async fn expect_sign_in_refused(&mut self, org: &str, req: &Req) -> anyhow::Result<()> {
        if self.env.black_box.is_some() {
            return self.bb_expect_refused(org, req).await;
        }
        let actor = self
            .last
            .as_ref()
            .map(|o| o.actor.clone())
            .context("nobody has signed in yet (a When is missing)")?;
        self.refused_answer(&actor, req)?;
        if let Some(a) = self.signed_in_as(&actor).await? {
            bail!("{req}: the sign-in was answered with an error, yet {actor} has a session: {a}");
        }
        let members = self.members_text(org).await?;
        let email = self.known_actor(&actor)?.email.clone();
        ensure!(
            !members.contains(&email) && !members.contains(&format!("\"{VICTIM}\"")),
            "{req}: the refused sign-in changed {org}'s members: {members}"
        );
        Ok(())
    }

    /// The last journey was answered with an error (4xx and a rejection code).
    pub async fn expect_error_answer(&mut self, actor: &str, req: &Req) -> anyhow::Result<()> {
        if self.env.black_box.is_some() {
            let org = self
                .orgs
                .keys()
                .next()
                .cloned()
                .context("no organisation in this scenario")?;
            return self.bb_expect_refused(&org, req).await;
        }
        self.refused_answer(actor, req).map(|_| ())
    }

    /// Whatever happened, the actor is not signed in as the victim, and no account of the
    /// victim exists in `org`.
    pub async fn expect_never_victim(
        &mut self,
        actor: &str,
        org: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        let victim = self.victim();
        if self.env.black_box.is_some() {
            return self.bb_expect_never_victim(actor, org, &victim, req).await;
        }
        if let Some(a) = self.signed_in_as(actor).await? {
            let s = a.to_string();
            ensure!(
                !s.contains(&format!("\"{victim}\"")),
                "{req}: {actor} is signed in as the victim: {a}"
            );
        }
        let members = self.members_text(org).await?;
        ensure!(
            !members.contains(&format!("\"{victim}\"")),
            "{req}: {org} has an account for {victim}: {members}"
        );
        Ok(())
    }

    /// The attacker replays the authorization callback of the actor's last journey in the
    /// actor's own browser (the SP redeems the code a second time).
    pub async fn replay_callback(&mut self, actor: &str) -> anyhow::Result<()> {
        if self.env.black_box.is_some() {
            return self.bb_replay_callback(actor).await;
        }
        let o = self.last_of(actor)?;
        let cb = o
            .visited
            .iter()
            .find(|u| u.contains("code=") && u.starts_with(&self.env.target.base))
            .cloned()
            .with_context(|| format!("{actor}'s last journey had no authorization callback"))?;
        let j = self.browse_as(actor, &cb, None, false).await?;
        let agent = self.known_actor(actor)?.agent.clone();
        let visited = agent.trace().exchanges[j.first_exchange..]
            .iter()
            .map(|e| e.url.clone())
            .collect();
        self.last = Some(super::Outcome {
            actor: actor.to_string(),
            page: j.page,
            visited,
        });
        Ok(())
    }
}

/// A SCIM User body for `email`.
fn scim_user(username: &str, email: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "name": {"givenName": "Mallory", "familyName": "Hostile"},
        "emails": [{"value": email, "type": "work", "primary": true}],
        "active": true,
    })
}

const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

impl IdpWorld {
    /// `org`'s SCIM base URL and token, minted on first use.
    async fn scim_access(&mut self, org: &str) -> anyhow::Result<(String, String)> {
        if let Some(s) = self.org(org)?.scim.clone() {
            return Ok(s);
        }
        let slug = self.org(org)?.slug.clone();
        let v = self.admin.scim_token(&slug).await?;
        let base = v["scim_base_url"]
            .as_str()
            .context("the SCIM token answer has no scim_base_url")?
            .trim_end_matches('/')
            .to_string();
        let token = v["token"]
            .as_str()
            .context("the SCIM token answer has no token")?
            .to_string();
        self.org_mut(org)?.scim = Some((base.clone(), token.clone()));
        Ok((base, token))
    }

    pub async fn issue_scim_token(&mut self, org: &str) -> anyhow::Result<()> {
        self.scim_access(org).await.map(|_| ())
    }

    /// One SCIM call with `org`'s own token; fails unless the answer is `want`.
    async fn scim_ok(
        &mut self,
        org: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        want: u16,
    ) -> anyhow::Result<Value> {
        let (base, token) = self.scim_access(org).await?;
        let (status, v) = self
            .admin
            .scim(method, &format!("{base}{path}"), &token, body)
            .await?;
        ensure!(
            status == want,
            "SCIM {path}: expected {want}, got {status}: {v}"
        );
        Ok(v)
    }

    /// `org`'s SCIM directory holds `actor` (created through SCIM).
    pub async fn scim_holds_user(&mut self, org: &str, actor: &str) -> anyhow::Result<()> {
        let email = self.actor(actor)?.email.clone();
        let username = format!("{}-{}", actor.to_ascii_lowercase(), self.key());
        let body = scim_user(&username, &email);
        let v = self
            .scim_ok(org, reqwest::Method::POST, "/Users", Some(&body), 201)
            .await?;
        self.actor(actor)?.scim_id = v["id"].as_str().map(str::to_string);
        Ok(())
    }

    /// `org`'s SCIM directory holds the group `name`, without members.
    pub async fn scim_holds_group(&mut self, org: &str, name: &str) -> anyhow::Result<()> {
        let body = json!({"schemas": [GROUP_SCHEMA], "displayName": name, "members": []});
        self.scim_ok(org, reqwest::Method::POST, "/Groups", Some(&body), 201)
            .await
            .map(|_| ())
    }

    /// Everything `org`'s SCIM API lists (users and groups), to show nothing changed.
    async fn scim_state(&mut self, org: &str) -> anyhow::Result<Value> {
        let users = self
            .scim_ok(org, reqwest::Method::GET, "/Users", None, 200)
            .await?;
        let groups = self
            .scim_ok(org, reqwest::Method::GET, "/Groups", None, 200)
            .await?;
        Ok(json!({"users": users, "groups": groups}))
    }

    /// A hostile SCIM request to `org`, as `case` names it; the answer and `org`'s SCIM state
    /// before and after are kept for the Then.
    pub async fn scim_hostile(&mut self, org: &str, case: &str) -> anyhow::Result<()> {
        let (base, token) = self.scim_access(org).await?;
        let mallory = format!("mallory-{}", self.key());
        let mallory_email = format!("mallory.{}@idpsim.example", self.key());
        let mallory_user = || scim_user(&mallory, &mallory_email);
        let user_json = mallory_user().to_string();
        let filter = |f: &str| {
            format!(
                "{base}/Users?filter={}",
                url::form_urlencoded::byte_serialize(f.as_bytes()).collect::<String>()
            )
        };
        let users = format!("{base}/Users");
        let (method, url, auth, body): (&str, String, Option<String>, Option<String>) = match case {
            "no token" => ("POST", users, None, Some(user_json)),
            "a wrong token" => ("POST", users, Some(format!("{token}x")), Some(user_json)),
            "another organisation's token" => {
                let other = format!("{org}Other");
                self.foreign_org(&other, org).await?;
                let (_, t) = self.scim_access(&other).await?;
                ("POST", users, Some(t), Some(user_json))
            }
            "malformed JSON" => ("POST", users, Some(token), Some("{\"schemas\": [".into())),
            "the Group schema on a User" => {
                let mut u = mallory_user();
                u["schemas"] = json!([GROUP_SCHEMA]);
                ("POST", users, Some(token), Some(u.to_string()))
            }
            "an unknown attribute" => {
                let mut u = mallory_user();
                u["favouriteColour"] = json!("teal");
                ("POST", users, Some(token), Some(u.to_string()))
            }
            "a body over 1 MiB" => {
                let mut u = mallory_user();
                u["displayName"] = json!("x".repeat(1_100_000));
                ("POST", users, Some(token), Some(u.to_string()))
            }
            "a deeply nested filter" => (
                "GET",
                filter(&format!(
                    "{}userName eq \"x\"{}",
                    "(".repeat(500),
                    ")".repeat(500)
                )),
                Some(token),
                None,
            ),
            "an injected filter" => (
                "GET",
                filter("userName eq \"x\" or 1 eq 1"),
                Some(token),
                None,
            ),
            "an unterminated filter" => (
                "GET",
                filter("userName eq \"unterminated"),
                Some(token),
                None,
            ),
            other => bail!("no such hostile SCIM request: {other:?}"),
        };
        let before = self.scim_state(org).await?;
        let http = reqwest::Client::new();
        let mut req = http
            .request(method.parse()?, &url)
            .header("accept", "application/scim+json");
        if let Some(t) = auth {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/scim+json").body(b);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let answer: Value = serde_json::from_str(&resp.text().await?).unwrap_or(Value::Null);
        let after = self.scim_state(org).await?;
        self.last_admin = Some(Ok(json!({
            "status": status, "answer": answer, "before": before, "after": after,
        })));
        Ok(())
    }

    /// A second organisation with its own IdP (another tenant), for foreign tokens.
    async fn foreign_org(&mut self, name: &str, like: &str) -> anyhow::Result<()> {
        if self.orgs.contains_key(name) {
            return Ok(());
        }
        let (mode, vendor, protocol) = {
            let o = self.org(like)?;
            (o.mode, o.vendor, o.protocol)
        };
        self.create_org(name, mode, vendor, protocol).await
    }

    /// The last hostile SCIM request was answered `status` (with `scim_type`, when given) as a
    /// SCIM Error, and `org`'s SCIM state did not change.
    pub fn expect_scim_refused(
        &self,
        status: u16,
        scim_type: Option<&str>,
        req: &Req,
    ) -> anyhow::Result<()> {
        let v = match &self.last_admin {
            Some(Ok(v)) if v.get("before").is_some() => v,
            _ => bail!("no hostile SCIM request was sent (a When is missing)"),
        };
        let answer = &v["answer"];
        ensure!(
            v["status"] == status,
            "{req}: expected {status}, got {}: {answer}",
            v["status"]
        );
        let schemas = answer["schemas"].to_string();
        ensure!(
            schemas.contains("urn:ietf:params:scim:api:messages:2.0:Error"),
            "{req}: expected a SCIM Error, got {answer}"
        );
        if let Some(t) = scim_type {
            ensure!(
                answer["scimType"] == t,
                "{req}: expected scimType {t}, got {answer}"
            );
        }
        ensure!(
            v["before"] == v["after"],
            "{req}: the refused request changed the SCIM state: before {}, after {}",
            v["before"],
            v["after"]
        );
        Ok(())
    }

    /// Two SCIM clients add `a` and `b` to `org`'s group `group` at the same moment.
    pub async fn scim_concurrent_adds(
        &mut self,
        org: &str,
        a: &str,
        b: &str,
        group: &str,
    ) -> anyhow::Result<()> {
        let (base, token) = self.scim_access(org).await?;
        let gid = self.scim_group_id(org, group).await?;
        let ids: Vec<String> = [a, b]
            .iter()
            .map(|n| {
                self.known_actor(n)?
                    .scim_id
                    .clone()
                    .with_context(|| format!("{n} has no SCIM id (a Given is missing)"))
            })
            .collect::<anyhow::Result<_>>()?;
        let url = format!("{base}/Groups/{gid}");
        let http = reqwest::Client::new();
        let send = |id: &str| {
            let body = json!({"schemas": [PATCH_SCHEMA], "Operations": [
                {"op": "add", "path": "members", "value": [{"value": id}]}]});
            http.patch(&url)
                .bearer_auth(&token)
                .header("content-type", "application/scim+json")
                .body(body.to_string())
                .send()
        };
        let (ra, rb) = tokio::join!(send(&ids[0]), send(&ids[1]));
        for r in [ra?, rb?] {
            let s = r.status().as_u16();
            ensure!(
                s == 200 || s == 204,
                "a concurrent PATCH answered {s}: {}",
                r.text().await.unwrap_or_default()
            );
        }
        Ok(())
    }

    async fn scim_group_id(&mut self, org: &str, group: &str) -> anyhow::Result<String> {
        let path = format!(
            "/Groups?filter={}",
            url::form_urlencoded::byte_serialize(format!("displayName eq \"{group}\"").as_bytes())
                .collect::<String>()
        );
        let v = self
            .scim_ok(org, reqwest::Method::GET, &path, None, 200)
            .await?;
        v["Resources"][0]["id"]
            .as_str()
            .map(str::to_string)
            .with_context(|| format!("no SCIM group {group:?}: {v}"))
    }

    /// `org`'s SCIM group `group` lists exactly `members` (no lost update).
    pub async fn expect_scim_group_members(
        &mut self,
        org: &str,
        group: &str,
        members: &[String],
        req: &Req,
    ) -> anyhow::Result<()> {
        // Not recorded: the members' order depends on which PATCH came first.
        let (base, token) = self.scim_access(org).await?;
        let filter = format!("displayName eq \"{group}\"");
        let list: Value = reqwest::Client::new()
            .get(format!("{base}/Groups"))
            .query(&[("filter", filter.as_str())])
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        let v = &list["Resources"][0];
        let mut have: Vec<String> = v["members"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| m["value"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let mut want: Vec<String> = members
            .iter()
            .map(|n| {
                self.known_actor(n)?
                    .scim_id
                    .clone()
                    .with_context(|| format!("{n} has no SCIM id"))
            })
            .collect::<anyhow::Result<_>>()?;
        have.sort();
        want.sort();
        ensure!(
            have == want,
            "{req}: expected {group} to hold {members:?} ({want:?}), it holds {have:?}: an \
             update was lost"
        );
        Ok(())
    }
}
