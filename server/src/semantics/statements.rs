//! The catalogue of Xano's statements whose meaning the rules share: what a database statement
//! does to its table, which statements set a variable, read the raw request or decode a signed
//! token. Rules and analyses ask "does this write a record from `data`?" instead of each
//! keeping its own list of names, so a statement is taught to all of them in one place.

use crate::model::Statement;

/// A statement of the `db.` family whose meaning the rules know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Get,
    Has,
    Query,
    Add,
    Edit,
    Patch,
    AddOrEdit,
    Del,
    Truncate,
    BulkAdd,
    BulkUpdate,
    BulkPatch,
    BulkDelete,
    /// `db.direct_query`: SQL against the workspace's own database; no table is named.
    DirectQuery,
    Schema,
    Transaction,
}

impl Db {
    /// The statement a name denotes (`db.get`, ...), or `None` for any other name.
    pub fn of(name: &str) -> Option<Db> {
        Some(match name {
            "db.get" => Db::Get,
            "db.has" => Db::Has,
            "db.query" => Db::Query,
            "db.add" => Db::Add,
            "db.edit" => Db::Edit,
            "db.patch" => Db::Patch,
            "db.add_or_edit" => Db::AddOrEdit,
            "db.del" => Db::Del,
            "db.truncate" => Db::Truncate,
            "db.bulk.add" => Db::BulkAdd,
            "db.bulk.update" => Db::BulkUpdate,
            "db.bulk.patch" => Db::BulkPatch,
            "db.bulk.delete" => Db::BulkDelete,
            "db.direct_query" => Db::DirectQuery,
            "db.schema" => Db::Schema,
            "db.transaction" => Db::Transaction,
            _ => return None,
        })
    }

    /// The database statement `stmt` is, if it is one the catalogue knows.
    pub fn of_statement(stmt: &Statement) -> Option<Db> {
        Db::of(&stmt.name.value)
    }

    /// Reads records of its table (`db.get`, `db.has`, `db.query`).
    pub fn reads(self) -> bool {
        matches!(self, Db::Get | Db::Has | Db::Query)
    }

    /// Changes its table: adds, edits or deletes records, one or many, or empties it.
    pub fn writes(self) -> bool {
        matches!(
            self,
            Db::Add
                | Db::Edit
                | Db::Patch
                | Db::AddOrEdit
                | Db::Del
                | Db::Truncate
                | Db::BulkAdd
                | Db::BulkUpdate
                | Db::BulkPatch
                | Db::BulkDelete
        )
    }

    /// Creates or changes one record from its `data` value, and returns that record.
    pub fn writes_record(self) -> bool {
        matches!(self, Db::Add | Db::Edit | Db::Patch | Db::AddOrEdit)
    }

    /// Stores values it is given (`data`, or the items of a bulk write) in its table.
    pub fn stores_values(self) -> bool {
        self.writes_record() || matches!(self, Db::BulkAdd | Db::BulkUpdate | Db::BulkPatch)
    }

    /// Creates records (one or many) rather than changing existing ones.
    pub fn adds(self) -> bool {
        matches!(self, Db::Add | Db::BulkAdd)
    }

    /// Returns a record of its table to the stack: a read of rows, or a record write.
    pub fn returns_record(self) -> bool {
        matches!(self, Db::Get | Db::Query) || self.writes_record()
    }

    /// Picks one record by a field's value (`field_name` / `field_value`).
    pub fn selects_one(self) -> bool {
        matches!(
            self,
            Db::Get | Db::Has | Db::Edit | Db::Patch | Db::Del | Db::AddOrEdit
        )
    }
}

/// What a `db.query` gives back, from `return = {type: ...}` (a list when it does not say).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryReturn {
    List,
    Single,
    Count,
    Exists,
    Aggregate,
    /// A type the catalogue does not know (`stream`, ...): rows, as far as the rules can tell.
    Other,
}

