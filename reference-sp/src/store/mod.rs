//! Storage: one embedded SQLite database, a file or in memory.
//!
//! One connection behind one mutex: every write is serialised, so two concurrent updates can
//! never lose one another (the SCIM server relies on this). Everything that belongs together
//! runs in one transaction through [`Store::with_tx`] or [`Store::transact`]; a refused request
//! returns an error from inside the closure and the transaction rolls back, leaving the
//! database as it was.
//!
//! The submodules are plain functions over a `&Connection` (a `Transaction` derefs to one), so
//! callers compose them inside a single transaction.

pub mod accounts;
pub mod flows;
pub mod invitations;
pub mod memberships;
pub mod orgs;
pub mod repos;
pub mod resource_groups;
pub mod schema;
pub mod sessions;
pub mod slo;

use parking_lot::Mutex;
use rusqlite::{Connection, Transaction};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Row ids are SQLite integers.
pub type Id = i64;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the database schema is version {found}, newer than this build knows ({known})")]
    TooNew { found: i64, known: i64 },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether the error is a UNIQUE or PRIMARY KEY violation.
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        )
    }
}

/// The database.
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    location: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("location", &self.location)
            .finish()
    }
}

impl Store {
    /// `":memory:"` for a private in-memory database, else a file path (created if absent).
    pub fn open(spec: &str) -> Result<Self, StoreError> {
        if spec == ":memory:" {
            Self::in_memory()
        } else {
            Self::open_file(Path::new(spec))
        }
    }

    pub fn open_file(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        // WAL keeps readers of other processes (sqlite3 on the file) out of the writer's way.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Self::init(conn, path.display().to_string())
    }

    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?, ":memory:".into())
    }

    fn init(mut conn: Connection, location: String) -> Result<Self, StoreError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Every hot statement is prepared once per connection (`prepare_cached`); the SCIM
        // server and the core together use about a hundred distinct ones.
        conn.set_prepared_statement_cache_capacity(256);
        migrate(&mut conn)?;
        // The SCIM server's own tables, after the core's (migration 2 hands `scim_tokens` over).
        crate::scim::migrate(&conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            location,
        })
    }

    /// Where the data lives: a path or `:memory:`.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The connection itself, for modules that manage their own transactions under the same
    /// mutex (the SCIM server). Hold the lock only for the length of one transaction.
    pub fn connection(&self) -> Arc<Mutex<Connection>> {
        self.conn.clone()
    }

    /// Run `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    pub fn with_tx<T>(
        &self,
        f: impl FnOnce(&Transaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.transact(f)
    }

    /// [`Store::with_tx`] for callers whose own error type wraps [`StoreError`]: a refusal
    /// in the caller's terms rolls back just the same.
    pub fn transact<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Transaction) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.conn.lock();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Read without a transaction (a single statement is atomic anyway).
    pub fn read<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let conn = self.conn.lock();
        f(&conn)
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = schema::MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::TooNew {
            found: version,
            known,
        });
    }
    for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// Lower-case hex SHA-256: how session tokens are stored (the cookie alone opens a session).
