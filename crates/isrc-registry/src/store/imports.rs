//! Import: existing codes brought into the ledger.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use isrc::{Isrc, code::PrefixCode};
use sqlx::{AnyConnection, AssertSqlSafe};

use super::*;
use crate::counters::ImportTally;
use crate::error::{Error, Result};

impl Store {
    /// Brings existing codes into the ledger: all of them, or none (duplicates in the input and
    /// codes already in the ledger are reported together). Allocation then skips them.
    /// With `only_prefix`, codes under any other prefix are refused.
    pub async fn import(
        &self,
        records: &[ImportRecord],
        only_prefix: Option<PrefixCode>,
        actor: &str,
    ) -> Result<usize> {
        if records.is_empty() {
            return Err(Error::invalid("import", "the file holds no records"));
        }
        let mut problems = Vec::new();
        let mut seen: HashMap<Isrc, &str> = HashMap::new();
        for r in records {
            if let Some(only) = only_prefix
                && r.isrc.prefix() != only
            {
                problems.push(format!(
                    "{}: {} is under {}, not under {only}",
                    r.label,
                    r.isrc,
                    r.isrc.prefix()
                ));
            }
            if let Err(e) = r.meta.validate() {
                problems.push(format!("{}: {e}", r.label));
            }
            if let Some(first) = seen.insert(r.isrc, &r.label) {
                problems.push(format!("{}: {} is also on {first}", r.label, r.isrc));
            }
        }
        if !problems.is_empty() {
            return Err(import_conflict(problems));
        }
        write_tx!(self, false, |conn| self.import_in(conn, records, actor))
    }

    async fn import_in(
        &self,
        conn: &mut AnyConnection,
        records: &[ImportRecord],
        actor: &str,
    ) -> Result<usize> {
        let mut problems = Vec::new();
        let mut registrants: HashMap<PrefixCode, Registrant> = HashMap::new();
        for r in records {
            let prefix = r.isrc.prefix();
            if let std::collections::hash_map::Entry::Vacant(slot) = registrants.entry(prefix) {
                match load_registrant(conn, prefix).await {
                    Ok(reg) => {
                        slot.insert(reg);
                    }
                    Err(Error::UnknownPrefix { .. }) => {
                        problems.push(format!(
                            "{}: {} is under {prefix}, which belongs to no registrant in this ledger (add it first with `isrc registrant add --prefix {prefix} --name NAME`)",
                            r.label, r.isrc
                        ));
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
            if let Some(reg) = registrants.get(&prefix) {
                match (reg.kind, &r.meta.client) {
                    (RegistrantKind::Manager, None) => problems.push(format!(
                        "{}: {prefix} is an ISRC Manager prefix; give the client",
                        r.label
                    )),
                    (RegistrantKind::Own, Some(_)) => problems.push(format!(
                        "{}: {prefix} is an own-recordings prefix; the client column must be empty",
                        r.label
                    )),
                    _ => {}
                }
            }
        }
        let existing: HashSet<i64> = {
            let mut set = HashSet::new();
            for chunk in records.chunks(500) {
                let placeholders: Vec<String> = (1..=chunk.len())
                    .map(|i| placeholder(self.inner.backend, i))
                    .collect();
                let sql = format!(
                    "SELECT code FROM recordings WHERE code IN ({})",
                    placeholders.join(", ")
                );
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for r in chunk {
                    q = q.bind(r.isrc.to_u64() as i64);
                }
                for row in q.fetch_all(&mut *conn).await? {
                    set.insert(dec_i64(&row, "code")?);
                }
            }
            set
        };
        for r in records {
            if existing.contains(&(r.isrc.to_u64() as i64)) {
                problems.push(format!("{}: {} is already in the ledger", r.label, r.isrc));
            }
        }
        if !problems.is_empty() {
            return Err(import_conflict(problems));
        }
        let created_at = now();
        let rows: Vec<Recording> = records
            .iter()
            .map(|r| Recording {
                isrc: r.isrc,
                meta: r.meta.clone(),
                status: r.status,
                void_reason: None,
                origin: "imported".into(),
                created_at: created_at.clone(),
            })
            .collect();
        let keys: Vec<String> = records.iter().map(|r| match_key(&r.meta)).collect();
        let mut tally = ImportTally::default();
        for r in records {
            if let Some(reg) = registrants.get(&r.isrc.prefix()) {
                tally.add(
                    r.isrc.prefix(),
                    i64::from(r.isrc.year()),
                    r.isrc.designation(),
                    &reg.ranges,
                );
            }
        }
        tally.apply(conn).await?;
        insert_recordings(self.inner.backend, conn, &rows, &keys, actor, "import").await?;
        Ok(rows.len())
    }
}

pub(super) fn import_conflict(problems: Vec<String>) -> Error {
    let total = problems.len();
    let mut message = problems.into_iter().take(20).collect::<Vec<_>>().join("; ");
    if total > 20 {
        message.push_str(&format!("; and {} more", total - 20));
    }
    Error::ImportConflict { message }
}