impl QueryReturn {
    /// The return of a `db.query` statement.
    pub fn of(stmt: &Statement) -> QueryReturn {
        let ty = stmt
            .attribute("return")
            .and_then(|r| r.value.get("type"))
            .and_then(|t| t.string_value());
        match ty {
            None | Some("list") => QueryReturn::List,
            Some("single") => QueryReturn::Single,
            Some("count") => QueryReturn::Count,
            Some("exists") => QueryReturn::Exists,
            Some("aggregate") => QueryReturn::Aggregate,
            Some(_) => QueryReturn::Other,
        }
    }

    /// Whether the query gives back records of its table rather than a number or a flag.
    pub fn rows(self) -> bool {
        !matches!(
            self,
            QueryReturn::Count | QueryReturn::Exists | QueryReturn::Aggregate
        )
    }

    /// Whether the query gives back a list of records (not one, not a number or a flag).
    pub fn many(self) -> bool {
        self.rows() && self != QueryReturn::Single
    }
}

/// A statement that sets or changes the variable its first expression names, from `value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarWrite {
    /// `var $x { value = ... }`
    Var,
    /// `var.update $x { value = ... }` (also `var.update $x.field`)
    Update,
    /// `text.append` / `text.prepend`
    Append,
    Prepend,
    /// `array.push` / `array.unshift` / `array.merge`
    Push,
    Unshift,
    Merge,
    /// `object.set`: one key of the object.
    ObjectSet,
    /// `math.add` / `math.sub`: a number.
    MathAdd,
    MathSub,
}

impl VarWrite {
    pub fn of(name: &str) -> Option<VarWrite> {
        Some(match name {
            "var" => VarWrite::Var,
            "var.update" => VarWrite::Update,
            "text.append" => VarWrite::Append,
            "text.prepend" => VarWrite::Prepend,
            "array.push" => VarWrite::Push,
            "array.unshift" => VarWrite::Unshift,
            "array.merge" => VarWrite::Merge,
            "object.set" => VarWrite::ObjectSet,
            "math.add" => VarWrite::MathAdd,
            "math.sub" => VarWrite::MathSub,
            _ => return None,
        })
    }

    pub fn of_statement(stmt: &Statement) -> Option<VarWrite> {
        VarWrite::of(&stmt.name.value)
    }

    /// The variable then holds `value` and nothing of what it held (`var`, `var.update`).
    pub fn replaces(self) -> bool {
        matches!(self, VarWrite::Var | VarWrite::Update)
    }

    /// The variable then holds text built from `value` (set, appended or prepended).
    pub fn builds_text(self) -> bool {
        self.replaces() || matches!(self, VarWrite::Append | VarWrite::Prepend)
    }

    /// The variable then holds `value` whole, alone or beside what it held: text and arrays
    /// grow by it.
    pub fn keeps_value(self) -> bool {
        self.builds_text() || matches!(self, VarWrite::Push | VarWrite::Unshift | VarWrite::Merge)
    }

    /// Whatever `value` carries reaches the variable (a key set on an object included; a sum
    /// is a number and carries nothing).
    pub fn carries_value(self) -> bool {
        self.keeps_value() || self == VarWrite::ObjectSet
    }
}

/// The variable a `foreach` binds to each element of its list: `foreach ($list) { each as
/// $item { ... } }` gives `item`.
pub fn loop_item(stmt: &Statement) -> Option<&str> {
    if stmt.name.value != "foreach" {
        return None;
    }
    stmt.body
        .iter()
        .flat_map(|b| b.statements())
        .find(|c| c.name.value == "each")?
        .alias_name()
}

/// Whether a statement gives back the request as the caller sent it (`util.get_raw_input`,
/// `util.get_input`, `util.get_all_input`), bypassing the declared inputs.
pub fn reads_raw_request(name: &str) -> bool {
    matches!(
        name,
        "util.get_raw_input" | "util.get_input" | "util.get_all_input"
    )
}

