//! A [`Platform`] on a handful of SQLite tables (`tp_*`), for tests of the SCIM server on its
//! own. Because its state lives in the same database and is written through the request's
//! transaction, a refused SCIM request rolls platform changes back too, exactly as the real
//! store must; the tests check that by comparing whole-database dumps.
//!
//! The inspection helpers (`membership`, `account`, `sessions`...) are what the tests assert on.

use protocols::SharedIdGen;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::flaws::{Flaw, Flaws};
use crate::scim::platform::{
    AccountId, OrgMode, Platform, PlatformError, Profile, ResourceGroupId, Role,
};

/// The test double. Account ids of managed accounts come from `ids`; `flaws` decide, as on the
/// real platform, whether deprovisioning keeps sessions.
#[derive(Clone)]
pub struct TestPlatform {
    ids: SharedIdGen,
    flaws: Flaws,
}

/// An org membership or invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// "invited" until accepted, then "member".
    pub state: String,
    pub active: bool,
    pub role: Option<Role>,
}

/// A platform account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    pub id: AccountId,
    pub username: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    pub emails: Vec<String>,
    /// The organisation owning a managed account.
    pub managed_by: Option<String>,
}

fn mode_str(m: OrgMode) -> &'static str {
    match m {
        OrgMode::Basic => "basic",
        OrgMode::Managed => "managed",
    }
}

fn emails_json(emails: &[String]) -> String {
    serde_json::to_string(emails).unwrap_or_else(|_| "[]".into())
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation
    )
}

impl TestPlatform {
    pub fn new(ids: SharedIdGen) -> TestPlatform {
        TestPlatform {
            ids,
            flaws: Flaws::none(),
        }
    }

    /// With `Flaw::KeepSessionsOnDeprovision`, [`Platform::end_sessions`] ends nothing.
    pub fn with_flaws(self, flaws: Flaws) -> TestPlatform {
        TestPlatform { flaws, ..self }
    }

