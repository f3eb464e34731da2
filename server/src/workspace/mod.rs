//! The index across files: tables, functions, api groups, addons and middleware by name,
//! the auth tables, and each table's owner and sensitive fields.
//!
//! Rules run in workspace mode (every file of a folder) or single-file mode (one file, no
//! neighbours). [`Workspace::has_tables`] tells a rule whether table definitions are known: with
//! none, rules say less rather than guess.

pub mod calls;
pub mod config;
pub mod files;
pub mod root;
pub mod sensitivity;
pub mod suppression;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

pub use config::Config;

use crate::model::{Object, SourceFile, Span};
use crate::semantics::names::{has_word, snake_words};
use crate::semantics::{api_group, endpoint};
use crate::syntax::{LineIndex, SyntaxTree};

/// One parsed file with its model.
#[derive(Debug)]
pub struct FileModel {
    pub path: String,
    pub text: Arc<str>,
    pub model: SourceFile,
    pub line_index: LineIndex,
    /// The file's indentation step, found on first use: fixes ask for it once per finding, and
    /// finding it reads the whole file.
    indent: OnceLock<String>,
}

impl FileModel {
    /// A model made of its parts (for a file whose model could not be built).
    pub fn from_parts(
        path: String,
        text: Arc<str>,
        model: SourceFile,
        line_index: LineIndex,
    ) -> Self {
        Self {
            path,
            text,
            model,
            line_index,
            indent: OnceLock::new(),
        }
    }

    /// One indentation step as the file writes it (see [`crate::fix::indent_unit`]).
    pub fn indent_unit(&self) -> &str {
        self.indent
            .get_or_init(|| crate::fix::indent_unit(&self.text))
    }

    pub fn new(path: impl Into<String>, syntax: &SyntaxTree) -> Self {
        Self {
            path: path.into(),
            text: Arc::from(syntax.text()),
            model: crate::model::lower(syntax.tree().root_node(), syntax.text()),
            line_index: syntax.line_index().clone(),
            indent: OnceLock::new(),
        }
    }

    /// [`FileModel::new`], copying from `previous` (a model of an earlier version of the same
    /// document) the objects whose text did not change.
    pub fn reusing(path: impl Into<String>, syntax: &SyntaxTree, previous: &FileModel) -> Self {
        let root = syntax.tree().root_node();
        Self {
            path: path.into(),
            text: Arc::from(syntax.text()),
            model: crate::model::lower_reusing(
                root,
                syntax.text(),
                &previous.text,
                &previous.model,
            ),
            line_index: syntax.line_index().clone(),
            indent: OnceLock::new(),
        }
    }

    /// Parses `text` and builds its model.
    pub fn parse(path: impl Into<String>, text: &str) -> Self {
        Self::new(path, &crate::syntax::parse(text.to_string()))
    }
}

/// A reference to one object of one file.
#[derive(Debug, Clone)]
pub struct ObjectRef {
    pub file: Arc<FileModel>,
    pub index: usize,
}

impl ObjectRef {
    pub fn object(&self) -> &Object {
        &self.file.model.objects[self.index]
    }
}

/// A column of a table.
#[derive(Debug, Clone)]
pub struct ColumnInfo {
    pub name: String,
    pub ty: String,
    /// `sensitive = true` is written on the column.
    pub flagged_sensitive: bool,
    /// The table a reference column points to (`table = "user"`).
    pub references: Option<String>,
    pub span: Span,
}

/// A table definition.
#[derive(Debug, Clone)]
pub struct TableInfo {
    pub name: String,
    /// `auth = true`, or named in the configuration.
    pub is_auth: bool,
    pub columns: Vec<ColumnInfo>,
    pub object: ObjectRef,
    /// Index in `columns` of the owner field, set by [`Workspace::reindex`].
    owner: Option<usize>,
}

/// An api group definition.
#[derive(Debug, Clone)]
pub struct ApiGroupInfo {
    pub name: String,
    /// `active = false` switches the whole group off.
    pub active: bool,
    pub object: ObjectRef,
}