pub fn digest(token: &str) -> String {
    openssl::sha::sha256(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Read a boolean column stored as 0/1.
pub(crate) fn flag(v: i64) -> bool {
    v != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_reopens() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sp.db");
        {
            let s = Store::open_file(&path).expect("open");
            s.with_tx(|tx| {
                tx.execute(
                    "INSERT INTO orgs (slug, mode, default_role, session_timeout_secs, \
                     sso_enforced, allow_idp_initiated, created) \
                     VALUES ('acme', 'basic', 'read', 60, 1, 0, 0)",
                    [],
                )?;
                Ok(())
            })
            .expect("insert");
        }
        let s = Store::open_file(&path).expect("reopen");
        let n: i64 = s
            .read(|c| {
                c.query_row("SELECT count(*) FROM orgs", [], |r| r.get(0))
                    .map_err(StoreError::from)
            })
            .expect("count");
        assert_eq!(n, 1);
    }

    /// The plan SQLite picks for `sql` (EXPLAIN QUERY PLAN), one detail per line.
    fn plan(c: &Connection, sql: &str) -> String {
        let mut st = c
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        let rows = st
            .query_map([], |r| r.get::<_, String>(3))
            .expect("plan")
            .collect::<Result<Vec<_>, _>>()
            .expect("rows");
        rows.join("\n")
    }

    const PURGES: [&str; 4] = [
        "DELETE FROM saml_replay WHERE expires < 1",
        "DELETE FROM saml_requests WHERE created < 1",
        "DELETE FROM oidc_pending WHERE created < 1",
        "DELETE FROM saml_logout_requests WHERE created < 1",
    ];

    #[test]
    fn purges_of_expired_flows_search_an_index() {
        let s = Store::in_memory().expect("open");
        s.read(|c| {
            for sql in PURGES {
                let p = plan(c, sql);
                assert!(p.contains("USING") && p.contains("INDEX"), "{sql}: {p}");
                assert!(!p.contains("SCAN"), "{sql}: {p}");
            }
            Ok::<_, StoreError>(())
        })
        .expect("plans");
    }

    /// A database left at version 4 (before the purge indexes) with rows in the flow tables
    /// gets migration 5 on open and keeps its rows.
    #[test]
    fn migration_5_applies_to_an_existing_database() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sp.db");
        {
            let mut c = Connection::open(&path).expect("open");
            for (i, sql) in schema::MIGRATIONS.iter().enumerate().take(4) {
                let tx = c.transaction().expect("tx");
                tx.execute_batch(sql).expect("migration");
                tx.pragma_update(None, "user_version", (i + 1) as i64)
                    .expect("version");
                tx.commit().expect("commit");
            }
            c.execute_batch(
                "INSERT INTO orgs (slug, mode, default_role, session_timeout_secs, \
                 sso_enforced, allow_idp_initiated, created) \
                 VALUES ('acme', 'basic', 'read', 60, 1, 0, 0);
                 INSERT INTO saml_replay (org_id, assertion_id, expires) VALUES (1, 'a1', 100);
                 INSERT INTO saml_requests (id, org_id, return_to, created) \
                 VALUES ('r1', 1, NULL, 100);",
            )
            .expect("rows");
            assert!(plan(&c, PURGES[0]).contains("SCAN"), "version 4 scans");
        }
        let s = Store::open_file(&path).expect("reopen migrates");
        s.read(|c| {
            let version: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0))?;
            assert_eq!(version, schema::MIGRATIONS.len() as i64);
            assert!(version >= 5);
            for sql in PURGES {
                assert!(!plan(c, sql).contains("SCAN"), "{sql}");
            }
            let kept: i64 = c.query_row(
                "SELECT (SELECT count(*) FROM saml_replay) + (SELECT count(*) FROM saml_requests)",
                [],
                |r| r.get(0),
            )?;
            assert_eq!(kept, 2);
            Ok::<_, StoreError>(())
        })
        .expect("migrated");
    }

    #[test]
    fn concurrent_read_modify_write_loses_no_update() {
        let s = std::sync::Arc::new(Store::in_memory().expect("open"));
        s.with_tx(|tx| {
            tx.execute(
                "INSERT INTO orgs (slug, mode, default_role, session_timeout_secs, \
                 sso_enforced, allow_idp_initiated, created) \
                 VALUES ('acme', 'basic', 'read', 0, 1, 0, 0)",
                [],
            )?;
            Ok(())
        })
        .expect("insert");
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let s = s.clone();
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        s.with_tx(|tx| {
                            let n: i64 = tx.query_row(
                                "SELECT session_timeout_secs FROM orgs WHERE slug = 'acme'",
                                [],
                                |r| r.get(0),
                            )?;
                            std::thread::yield_now();
                            tx.execute(
                                "UPDATE orgs SET session_timeout_secs = ?1 WHERE slug = 'acme'",
                                [n + 1],
                            )?;
                            Ok(())
                        })
                        .expect("tx");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        let n: i64 = s
            .read(|c| {
                c.query_row(
                    "SELECT session_timeout_secs FROM orgs WHERE slug = 'acme'",
                    [],
                    |r| r.get(0),
                )
                .map_err(StoreError::from)
            })
            .expect("read");
        assert_eq!(n, 400);
    }

    #[test]
    fn a_failing_transaction_leaves_nothing() {
        let s = Store::in_memory().expect("open");
        let r: Result<(), StoreError> = s.with_tx(|tx| {
            tx.execute(
                "INSERT INTO orgs (slug, mode, default_role, session_timeout_secs, \
                 sso_enforced, allow_idp_initiated, created) \
                 VALUES ('acme', 'basic', 'read', 60, 1, 0, 0)",
                [],
            )?;
            Err(StoreError::Conflict("refused".into()))
        });
        assert!(r.is_err());
        let n: i64 = s
            .read(|c| {
                c.query_row("SELECT count(*) FROM orgs", [], |r| r.get(0))
                    .map_err(StoreError::from)
            })
            .expect("count");
        assert_eq!(n, 0);
    }
}
