//! SAML Single Logout: the SP gets an SLO signing key, the IdP app gets the SP's SLO URL and
//! certificate (as an Okta or Entra admin sets them), and actors log out from either side.

use super::params::Req;
use super::{IdpWorld, Outcome};
use crate::agent::{redirect_target, Page, UserAgent};
use anyhow::{bail, ensure, Context as _};
use mock_idps::saml_idp::slo::{self, LogoutSigning, NewLogout, NewSlo};
use protocols::keys::{KeyKind, SigningKey, Validity};
use protocols::saml::logout::{
    build_logout_response, sign_message, LogoutResponseSpec, STATUS_UNKNOWN_PRINCIPAL,
};
use protocols::saml::response::uri;
use protocols::saml::{self, SignatureAlgorithm};

/// Redirects and auto-submitted forms a logout may take (SP → IdP → SP at most, with slack).
const MAX_HOPS: usize = 8;

/// Go where a browser would from `page`: follow redirects and submit auto-submitting forms.
async fn follow(agent: &UserAgent, mut page: Page) -> anyhow::Result<Page> {
    for _ in 0..MAX_HOPS {
        if let Some(next) = redirect_target(&page)? {
            page = agent.get(next.as_str()).await?;
        } else if let Some(form) = page.auto_submit_form() {
            page = agent.submit(&form).await?;
        } else {
            return Ok(page);
        }
    }
    bail!("the logout went through more than {MAX_HOPS} redirects and forms")
}

impl IdpWorld {
    fn slo_applicable(&self) -> anyhow::Result<()> {
        if self.env.black_box.is_some() {
            bail!(
                "{}a black-box SP's Single Logout key is set up with the SP itself, not through \
                 the target admin API",
                crate::target::NOT_APPLICABLE
            );
        }
        Ok(())
    }

    /// `org`'s SP gets an SLO signing key; its IdP app enables Single Logout with the SP's SLO
    /// URL and certificate; the SP re-reads the IdP metadata, which now lists the IdP's SLO
    /// service (Okta lists it only once enabled, S12).
    pub async fn enable_single_logout(&mut self, org: &str) -> anyhow::Result<()> {
        self.slo_applicable()?;
        let o = self.org(org)?;
        let key = SigningKey::generate(
            KeyKind::Rsa,
            "sp-slo",
            "idpsim SP signing",
            Validity::current(o.tenant.now(), 1),
        )?;
        let t = o.tenant.clone();
        let sp_slo = o.urls.saml_acs.replace("/saml/consume", "/saml/slo");
        let app = t.default_saml_app();
        let cfg = slo::configure(
            &t,
            &app,
            NewSlo {
                url: sp_slo,
                certificate: Some(key.cert_pem().to_string()),
                ..NewSlo::default()
            },
        )
        .map_err(|e| anyhow::anyhow!("the IdP refused to enable Single Logout: {e}"))?;
        t.set_app_slo(&app.id, Some(cfg))
            .with_context(|| format!("{org}'s tenant has no SAML app"))?;
        let o = self.org_mut(org)?;
        o.slo_key = Some((key.key_pem().to_string(), key.cert_pem().to_string()));
        self.push_sso(org).await
    }

    /// `actor` logs out at `org` (SP-initiated) and goes wherever that leads.
    pub async fn single_logout(&mut self, actor: &str, org: &str) -> anyhow::Result<()> {
        self.slo_applicable()?;
        let url = format!(
            "{}/organizations/{}/saml/logout",
            self.env.target.base.trim_end_matches('/'),
            self.org(org)?.slug
        );
        let agent = self.known_actor(actor)?.agent.clone();
        let first = agent.trace().exchanges.len();
        let page = agent.post_form(&url, &[]).await?;
        let page = follow(&agent, page).await?;
        self.keep_page(actor, page, first);
        Ok(())
    }

    fn keep_page(&mut self, actor: &str, page: Page, first: usize) {
        self.keep(
            actor,
            crate::agent::Journey {
                page,
                first_exchange: first,
                hops: 0,
                stopped: None,
            },
        );
    }

    /// `org`'s IdP logs `actor` out (IdP-initiated), with a fault when `how` names one:
    /// `an unsigned request`, `a request signed by another key`, `a session Acme never had`.
    pub async fn idp_logout(
        &mut self,
        org: &str,
        actor: &str,
        how: Option<&str>,
    ) -> anyhow::Result<()> {
        self.slo_applicable()?;
        let email = self.known_actor(actor)?.email.clone();
        let t = self.org(org)?.tenant.clone();
        let app = t.default_saml_app();
        let mut n = NewLogout {
            user: email,
            ..NewLogout::default()
        };
        match how {
            None => {}
            Some("an unsigned request") => n.sign = LogoutSigning::None,
            Some("a request signed by another key") => n.sign = LogoutSigning::Foreign,
            Some("a session it never had") => {
                n.session_index = Some(format!("_unknown-{}", self.key()));
            }
            Some(other) => bail!("no such IdP logout fault {other:?}"),
        }
        let started = slo::idp_initiated(&t, &app.id, &n)
            .map_err(|e| anyhow::anyhow!("the IdP cannot start the logout: {e}"))?;
        let agent = self.known_actor(actor)?.agent.clone();
        let first = agent.trace().exchanges.len();
        let page = match started.delivery {
            slo::Delivery::Redirect(location) => agent.get(&location).await?,
            slo::Delivery::Form(html) => {
                let mut headers = reqwest::header::HeaderMap::new();
                headers.insert(
                    reqwest::header::CONTENT_TYPE,
                    reqwest::header::HeaderValue::from_static("text/html; charset=utf-8"),
                );
                let form_page = Page {
                    url: url::Url::parse(&t.base_url)?,
                    status: reqwest::StatusCode::OK,
                    headers,
                    body: html,
                };
                let form = form_page
                    .auto_submit_form()
                    .context("the IdP's logout page has no form")?;
                agent.submit(&form).await?
            }
        };
        let page = follow(&agent, page).await?;
        self.keep_page(actor, page, first);
        Ok(())
    }