/// The index. Cheap to rebuild: it holds references into the files' models.
#[derive(Debug, Default)]
pub struct Workspace {
    files: HashMap<String, Arc<FileModel>>,
    pub config: Config,
    tables: HashMap<String, TableInfo>,
    functions: HashMap<String, ObjectRef>,
    addons: HashMap<String, ObjectRef>,
    middleware: HashMap<String, ObjectRef>,
    api_groups: HashMap<String, ApiGroupInfo>,
    /// Derived by [`Workspace::reindex`] so that rules asking per column pay nothing.
    auth_names: Vec<String>,
    /// Lower-cased owner-field stems (`user`, `owner`, `account`...) with the full names.
    owner_names: Vec<(String, String)>,
    /// The configured sensitive names split into words.
    sensitive_phrases: Vec<sensitivity::Phrase>,
    /// Answers of [`sensitivity::table_fields_of_kind`], per table and kind.
    pub(crate) field_kinds:
        dashmap::DashMap<(String, sensitivity::DataKind), Vec<sensitivity::DataField>>,
    /// What is gathered from every file on first use, and forgotten when a file changes.
    derived: Derived,
}

/// Facts over all files, each gathered when first asked for after the files changed: asked per
/// api group or per function, they would otherwise read every object each time.
#[derive(Debug, Default)]
struct Derived {
    /// The verbs (upper-cased) the endpoints of each api group use.
    group_verbs: OnceLock<HashMap<String, Vec<String>>>,
    /// Who calls each function.
    call_graph: OnceLock<calls::CallGraph>,
}

impl Workspace {
    pub fn new(config: Config) -> Self {
        // Until `reindex` finds tables with `auth = true`, the configured auth tables stand.
        Self {
            auth_names: config.auth_tables.clone(),
            owner_names: owner_names(&config.owner_fields, &config.auth_tables),
            sensitive_phrases: sensitivity::phrases(&config),
            config,
            ..Self::default()
        }
    }

    /// A workspace holding one file alone.
    pub fn single(file: Arc<FileModel>, config: Config) -> Self {
        let mut ws = Self::new(config);
        ws.insert(file);
        ws.reindex();
        ws
    }

    /// Adds or replaces a file. Call [`Workspace::reindex`] after a batch of changes.
    pub fn insert(&mut self, file: Arc<FileModel>) {
        self.derived = Derived::default();
        self.files.insert(file.path.clone(), file);
    }

    pub fn remove(&mut self, path: &str) -> Option<Arc<FileModel>> {
        self.derived = Derived::default();
        self.files.remove(path)
    }

    /// The verbs, upper-cased, of the endpoints whose `api_group` is `group`.
    pub fn group_verbs(&self, group: &str) -> &[String] {
        let by_group = self.derived.group_verbs.get_or_init(|| {
            let mut by_group: HashMap<String, Vec<String>> = HashMap::new();
            for file in self.files.values() {
                for object in file
                    .model
                    .objects
                    .iter()
                    .filter(|o| o.kind.value == "query")
                {
                    let Some(name) = endpoint::api_group(object) else {
                        continue;
                    };
                    let Some(verb) = endpoint::written_verb(object).map(str::to_ascii_uppercase)
                    else {
                        continue;
                    };
                    let verbs = by_group.entry(name.to_string()).or_default();
                    if !verbs.contains(&verb) {
                        verbs.push(verb);
                    }
                }
            }
            by_group
        });
        by_group.get(group).map_or(&[], Vec::as_slice)
    }

    pub fn file(&self, path: &str) -> Option<&Arc<FileModel>> {
        self.files.get(path)
    }

    pub fn files(&self) -> impl Iterator<Item = &Arc<FileModel>> {
        self.files.values()
    }

