//! IdP-initiated logout: the IdP ends its sessions of a user at an app and sends the app a
//! LogoutRequest.

use super::deliver::{deliver, Delivery};
use super::error::SloError;
use super::model::{push_bounded, IdpLogout, LogoutSigning};
use super::vendor::vendor_slo;
use crate::tenant::Tenant;
use protocols::saml::logout::{self, LogoutRequestSpec, Param};
use serde::{Deserialize, Serialize};

/// `POST …/saml-apps/{app}/logout`: what the IdP-initiated logout sends, and a fault or two.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLogout {
    /// The user (login, email or id); their latest session at the app is logged out.
    pub user: String,
    /// Name this SessionIndex instead of the session's (a fault: a session the SP never had).
    pub session_index: Option<String>,
    /// `default` (the vendor's signature), `none` (unsigned) or `foreign` (a key the SP does
    /// not trust).
    #[serde(default)]
    pub sign: LogoutSigning,
    pub relay_state: Option<String>,
}

/// An IdP-initiated logout on its way: its id, the LogoutRequest as sent, and how it travels.
#[derive(Debug, Clone)]
pub struct StartedLogout {
    pub request_id: String,
    pub xml: String,
    pub delivery: Delivery,
}

/// Start an IdP-initiated logout of `n.user` at `app_key`: end the IdP's sessions of that user
/// at the app, record the pending logout, and return what carries the LogoutRequest.
pub fn idp_initiated(t: &Tenant, app_key: &str, n: &NewLogout) -> Result<StartedLogout, SloError> {
    let v = vendor_slo(t.vendor)?;
    let app = t
        .saml_app(app_key)
        .ok_or_else(|| SloError::UnregisteredApp {
            app: app_key.to_string(),
        })?;
    let slo = app.slo.clone().ok_or_else(|| SloError::SloNotEnabled {
        app: app.id.clone(),
    })?;
    let user = t
        .state
        .lock()
        .directory
        .find(&n.user)
        .cloned()
        .ok_or_else(|| SloError::UnknownUser {
            user: n.user.clone(),
        })?;
    let session = t
        .state
        .lock()
        .slo
        .sessions
        .iter()
        .rev()
        .find(|s| {
            s.app_id == app.id
                && [&user.login, &user.email, &user.id]
                    .iter()
                    .any(|k| s.name_id.eq_ignore_ascii_case(k))
        })
        .cloned();
    let Some(session) = session else {
        return Err(SloError::NoSession {
            user: user.login,
            app: app.id,
        });
    };
    let p = t.personality();
    let id = p.ids.saml_message.make(t.ids.as_ref());
    let session_index = n
        .session_index
        .clone()
        .unwrap_or_else(|| session.session_index.clone());
    let el = logout::build_logout_request(&LogoutRequestSpec {
        id: id.clone(),
        issue_instant: t.now(),
        destination: Some(slo.url.clone()),
        issuer: t.saml_entity_id(Some(&app)),
        name_id: session.name_id.clone(),
        name_id_format: app.name_id_format.clone(),
        session_index: Some(session_index.clone()),
        protocol_prefix: p.saml.protocol_prefix.into(),
        assertion_prefix: p.saml.assertion_prefix.into(),
    });
    let (delivery, xml) = deliver(
        t,
        &v,
        &slo,
        Param::Request,
        el,
        n.relay_state.as_deref(),
        n.sign,
    )?;
    let mut st = t.state.lock();
    st.slo
        .sessions
        .retain(|s| !(s.app_id == app.id && s.name_id == session.name_id));
    push_bounded(
        &mut st.slo.logouts,
        IdpLogout {
            request_id: id.clone(),
            app_id: app.id.clone(),
            name_id: session.name_id.clone(),
            session_index: Some(session_index),
            sent: t.now(),
            response: None,
        },
    );
    Ok(StartedLogout {
        request_id: id,
        xml,
        delivery,
    })
}