/// Whether a statement decodes a signed or encrypted token, failing when it does not verify.
pub fn decodes_token(name: &str) -> bool {
    matches!(
        name,
        "security.jws_decode" | "security.jwe_decode" | "security.jwe_decode_legacy"
    )
}

/// Whether a statement runs SQL text: `db.direct_query`, or the `direct_query` of an external
/// database (`db.external.postgres.direct_query`).
pub fn runs_sql(name: &str) -> bool {
    name == "db.direct_query" || (is_external_db(name) && name.ends_with(".direct_query"))
}

/// Whether a statement talks to an external database (`db.external.<engine>...`).
pub fn is_external_db(name: &str) -> bool {
    name.starts_with("db.external.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_read_back_and_the_families_hold() {
        let all = [
            Db::Get,
            Db::Has,
            Db::Query,
            Db::Add,
            Db::Edit,
            Db::Patch,
            Db::AddOrEdit,
            Db::Del,
            Db::Truncate,
            Db::BulkAdd,
            Db::BulkUpdate,
            Db::BulkPatch,
            Db::BulkDelete,
            Db::DirectQuery,
            Db::Schema,
            Db::Transaction,
        ];
        let names = [
            "db.get",
            "db.has",
            "db.query",
            "db.add",
            "db.edit",
            "db.patch",
            "db.add_or_edit",
            "db.del",
            "db.truncate",
            "db.bulk.add",
            "db.bulk.update",
            "db.bulk.patch",
            "db.bulk.delete",
            "db.direct_query",
            "db.schema",
            "db.transaction",
        ];
        for (op, name) in all.iter().zip(names) {
            assert_eq!(Db::of(name), Some(*op), "{name}");
            // A statement never both reads and writes, a record write is a write that stores
            // values, and what selects one record is a read or a write.
            assert!(!(op.reads() && op.writes()), "{name}");
            assert!(
                !op.writes_record() || (op.writes() && op.stores_values()),
                "{name}"
            );
            assert!(!op.selects_one() || op.reads() || op.writes(), "{name}");
        }
        assert_eq!(Db::of("db.external.postgres.direct_query"), None);
        assert_eq!(Db::of("db.gett"), None);
        assert!(!Db::Has.returns_record() && Db::Patch.returns_record());
        assert!(Db::BulkAdd.adds() && !Db::BulkAdd.writes_record());
    }

    #[test]
    fn variable_writes_nest_from_replacing_to_carrying() {
        for name in [
            "var",
            "var.update",
            "text.append",
            "text.prepend",
            "array.push",
            "array.unshift",
            "array.merge",
            "object.set",
            "math.add",
            "math.sub",
        ] {
            let w = VarWrite::of(name).unwrap();
            assert!(!w.replaces() || w.builds_text(), "{name}");
            assert!(!w.builds_text() || w.keeps_value(), "{name}");
            assert!(!w.keeps_value() || w.carries_value(), "{name}");
        }
        assert!(VarWrite::Update.replaces() && !VarWrite::Append.replaces());
        assert!(VarWrite::Push.keeps_value() && !VarWrite::Push.builds_text());
        assert!(VarWrite::ObjectSet.carries_value() && !VarWrite::ObjectSet.keeps_value());
        assert!(!VarWrite::MathAdd.carries_value());
        assert_eq!(VarWrite::of("var.set"), None);
        assert!(reads_raw_request("util.get_raw_input") && !reads_raw_request("util.get_env"));
        assert!(
            decodes_token("security.jwe_decode_legacy") && !decodes_token("security.jws_encode")
        );
    }

    #[test]
    fn sql_runs_in_the_own_database_and_in_external_ones() {
        assert!(runs_sql("db.direct_query"));
        assert!(runs_sql("db.external.mysql.direct_query"));
        assert!(!runs_sql("db.external.mysql.query"));
        assert!(!runs_sql("util.direct_query"));
        assert!(is_external_db("db.external.oracle.direct_query"));
    }
}