    /// Rebuilds the by-name maps from the files.
    pub fn reindex(&mut self) {
        self.tables.clear();
        self.functions.clear();
        self.addons.clear();
        self.middleware.clear();
        self.api_groups.clear();
        let mut paths: Vec<&String> = self.files.keys().collect();
        // The first definition in path order wins, so results do not depend on hash order.
        paths.sort();
        for path in paths {
            let file = &self.files[path];
            for (index, object) in file.model.objects.iter().enumerate() {
                let Some(name) = &object.name else { continue };
                let object_ref = ObjectRef {
                    file: file.clone(),
                    index,
                };
                let key = name.value.clone();
                match object.kind.value.as_str() {
                    "table" => {
                        let info = table_info(&key, object_ref, &self.config);
                        self.tables.entry(key.to_ascii_lowercase()).or_insert(info);
                    }
                    "function" => {
                        self.functions.entry(key).or_insert(object_ref);
                    }
                    "addon" => {
                        self.addons.entry(key).or_insert(object_ref);
                    }
                    "middleware" => {
                        self.middleware.entry(key).or_insert(object_ref);
                    }
                    "api_group" => {
                        let active = api_group::active(object);
                        self.api_groups.entry(key.clone()).or_insert(ApiGroupInfo {
                            name: key,
                            active,
                            object: object_ref,
                        });
                    }
                    _ => {}
                }
            }
        }
        // Tables named in the configuration are auth tables whatever their files say.
        for name in &self.config.auth_tables {
            if let Some(t) = self.tables.get_mut(&name.to_ascii_lowercase()) {
                t.is_auth = true;
            }
        }
        self.auth_names = if self.config.auth_tables.is_empty() {
            let mut names: Vec<String> = self
                .tables
                .values()
                .filter(|t| t.is_auth)
                .map(|t| t.name.clone())
                .collect();
            names.sort();
            names
        } else {
            self.config.auth_tables.clone()
        };
        self.owner_names = owner_names(&self.config.owner_fields, &self.auth_names);
        self.sensitive_phrases = sensitivity::phrases(&self.config);
        let owners: Vec<(String, Option<usize>)> = self
            .tables
            .iter()
            .map(|(key, t)| {
                let owner = t
                    .columns
                    .iter()
                    .position(|c| self.is_owner_name(&c.name) && !self.is_tenant_pointer(c));
                (key.clone(), owner)
            })
            .collect();
        for (key, owner) in owners {
            if let Some(t) = self.tables.get_mut(&key) {
                t.owner = owner;
            }
        }
        self.field_kinds.clear();
    }

    /// Entries of the settings file that name tables or columns no table of the workspace
    /// has: most likely typos, which would otherwise silently change nothing.
    pub fn config_warnings(&self) -> Vec<config::ConfigError> {
        let Some(path) = &self.config.source else {
            return Vec::new();
        };
        if !self.has_tables() {
            return Vec::new();
        }
        let warning = |position: Option<&(usize, usize)>, message: String| config::ConfigError {
            path: path.clone(),
            position: position.copied(),
            message,
        };
        let mut warnings = Vec::new();
        let table_names: Vec<&str> = self.tables.values().map(|t| t.name.as_str()).collect();
        for (i, name) in self.config.auth_tables.iter().enumerate() {
            if self.table(name).is_none() {
                warnings.push(warning(
                    self.config.positions.auth_tables.get(i),
                    format!(
                        "`auth-tables` names `{name}`, which no table of the workspace defines{}",
                        did_you_mean(name, &table_names)
                    ),
                ));
            }
        }
        let mut columns: Vec<&str> = self
            .tables
            .values()
            .flat_map(|t| t.columns.iter().map(|c| c.name.as_str()))
            .collect();
        columns.sort_unstable();
        columns.dedup();
        // Only the names written in the file: the defaults need not all be used.
        for (field, position) in self
            .config
            .owner_fields
            .iter()
            .zip(&self.config.positions.owner_fields)
        {
            let lower = field.to_ascii_lowercase();
            let stem = lower.strip_suffix("_id").unwrap_or(&lower);
            let used = columns.iter().any(|c| {
                let c = c.to_ascii_lowercase();
                c == lower
                    || c == stem
                    || c.strip_prefix(stem)
                        .is_some_and(|rest| rest == "_user_id" || rest == "_id")
            });
            if !used {
                warnings.push(warning(
                    Some(position),
                    format!(
                        "`owner-fields` names `{field}`, which no table of the workspace has as a column{}",
                        did_you_mean(field, &columns)
                    ),
                ));
            }
        }
        warnings
    }