    pub fn migrate(conn: &Connection) -> rusqlite::Result<()> {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS tp_orgs (org TEXT PRIMARY KEY, mode TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS tp_accounts (
                id TEXT PRIMARY KEY,
                username TEXT NOT NULL UNIQUE COLLATE NOCASE,
                given_name TEXT, family_name TEXT, display_name TEXT,
                emails TEXT NOT NULL,
                managed_by TEXT
            );
            CREATE TABLE IF NOT EXISTS tp_content (account TEXT NOT NULL, name TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS tp_members (
                org TEXT NOT NULL, account TEXT NOT NULL, role TEXT,
                state TEXT NOT NULL, active INTEGER NOT NULL,
                PRIMARY KEY (org, account)
            );
            CREATE TABLE IF NOT EXISTS tp_rgs (org TEXT NOT NULL, rg TEXT NOT NULL,
                PRIMARY KEY (org, rg));
            CREATE TABLE IF NOT EXISTS tp_rg_members (
                org TEXT NOT NULL, rg TEXT NOT NULL, account TEXT NOT NULL, role TEXT NOT NULL,
                PRIMARY KEY (org, rg, account)
            );
            CREATE TABLE IF NOT EXISTS tp_sessions (
                id INTEGER PRIMARY KEY, account TEXT NOT NULL, org TEXT
            );",
        )
    }

    // ---- fixtures ----

    pub fn add_org(conn: &Connection, org: &str, mode: OrgMode) -> rusqlite::Result<()> {
        conn.execute(
            "INSERT INTO tp_orgs (org, mode) VALUES (?1, ?2)",
            params![org, mode_str(mode)],
        )?;
        Ok(())
    }

    /// A personal account (Basic mode users own theirs), id `acct-{username}`.
    pub fn add_personal_account(
        conn: &Connection,
        username: &str,
        emails: &[&str],
    ) -> rusqlite::Result<AccountId> {
        let id = AccountId(format!("acct-{username}"));
        let emails: Vec<String> = emails.iter().map(|e| e.to_string()).collect();
        conn.execute(
            "INSERT INTO tp_accounts (id, username, emails) VALUES (?1, ?2, ?3)",
            params![id.0, username, emails_json(&emails)],
        )?;
        Ok(id)
    }

    pub fn add_rg(conn: &Connection, org: &str, rg: &str) -> rusqlite::Result<ResourceGroupId> {
        conn.execute(
            "INSERT INTO tp_rgs (org, rg) VALUES (?1, ?2)",
            params![org, rg],
        )?;
        Ok(ResourceGroupId(rg.to_string()))
    }

    /// A membership made by hand (outside SCIM).
    pub fn add_member_manually(
        conn: &Connection,
        org: &str,
        account: &AccountId,
        rg: Option<(&ResourceGroupId, Role)>,
    ) -> rusqlite::Result<()> {
        conn.execute(
            "INSERT OR REPLACE INTO tp_members (org, account, role, state, active)
             VALUES (?1, ?2, NULL, 'member', 1)",
            params![org, account.0],
        )?;
        if let Some((rg, role)) = rg {
            conn.execute(
                "INSERT OR REPLACE INTO tp_rg_members (org, rg, account, role)
                 VALUES (?1, ?2, ?3, ?4)",
                params![org, rg.0, account.0, role.as_str()],
            )?;
        }
        Ok(())
    }

    /// A login session; `org` for an org SSO session, `None` for the platform login.
    pub fn add_session(
        conn: &Connection,
        account: &AccountId,
        org: Option<&str>,
    ) -> rusqlite::Result<()> {
        conn.execute(
            "INSERT INTO tp_sessions (account, org) VALUES (?1, ?2)",
            params![account.0, org],
        )?;
        Ok(())
    }

    pub fn add_content(conn: &Connection, account: &AccountId, name: &str) -> rusqlite::Result<()> {
        conn.execute(
            "INSERT INTO tp_content (account, name) VALUES (?1, ?2)",
            params![account.0, name],
        )?;
        Ok(())
    }

    /// The user accepts their invitation; false when there is none or it is deactivated.
    pub fn accept_invitation(
        conn: &Connection,
        org: &str,
        account: &AccountId,
    ) -> rusqlite::Result<bool> {
        let n = conn.execute(
            "UPDATE tp_members SET state = 'member'
             WHERE org = ?1 AND account = ?2 AND state = 'invited' AND active = 1",
            params![org, account.0],
        )?;
        Ok(n == 1)
    }

    // ---- inspection ----

    pub fn membership(
        conn: &Connection,
        org: &str,
        account: &AccountId,
    ) -> rusqlite::Result<Option<Membership>> {
        conn.query_row(
            "SELECT state, active, role FROM tp_members WHERE org = ?1 AND account = ?2",
            params![org, account.0],
            |r| {
                let role: Option<String> = r.get(2)?;
                Ok(Membership {
                    state: r.get(0)?,
                    active: r.get(1)?,
                    role: role.as_deref().and_then(Role::parse),
                })
            },
        )
        .optional()
    }

    fn account_where(
        conn: &Connection,
        clause: &str,
        value: &str,
    ) -> rusqlite::Result<Option<AccountRecord>> {
        conn.query_row(
            &format!(
                "SELECT id, username, given_name, family_name, display_name, emails, managed_by
                 FROM tp_accounts WHERE {clause} = ?1"
            ),
            params![value],
            |r| {
                let emails: String = r.get(5)?;
                Ok(AccountRecord {
                    id: AccountId(r.get(0)?),
                    username: r.get(1)?,
                    given_name: r.get(2)?,
                    family_name: r.get(3)?,
                    display_name: r.get(4)?,
                    emails: serde_json::from_str(&emails).unwrap_or_default(),
                    managed_by: r.get(6)?,
                })
            },
        )
        .optional()
    }

    pub fn account(conn: &Connection, id: &AccountId) -> rusqlite::Result<Option<AccountRecord>> {
        Self::account_where(conn, "id", &id.0)
    }

    /// The account's sessions: `Some(org)` per org SSO session, `None` per platform login.
    pub fn sessions(
        conn: &Connection,
        account: &AccountId,
    ) -> rusqlite::Result<Vec<Option<String>>> {
        let mut stmt =
            conn.prepare("SELECT org FROM tp_sessions WHERE account = ?1 ORDER BY id")?;
        let rows = stmt.query_map(params![account.0], |r| r.get(0))?.collect();
        rows
    }

    pub fn content(conn: &Connection, account: &AccountId) -> rusqlite::Result<Vec<String>> {
        let mut stmt =
            conn.prepare("SELECT name FROM tp_content WHERE account = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map(params![account.0], |r| r.get(0))?.collect();
        rows
    }

    pub fn rg_roles(
        conn: &Connection,
        org: &str,
        rg: &ResourceGroupId,
    ) -> rusqlite::Result<Vec<(AccountId, Role)>> {
        let mut stmt = conn.prepare(
            "SELECT account, role FROM tp_rg_members WHERE org = ?1 AND rg = ?2 ORDER BY account",
        )?;
        let rows = stmt
            .query_map(params![org, rg.0], |r| {
                let role: String = r.get(1)?;
                Ok((
                    AccountId(r.get(0)?),
                    Role::parse(&role).unwrap_or(Role::Read),
                ))
            })?
            .collect();
        rows
    }
}

impl Platform for TestPlatform {
    fn org_mode(&self, tx: &Transaction<'_>, org: &str) -> Result<Option<OrgMode>, PlatformError> {
        let mode: Option<String> = tx
            .query_row(
                "SELECT mode FROM tp_orgs WHERE org = ?1",
                params![org],
                |r| r.get(0),
            )
            .optional()?;
        Ok(mode.map(|m| {
            if m == "managed" {
                OrgMode::Managed
            } else {
                OrgMode::Basic
            }
        }))
    }

    fn find_account_by_email(
        &self,
        tx: &Transaction<'_>,
        email: &str,
    ) -> Result<Option<AccountId>, PlatformError> {
        let mut stmt = tx.prepare("SELECT id, emails FROM tp_accounts ORDER BY id")?;
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows.into_iter().find_map(|(id, emails)| {
            let list: Vec<String> = serde_json::from_str(&emails).unwrap_or_default();
            list.iter()
                .any(|e| e.eq_ignore_ascii_case(email))
                .then_some(AccountId(id))
        }))
    }

    fn create_managed_account(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        profile: &Profile,
    ) -> Result<AccountId, PlatformError> {
        let id = AccountId(format!("acct-{}", self.ids.hex(6)));
        tx.execute(
            "INSERT INTO tp_accounts (id, username, given_name, family_name, display_name,
                                      emails, managed_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id.0,
                profile.username,
                profile.given_name,
                profile.family_name,
                profile.display_name,
                emails_json(&profile.emails),
                org
            ],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PlatformError::UsernameTaken {
                    username: profile.username.clone(),
                }
            } else {
                e.into()
            }
        })?;
        Ok(id)
    }

    fn update_profile(
        &self,
        tx: &Transaction<'_>,
        account: &AccountId,
        profile: &Profile,
    ) -> Result<(), PlatformError> {
        let n = tx
            .execute(
                "UPDATE tp_accounts SET username = ?2, given_name = ?3, family_name = ?4,
                        display_name = ?5, emails = ?6 WHERE id = ?1",
                params![
                    account.0,
                    profile.username,
                    profile.given_name,
                    profile.family_name,
                    profile.display_name,
                    emails_json(&profile.emails)
                ],
            )
            .map_err(|e| {
                if is_unique_violation(&e) {
                    PlatformError::UsernameTaken {
                        username: profile.username.clone(),
                    }
                } else {
                    e.into()
                }
            })?;
        if n == 0 {
            return Err(PlatformError::NotFound {
                what: format!("account {account}"),
            });
        }
        Ok(())
    }

    fn delete_account(
        &self,
        tx: &Transaction<'_>,
        account: &AccountId,
    ) -> Result<(), PlatformError> {
        for table in ["tp_content", "tp_members", "tp_rg_members", "tp_sessions"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE account = ?1"),
                params![account.0],
            )?;
        }
        tx.execute("DELETE FROM tp_accounts WHERE id = ?1", params![account.0])?;
        Ok(())
    }

    fn invite(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        account: &AccountId,
        role: Option<Role>,
    ) -> Result<(), PlatformError> {
        tx.execute(
            "INSERT INTO tp_members (org, account, role, state, active)
             VALUES (?1, ?2, ?3, 'invited', 1)
             ON CONFLICT (org, account) DO UPDATE SET active = 1",
            params![org, account.0, role.map(Role::as_str)],
        )?;
        Ok(())
    }

    fn add_member(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        account: &AccountId,
        role: Option<Role>,
    ) -> Result<(), PlatformError> {
        tx.execute(
            "INSERT INTO tp_members (org, account, role, state, active)
             VALUES (?1, ?2, ?3, 'member', 1)
             ON CONFLICT (org, account) DO UPDATE SET state = 'member', active = 1",
            params![org, account.0, role.map(Role::as_str)],
        )?;
        Ok(())
    }

    fn set_member_active(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        account: &AccountId,
        active: bool,
    ) -> Result<(), PlatformError> {
        let n = tx.execute(
            "UPDATE tp_members SET active = ?3 WHERE org = ?1 AND account = ?2",
            params![org, account.0, active],
        )?;
        if n == 0 {
            return Err(PlatformError::NotFound {
                what: format!("membership of {account} in {org}"),
            });
        }
        Ok(())
    }

    fn remove_member_everywhere(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        account: &AccountId,
    ) -> Result<(), PlatformError> {
        for table in ["tp_members", "tp_rg_members"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE org = ?1 AND account = ?2"),
                params![org, account.0],
            )?;
        }
        Ok(())
    }

    fn end_sessions(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        account: &AccountId,
    ) -> Result<(), PlatformError> {
        if self.flaws.danger(Flaw::KeepSessionsOnDeprovision) {
            return Ok(());
        }
        let managed: bool = tx
            .query_row(
                "SELECT managed_by IS NOT NULL FROM tp_accounts WHERE id = ?1",
                params![account.0],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false);
        if managed {
            tx.execute(
                "DELETE FROM tp_sessions WHERE account = ?1",
                params![account.0],
            )?;
        } else {
            tx.execute(
                "DELETE FROM tp_sessions WHERE account = ?1 AND org = ?2",
                params![account.0, org],
            )?;
        }
        Ok(())
    }

    fn rg_members(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        rg: &ResourceGroupId,
    ) -> Result<Option<Vec<(AccountId, Role)>>, PlatformError> {
        let exists = tx
            .query_row(
                "SELECT 1 FROM tp_rgs WHERE org = ?1 AND rg = ?2",
                params![org, rg.0],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if !exists {
            return Ok(None);
        }
        Ok(Some(TestPlatform::rg_roles(tx, org, rg)?))
    }

    fn set_rg_member(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        rg: &ResourceGroupId,
        account: &AccountId,
        role: Option<Role>,
    ) -> Result<(), PlatformError> {
        match role {
            Some(role) => tx.execute(
                "INSERT INTO tp_rg_members (org, rg, account, role) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (org, rg, account) DO UPDATE SET role = excluded.role",
                params![org, rg.0, account.0, role.as_str()],
            )?,
            None => tx.execute(
                "DELETE FROM tp_rg_members WHERE org = ?1 AND rg = ?2 AND account = ?3",
                params![org, rg.0, account.0],
            )?,
        };
        Ok(())
    }
}
