//! Versioned migrations, kept in `migrations/<dialect>/NNNN_name.sql` and compiled in.
//! Each backend applies them under its own lock (MySQL `GET_LOCK`, SQLite `BEGIN IMMEDIATE`),
//! so several workers starting at once apply each version exactly once. A checksum per version
//! catches a migration edited after it was applied.

use anyhow::bail;

#[derive(Debug)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    /// FNV-1a of the SQL text: stable across builds and platforms, no dependency.
    pub fn checksum(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in self.sql.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }
}

pub const MYSQL: &[Migration] = &[Migration {
    version: 1,
    name: "create_counts",
    sql: include_str!("../migrations/mysql/0001_create_counts.sql"),
}];

pub const SQLITE: &[Migration] = &[Migration {
    version: 1,
    name: "create_counts",
    sql: include_str!("../migrations/sqlite/0001_create_counts.sql"),
}];

/// The bookkeeping table; plain enough to be valid in both dialects.
pub const CREATE_HISTORY_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT       NOT NULL PRIMARY KEY,
    name       VARCHAR(255) NOT NULL,
    checksum   VARCHAR(16)  NOT NULL,
    applied_at VARCHAR(40)  NOT NULL
)";

/// Given what the database says was applied, the migrations still to run, in order; fails if
/// an applied one was changed or the database is newer than this binary.
pub fn pending<'a>(
    available: &'a [Migration],
    applied: &[(i64, String)],
) -> anyhow::Result<Vec<&'a Migration>> {
    for (version, checksum) in applied {
        match available.iter().find(|m| m.version == *version) {
            Some(m) if m.checksum() == *checksum => {}
            Some(m) => bail!(
                "migration {} ({}) was changed after it was applied; add a new migration instead",
                m.version,
                m.name
            ),
            None => {
                bail!("database has migration {version}, unknown to this build (newer schema?)")
            }
        }
    }
    Ok(available
        .iter()
        .filter(|m| !applied.iter().any(|(v, _)| *v == m.version))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_increasing_and_dialects_match() {
        for list in [MYSQL, SQLITE] {
            assert!(list.windows(2).all(|w| w[0].version < w[1].version));
        }
        let names = |l: &[Migration]| l.iter().map(|m| (m.version, m.name)).collect::<Vec<_>>();
        assert_eq!(names(MYSQL), names(SQLITE));
    }

    #[test]
    fn pending_skips_applied_and_rejects_edits() {
        let applied = vec![(1, MYSQL[0].checksum())];
        assert!(pending(MYSQL, &applied).unwrap().is_empty());
        assert_eq!(pending(MYSQL, &[]).unwrap().len(), MYSQL.len());
        let edited = vec![(1, "0000000000000000".to_owned())];
        assert!(pending(MYSQL, &edited)
            .unwrap_err()
            .to_string()
            .contains("changed"));
        let newer = vec![(999, "x".to_owned())];
        assert!(pending(MYSQL, &newer).is_err());
    }
}