    /// Whether any table definition is known (else rules must not assume a table's schema).
    pub fn has_tables(&self) -> bool {
        !self.tables.is_empty()
    }

    /// A table by name (names are compared case-insensitively, as Xano does).
    pub fn table(&self, name: &str) -> Option<&TableInfo> {
        self.tables.get(&name.to_ascii_lowercase())
    }

    pub fn tables(&self) -> impl Iterator<Item = &TableInfo> {
        self.tables.values()
    }

    pub fn function(&self, name: &str) -> Option<&ObjectRef> {
        self.functions.get(name)
    }

    pub fn addon(&self, name: &str) -> Option<&ObjectRef> {
        self.addons.get(name)
    }

    pub fn middleware(&self, name: &str) -> Option<&ObjectRef> {
        self.middleware.get(name)
    }

    pub fn api_group(&self, name: &str) -> Option<&ApiGroupInfo> {
        self.api_groups.get(name)
    }

    /// Whether an endpoint is switched off by its api group (`active = false`).
    pub fn in_inactive_group(&self, endpoint: &Object) -> bool {
        endpoint::api_group(endpoint)
            .and_then(|g| self.api_group(g))
            .is_some_and(|g| !g.active)
    }

    /// Names of the auth tables: the configured ones, else those with `auth = true`.
    pub fn auth_tables(&self) -> Vec<String> {
        self.auth_names.clone()
    }

    /// Whether `name` is an auth table; without table definitions any name is accepted.
    pub fn is_auth_table(&self, name: &str) -> bool {
        match self.table(name) {
            Some(t) => t.is_auth,
            None => self
                .config
                .auth_tables
                .iter()
                .any(|a| a.eq_ignore_ascii_case(name)),
        }
    }

    /// The owner field of a table: the first column named like an owner field (the catalogue's
    /// names, optionally followed by `_user_id`/`_id`, or `<auth table>_id`). `None` for tables
    /// without one and for unknown tables.
    pub fn owner_field(&self, table: &str) -> Option<&ColumnInfo> {
        let info = self.table(table)?;
        info.columns.get(info.owner?)
    }

    /// Whether an owner-named column points at a table of the workspace that is not an auth
    /// table (`account_id` referencing an `account` table): a tenant, not the caller, so it is
    /// not compared with `$auth.id`. A column without a `table` reference is a tenant pointer
    /// when its first word names such a table (`account_id` beside an `account` table).
    fn is_tenant_pointer(&self, column: &ColumnInfo) -> bool {
        let target = match column.references.as_deref().filter(|r| !r.is_empty()) {
            Some(r) => r.to_string(),
            None => {
                let lower = column.name.to_ascii_lowercase();
                lower.split('_').next().unwrap_or("").to_string()
            }
        };
        self.table(&target).is_some_and(|t| !t.is_auth)
    }

    /// Whether a column name is an owner-field name.
    pub fn is_owner_name(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        self.owner_names.iter().any(|(stem, base)| {
            name == *base
                || name == *stem
                || name
                    .strip_prefix(stem.as_str())
                    .is_some_and(|rest| rest == "_user_id" || rest == "_id")
        })
    }

    /// A user-owned table: an auth table, or a table with an owner field.
    pub fn is_user_owned(&self, table: &str) -> bool {
        self.table(table).is_some_and(|t| t.is_auth) || self.owner_field(table).is_some()
    }

    /// The configured sensitive names, split into words.
    pub fn sensitive_phrases(&self) -> &[sensitivity::Phrase] {
        &self.sensitive_phrases
    }