    /// A LogoutResponse signed by `org`'s IdP but answering nothing the SP sent reaches the
    /// SP's SLO service through `actor`'s browser.
    pub async fn unsolicited_logout_response(
        &mut self,
        org: &str,
        actor: &str,
    ) -> anyhow::Result<()> {
        self.slo_applicable()?;
        let o = self.org(org)?;
        let t = o.tenant.clone();
        let sp_slo = o.urls.saml_acs.replace("/saml/consume", "/saml/slo");
        let app = t.default_saml_app();
        let p = t.personality();
        let mut el = build_logout_response(&LogoutResponseSpec {
            id: p.ids.saml_message.make(t.ids.as_ref()),
            issue_instant: t.now(),
            destination: Some(sp_slo.clone()),
            in_response_to: format!("_never-sent-{}", self.key()),
            issuer: t.saml_entity_id(Some(&app)),
            status: uri::STATUS_SUCCESS.into(),
            sub_status: None,
            status_message: None,
            protocol_prefix: p.saml.protocol_prefix.into(),
            assertion_prefix: p.saml.assertion_prefix.into(),
        });
        let key = t.signing_key(None).map_err(anyhow::Error::msg)?;
        sign_message(&mut el, &key, SignatureAlgorithm::RsaSha256)?;
        let b64 = saml::b64_encode(el.to_document().as_bytes());
        let agent = self.known_actor(actor)?.agent.clone();
        let first = agent.trace().exchanges.len();
        let page = agent
            .post_form(&sp_slo, &[("SAMLResponse".to_string(), b64)])
            .await?;
        self.keep_page(actor, page, first);
        Ok(())
    }

    fn last_page(&self, actor: &str) -> anyhow::Result<&Page> {
        let o: &Outcome = self.last_of(actor)?;
        Ok(&o.page)
    }

    /// `org`'s IdP holds no SAML session for `actor` any more.
    fn expect_no_idp_session(&self, org: &str, actor: &str, req: &Req) -> anyhow::Result<()> {
        let email = self.known_actor(actor)?.email.clone();
        let t = &self.org(org)?.tenant;
        let left = t
            .saml_sessions()
            .iter()
            .filter(|s| s.name_id.eq_ignore_ascii_case(&email))
            .count();
        ensure!(
            left == 0,
            "{req}: {org}'s IdP still holds {left} session(s) of {actor}"
        );
        Ok(())
    }

    /// SP-initiated logout ended `actor`'s session at the SP and, confirmed by a signed
    /// LogoutResponse, at the IdP.
    pub async fn expect_logged_out_everywhere(
        &mut self,
        actor: &str,
        org: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        let page = self.last_page(actor)?.clone();
        ensure!(
            page.json().is_some_and(|v| v["idp_signed_out"] == true),
            "{req}: expected the SP to confirm the IdP's logout, got {}",
            page.describe()
        );
        self.expect_signed_out(actor, req).await?;
        self.expect_no_idp_session(org, actor, req)
    }

    /// The IdP-initiated logout was answered with Success and ended the SP session.
    pub async fn expect_idp_logout_honoured(
        &mut self,
        actor: &str,
        org: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        let answer = self.last_idp_logout_answer(org)?;
        ensure!(
            answer
                .as_ref()
                .is_some_and(|a| a.status == uri::STATUS_SUCCESS),
            "{req}: expected a successful LogoutResponse at {org}'s IdP, got {answer:?}"
        );
        self.expect_signed_out(actor, req).await
    }

    fn last_idp_logout_answer(&self, org: &str) -> anyhow::Result<Option<slo::SpAnswer>> {
        let t = &self.org(org)?.tenant;
        Ok(t.saml_logouts().pop().and_then(|l| l.response))
    }

    /// The SP refused the logout message (a 4xx naming the rule) and `actor` is still signed in.
    pub async fn expect_logout_refused(&mut self, actor: &str, req: &Req) -> anyhow::Result<()> {
        let page = self.last_page(actor)?.clone();
        ensure!(
            page.status.is_client_error()
                && page.json().is_some_and(|v| v["error"] == "logout-rejected"),
            "{req}: expected the SP to refuse the logout message, got {}",
            page.describe()
        );
        self.expect_signed_in(actor, req).await
    }

    /// The SP answered the IdP's LogoutRequest for an unknown session with UnknownPrincipal, and
    /// `actor` is still signed in.
    pub async fn expect_unknown_session_answer(
        &mut self,
        actor: &str,
        org: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        let answer = self.last_idp_logout_answer(org)?;
        ensure!(
            answer
                .as_ref()
                .is_some_and(|a| a.status != uri::STATUS_SUCCESS
                    && a.sub_status.as_deref() == Some(STATUS_UNKNOWN_PRINCIPAL)),
            "{req}: expected the SP to answer UnknownPrincipal, got {answer:?}"
        );
        self.expect_signed_in(actor, req).await
    }
}