    /// Whether a field name marks a credential or regulated personal data (whole snake_case words).
    pub fn is_sensitive_name(&self, name: &str) -> bool {
        self.config
            .sensitive_names
            .iter()
            .any(|s| has_word(name, s))
    }

    /// The sensitive columns of a table: flagged, of type `password`, or named like a secret.
    pub fn sensitive_columns(&self, table: &str) -> Vec<&ColumnInfo> {
        let Some(info) = self.table(table) else {
            return Vec::new();
        };
        info.columns
            .iter()
            .filter(|c| {
                c.flagged_sensitive || c.ty == "password" || self.is_sensitive_name(&c.name)
            })
            .collect()
    }

    /// Columns holding personal data (XS204's names) or flagged sensitive.
    pub fn personal_columns(&self, table: &str) -> Vec<&ColumnInfo> {
        let Some(info) = self.table(table) else {
            return Vec::new();
        };
        info.columns
            .iter()
            .filter(|c| c.flagged_sensitive || is_personal_name(&c.name) || c.ty == "email")
            .collect()
    }
}

/// `" (did you mean `x`?)"` for the known name nearest to `name`, when one is close enough to be
/// a typo of it; else nothing.
pub fn did_you_mean(name: &str, known: &[&str]) -> String {
    let lower = name.to_ascii_lowercase();
    known
        .iter()
        .map(|k| {
            (
                strsim::damerau_levenshtein(&lower, &k.to_ascii_lowercase()),
                *k,
            )
        })
        .filter(|(distance, k)| *distance <= (k.len().max(name.len()) / 3).max(1))
        .min()
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

/// The owner-field names as (stem, full name) pairs: the configured ones and `<auth table>_id`.
fn owner_names(owner_fields: &[String], auth_tables: &[String]) -> Vec<(String, String)> {
    owner_fields
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .chain(
            auth_tables
                .iter()
                .map(|t| format!("{}_id", t.to_ascii_lowercase())),
        )
        .map(|base| {
            let stem = base.strip_suffix("_id").unwrap_or(&base).to_string();
            (stem, base)
        })
        .collect()
}

/// Names of personal data: email, phone, mobile, address, birth, first/last/full name.
pub fn is_personal_name(name: &str) -> bool {
    let words = snake_words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    let joined = words.join("_");
    // `email_template` and `address_book_id` are not personal data themselves.
    let compound_noise = [
        "template", "verified", "sent", "count", "type", "id", "enabled", "status",
    ];
    let noisy = words.len() > 1
        && words
            .last()
            .is_some_and(|l| compound_noise.contains(&l.as_str()));
    if noisy {
        return false;
    }
    has("email")
        || has("phone")
        || has("mobile")
        || has("address")
        || has("birth")
        || joined.contains("first_name")
        || joined.contains("last_name")
        || joined.contains("full_name")
        || joined == "dob"
        || joined.contains("date_of_birth")
}

fn table_info(name: &str, object: ObjectRef, config: &Config) -> TableInfo {
    let obj = object.object();
    let is_auth = obj
        .attribute("auth")
        .and_then(|a| a.value.as_bool())
        .unwrap_or(false)
        || config
            .auth_tables
            .iter()
            .any(|a| a.eq_ignore_ascii_case(name));
    let columns = obj
        .fields("schema")
        .map(|schema| {
            schema
                .fields
                .iter()
                .filter_map(|f| {
                    let name = f.name.as_ref()?.value.clone();
                    Some(ColumnInfo {
                        name,
                        ty: f.ty.value.to_ascii_lowercase(),
                        flagged_sensitive: f
                            .attribute("sensitive")
                            .and_then(|a| a.value.as_bool())
                            .unwrap_or(false),
                        references: f
                            .attribute("table")
                            .and_then(|a| a.value.string_value().map(str::to_string)),
                        span: f.span.clone(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    TableInfo {
        name: name.to_string(),
        is_auth,
        columns,
        object,
        owner: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        let mut ws = Workspace::new(Config::default());
        for (path, text) in files {
            ws.insert(Arc::new(FileModel::parse(*path, text)));
        }
        ws.reindex();
        ws
    }

    const USER: &str = "table user {\n  auth = true\n  schema {\n    int id\n    email email\n    password password\n    text api_key? {\n      sensitive = true\n    }\n  }\n}\n";
    const POST: &str = "table post {\n  schema {\n    int id\n    int created_by_user_id? {\n      table = \"user\"\n    }\n    int changed_by_user_id?\n    text title\n  }\n}\n";

    #[test]
    fn indexes_tables_owner_and_sensitive_fields() {
        let ws = ws(&[("tables/user.xs", USER), ("tables/post.xs", POST)]);
        assert!(ws.has_tables());
        assert_eq!(ws.auth_tables(), ["user"]);
        assert!(ws.is_auth_table("USER"));
        assert_eq!(
            ws.owner_field("post").map(|c| c.name.as_str()),
            Some("created_by_user_id")
        );
        assert!(ws.is_user_owned("post") && ws.is_user_owned("user"));
        let sensitive: Vec<_> = ws
            .sensitive_columns("user")
            .iter()
            .map(|c| c.name.clone())
            .collect();
        assert_eq!(sensitive, ["password", "api_key"]);
        let personal: Vec<_> = ws
            .personal_columns("user")
            .iter()
            .map(|c| c.name.clone())
            .collect();
        assert_eq!(personal, ["email", "api_key"]);
        assert_eq!(
            ws.table("post").unwrap().columns[1].references.as_deref(),
            Some("user")
        );
    }

    #[test]
    fn tenant_pointers_are_not_owner_fields() {
        const ACCOUNT: &str = "table account {\n  schema {\n    int id\n  }\n}\n";
        const SITE: &str = "table site {\n  schema {\n    int id\n    int account_id {\n      table = \"account\"\n    }\n  }\n}\n";
        const VISIT: &str = "table visit {\n  schema {\n    int id\n    int account_id\n    int user_id {\n      table = \"user\"\n    }\n  }\n}\n";
        let ws = ws(&[
            ("tables/user.xs", USER),
            ("tables/account.xs", ACCOUNT),
            ("tables/site.xs", SITE),
            ("tables/visit.xs", VISIT),
        ]);
        assert!(!ws.is_user_owned("site"));
        assert_eq!(
            ws.owner_field("visit").map(|c| c.name.as_str()),
            Some("user_id")
        );
    }

    #[test]
    fn actor_fields_are_not_owner_fields() {
        let ws = ws(&[(
            "t.xs",
            "table audit {\n  schema {\n    int id\n    int changed_by_user_id\n  }\n}\n",
        )]);
        assert!(ws.owner_field("audit").is_none());
        assert!(!ws.is_user_owned("audit"));
    }

    #[test]
    fn settings_that_name_nothing_are_warned_about() {
        let mut config = Config::parse(
            "auth-tables = [\"usr\"]\nowner-fields = [\"created_by\", \"ownr_id\"]\n",
            |_| true,
        )
        .unwrap();
        config.source = Some("xsguard.toml".into());
        let mut ws = Workspace::new(config);
        ws.insert(Arc::new(FileModel::parse("tables/user.xs", USER)));
        ws.insert(Arc::new(FileModel::parse("tables/post.xs", POST)));
        ws.reindex();
        let warnings: Vec<String> = ws
            .config_warnings()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].starts_with("xsguard.toml:1:17: `auth-tables` names `usr`")
                && warnings[0].ends_with("(did you mean `user`?)"),
            "{warnings:?}"
        );
        assert!(warnings[1].contains("`ownr_id`"), "{warnings:?}");
        assert_eq!(did_you_mean("zzzz", &["user"]), "");
    }

    #[test]
    fn personal_names_are_whole_words() {
        assert!(
            is_personal_name("email")
                && is_personal_name("phone_number")
                && is_personal_name("first_name")
        );
        assert!(!is_personal_name("email_template") && !is_personal_name("emailed"));
    }
}
