//! Which names and fields hold credentials or regulated personal data: the data classification
//! of the workspace's tables, under its configuration.

use crate::model::Field;
use crate::semantics::names::snake_words;

use super::{Config, Workspace, is_personal_name};
/// Birth dates: regulated personal data whatever the column type.
const BIRTH_NAMES: &[&str] = &["dob", "date_of_birth"];

/// Other spellings of a birth date, matched when a birth name is configured.
const BIRTH_ALIASES: &[&str] = &["birthdate", "birth_date", "birthday", "dateofbirth"];

/// Identity and payment numbers: `passport_id` is the passport number, not a reference.
const IDENTITY_NAMES: &[&str] = &[
    "ssn",
    "social_security",
    "tax_id",
    "passport",
    "credit_card",
    "card_number",
    "cvv",
    "cvc",
    "iban",
    "account_number",
    "routing_number",
];

/// Words that, after the sensitive word, make the field a fact *about* the secret rather than the
/// secret: `token_count`, `password_reset_expires_at`, `api_key_prefix`, `card_number_last4`.
const METADATA_WORDS: &[&str] = &[
    "count",
    "counts",
    "expires",
    "expire",
    "expiry",
    "expiration",
    "expired",
    "at",
    "on",
    "date",
    "time",
    "sent",
    "attempts",
    "attempt",
    "tries",
    "length",
    "type",
    "types",
    "status",
    "enabled",
    "required",
    "verified",
    "set",
    "changed",
    "updated",
    "created",
    "used",
    "limit",
    "usage",
    "name",
    "label",
    "description",
    "hint",
    "policy",
    "strength",
    "version",
    "prefix",
    "suffix",
    "last4",
    "last",
    "masked",
    "format",
    "min",
    "max",
    "url",
    "uri",
    "endpoint",
    "balance",
    "amount",
    "total",
    "budget",
    "price",
    "cost",
];

/// Column types that cannot hold a credential or an identity number.
const NON_HOLDER_TYPES: &[&str] = &[
    "bool",
    "timestamp",
    "date",
    "enum",
    "decimal",
    "vector",
    "geo_point",
    "geo_multipoint",
    "geo_linestring",
    "geo_multilinestring",
    "geo_polygon",
    "geo_multipolygon",
    "image",
    "video",
    "audio",
    "attachment",
    "file",
];

/// Why a field counts as sensitive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sensitivity {
    /// Declared with the `password` type.
    PasswordType,
    /// Named with one of the configured words (the word as configured).
    Name(String),
    /// Written with `sensitive = true`.
    Flagged,
}

impl Sensitivity {
    /// A short explanation for messages.
    pub fn describe(&self) -> String {
        match self {
            Sensitivity::PasswordType => "of type `password`".to_string(),
            Sensitivity::Name(word) if is_personal_word(word) => {
                format!("named like regulated personal data (`{word}`)")
            }
            Sensitivity::Name(word) => format!("named like a credential or secret (`{word}`)"),
            Sensitivity::Flagged => "marked `sensitive = true`".to_string(),
        }
    }
}

/// Whether a configured sensitive word names personal data (identity numbers, birth dates) rather
/// than a credential.
pub fn is_personal_word(word: &str) -> bool {
    let joined = snake_words(word).join("_");
    BIRTH_NAMES.contains(&joined.as_str())
        || BIRTH_ALIASES.contains(&joined.as_str())
        || IDENTITY_NAMES.contains(&joined.as_str())
}

/// The configured sensitive word that `name` carries, when a field of type `ty` with that name
/// holds a credential, a secret or regulated personal data. Words are matched whole in snake_case;
/// a word followed by a metadata word (`token_count`, `otp_expires_at`) or a type that cannot hold
/// the value (`bool`, `timestamp`, `enum`, ...) does not count. `ty` may be empty when unknown.
pub fn sensitive_word(ws: &Workspace, name: &str, ty: &str) -> Option<String> {
    let ty = ty.to_ascii_lowercase();
    if ty == "bool" {
        return None;
    }
    let words = snake_words(name);
    {
        let phrases = ws.sensitive_phrases();
        let mut best: Option<((usize, usize), &str)> = None;
        for phrase in phrases {
            let target = &phrase.words;
            if target.is_empty() || target.len() > words.len() {
                continue;
            }
            let (birth, identity) = (phrase.birth, phrase.identity);
            if NON_HOLDER_TYPES.contains(&ty.as_str()) {
                let allowed = (birth && matches!(ty.as_str(), "date" | "timestamp"))
                    || (identity && matches!(ty.as_str(), "image" | "file" | "attachment"));
                if !allowed {
                    continue;
                }
            }
            for start in 0..=words.len() - target.len() {
                if words[start..start + target.len()] != target[..] {
                    continue;
                }
                let end = start + target.len();
                let metadata = words[end..].iter().any(|w| {
                    METADATA_WORDS.contains(&w.as_str()) || (w == "id" && !identity && !birth)
                });
                // The last clean match names the field best: `password_reset_token` is a token.
                let rank = (end, target.len());
                if !metadata && best.as_ref().is_none_or(|(r, _)| rank > *r) {
                    best = Some((rank, phrase.text.as_str()));
                }
            }
        }
        best.map(|(_, phrase)| phrase.to_string())
    }
}

/// A configured sensitive name split into words once (the workspace keeps them: every column
/// of every table is matched against them).
#[derive(Debug)]
pub struct Phrase {
    text: String,
    words: Vec<String>,
    birth: bool,
    identity: bool,
}

/// The configured sensitive names as phrases, with the birth-date spellings when a birth date
/// name is configured.
pub fn phrases(config: &Config) -> Vec<Phrase> {
    let birth_configured = config
        .sensitive_names
        .iter()
        .any(|n| BIRTH_NAMES.contains(&snake_words(n).join("_").as_str()));
    let aliases = BIRTH_ALIASES
        .iter()
        .filter(|_| birth_configured)
        .map(|a| a.to_string());
    config
        .sensitive_names
        .iter()
        .cloned()
        .chain(aliases)
        .map(|text| {
            let words = snake_words(&text);
            let joined = words.join("_");
            Phrase {
                birth: BIRTH_NAMES.contains(&joined.as_str())
                    || BIRTH_ALIASES.contains(&joined.as_str()),
                identity: IDENTITY_NAMES.contains(&joined.as_str()),
                words,
                text,
            }
        })
        .collect()
}

/// Why a declared field (table column or input) is sensitive, ignoring any `sensitive = true` it
/// carries. Containers (`object` fields with a schema) are judged by their own fields.
pub fn field_sensitivity(ws: &Workspace, field: &Field) -> Option<Sensitivity> {
    let ty = field.ty.value.to_ascii_lowercase();
    if ty == "password" {
        return Some(Sensitivity::PasswordType);
    }
    if nested_schema(field).is_some() {
        return None;
    }
    let name = field.name.as_ref()?;
    sensitive_word(ws, &name.value, &ty).map(Sensitivity::Name)
}

/// Whether a field carries `sensitive = true`.
pub fn is_flagged(field: &Field) -> bool {
    field
        .attribute("sensitive")
        .and_then(|a| a.value.as_bool())
        .unwrap_or(false)
}

/// The nested `schema { }` of an `object` field.
pub fn nested_schema(field: &Field) -> Option<&crate::model::FieldList> {
    field.body.as_ref().and_then(|b| b.fields("schema"))
}

/// Xano leaves a column with `visibility = "internal"` out of every database response.
pub fn is_internal(field: &Field) -> bool {
    field
        .attribute("visibility")
        .and_then(|a| a.value.string_value())
        .is_some_and(|v| v.eq_ignore_ascii_case("internal"))
}

/// Which kind of data a response check looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataKind {
    /// Credentials, secrets, regulated numbers: XS201's names, `password` type, `sensitive = true`.
    Sensitive,
    /// Personal data: XS204's names, `email` type, `sensitive = true`.
    Personal,
}

/// A column (or a field nested in an object column) of a table that holds data of a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataField {
    /// `password`, or `magic_link.token` for a nested field.
    pub path: String,
    /// Declared with `visibility = "internal"` (or inside such an object): Xano leaves it out of
    /// a read's result unless the read's `output` names it.
    pub internal: bool,
}

impl DataField {
    /// Whether a read with these `output` lists returns the field at all.
    pub fn returned_by(&self, outputs: &[Vec<String>], paged: bool) -> bool {
        if !self.internal {
            return true;
        }
        !outputs.is_empty()
            && outputs.iter().all(|list| {
                list.iter().any(|entry| {
                    let entry = if paged {
                        entry.strip_prefix("items.").unwrap_or(entry)
                    } else {
                        entry.as_str()
                    };
                    entry == self.path || self.path.starts_with(&format!("{entry}."))
                })
            })
    }
}

/// The fields of `table` holding data of `kind` (also the `internal` ones, marked so). Empty for
/// unknown tables.
pub fn table_fields_of_kind(ws: &Workspace, table: &str, kind: DataKind) -> Vec<DataField> {
    let key = (table.to_ascii_lowercase(), kind);
    if let Some(hit) = ws.field_kinds.get(&key) {
        return hit.clone();
    }
    let fields = compute_fields_of_kind(ws, table, kind);
    ws.field_kinds.insert(key, fields.clone());
    fields
}

fn compute_fields_of_kind(ws: &Workspace, table: &str, kind: DataKind) -> Vec<DataField> {
    let Some(info) = ws.table(table) else {
        return Vec::new();
    };
    let object = info.object.object();
    let Some(schema) = object.fields("schema") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut weak = Vec::new();
    collect_kind(ws, &schema.fields, "", kind, false, &mut out, &mut weak, 0);
    // An address is a person's only in a table about people (`club.address` is a venue's).
    if kind == DataKind::Personal && (!out.is_empty() || info.is_auth || is_people_table(table)) {
        out.extend(weak);
    }
    out
}

/// Table names about people, whose addresses are personal data.
const PEOPLE_WORDS: &[&str] = &[
    "user",
    "customer",
    "member",
    "person",
    "people",
    "contact",
    "profile",
    "client",
    "patient",
    "employee",
    "staff",
    "student",
    "lead",
    "subscriber",
    "applicant",
    "candidate",
    "bidder",
    "player",
    "driver",
    "rider",
    "guest",
    "attendee",
    "participant",
    "tenant",
    "buyer",
    "seller",
    "volunteer",
    "parent",
    "child",
    "teacher",
    "author",
    "recipient",
    "shipping",
    "billing",
];

fn is_people_table(name: &str) -> bool {
    snake_words(name).iter().any(|w| {
        let stem = w.strip_suffix('s').unwrap_or(w);
        PEOPLE_WORDS.contains(&w.as_str()) || PEOPLE_WORDS.contains(&stem)
    })
}

/// `birthdate`, `birthday`: birth dates the shared personal-name list spells differently.
fn is_birth_alias(name: &str) -> bool {
    snake_words(name)
        .last()
        .is_some_and(|w| matches!(w.as_str(), "birthdate" | "birthday" | "dateofbirth"))
}

/// A personal-data name whose only personal word is `address`.
fn address_only(name: &str) -> bool {
    let words = snake_words(name);
    words.iter().any(|w| w == "address")
        && !words.iter().any(|w| {
            matches!(
                w.as_str(),
                "email" | "phone" | "mobile" | "birth" | "dob" | "first" | "last" | "full"
            )
        })
}

#[allow(clippy::too_many_arguments)]
fn collect_kind(
    ws: &Workspace,
    fields: &[Field],
    prefix: &str,
    kind: DataKind,
    parent_internal: bool,
    out: &mut Vec<DataField>,
    weak: &mut Vec<DataField>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    for field in fields {
        let Some(name) = &field.name else { continue };
        let internal = parent_internal || is_internal(field);
        let path = format!("{prefix}{}", name.value);
        let hit = is_flagged(field)
            || match kind {
                DataKind::Sensitive => field_sensitivity(ws, field).is_some(),
                DataKind::Personal => {
                    nested_schema(field).is_none()
                        && (is_personal_name(&name.value)
                            || is_birth_alias(&name.value)
                            || field.ty.value.eq_ignore_ascii_case("email"))
                }
            };
        if hit {
            let address = kind == DataKind::Personal
                && !is_flagged(field)
                && !field.ty.value.eq_ignore_ascii_case("email")
                && address_only(&name.value);
            if address {
                weak.push(DataField { path, internal });
            } else {
                out.push(DataField { path, internal });
            }
        } else if let Some(schema) = nested_schema(field) {
            collect_kind(
                ws,
                &schema.fields,
                &format!("{path}."),
                kind,
                internal,
                out,
                weak,
                depth + 1,
            );
        }
    }
}

/// The top-level column names of a table, in schema order, with nested object fields spelled
/// `object.field` when the object holds a field of `kind` (so an output list can keep the rest).
pub fn output_without(ws: &Workspace, table: &str, kind: DataKind) -> Option<Vec<String>> {
    let info = ws.table(table)?;
    let object = info.object.object();
    let schema = object.fields("schema")?;
    let hidden: Vec<String> = table_fields_of_kind(ws, table, kind)
        .into_iter()
        .filter(|f| !f.internal)
        .map(|f| f.path)
        .collect();
    let mut out = Vec::new();
    push_visible(&schema.fields, "", &hidden, &mut out, 0);
    Some(out)
}

fn push_visible(
    fields: &[Field],
    prefix: &str,
    hidden: &[String],
    out: &mut Vec<String>,
    depth: usize,
) {
    for field in fields {
        let Some(name) = &field.name else { continue };
        if is_internal(field) {
            continue;
        }
        let path = format!("{prefix}{}", name.value);
        if hidden.contains(&path) {
            continue;
        }
        let inner = format!("{path}.");
        let has_hidden_inside = hidden.iter().any(|h| h.starts_with(&inner));
        match nested_schema(field) {
            Some(schema) if has_hidden_inside && depth < 8 => {
                push_visible(&schema.fields, &inner, hidden, out, depth + 1)
            }
            _ => out.push(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(name: &str, ty: &str) -> Option<String> {
        sensitive_word(&Workspace::new(Config::default()), name, ty)
    }

    #[test]
    fn sensitive_names_are_whole_words_without_metadata() {
        assert_eq!(word("password", "text").as_deref(), Some("password"));
        assert_eq!(word("reset_token", "text").as_deref(), Some("token"));
        assert_eq!(word("stripe_api_key", "text").as_deref(), Some("api_key"));
        assert_eq!(
            word("password_reset_token", "text").as_deref(),
            Some("token")
        );
        assert_eq!(word("pin", "int").as_deref(), Some("pin"));
        assert_eq!(word("dob", "date").as_deref(), Some("dob"));
        assert_eq!(word("birthdate", "date").as_deref(), Some("birthdate"));
        assert!(word("birth_date_verified", "bool").is_none());
        assert_eq!(word("passport_id", "text").as_deref(), Some("passport"));
        assert!(word("token_count", "int").is_none());
        assert!(word("input_tokens", "int").is_none());
        assert!(word("password_reset_expires_at", "timestamp").is_none());
        assert!(word("otp_verified", "bool").is_none());
        assert!(word("pincode", "text").is_none());
        assert!(word("spinner", "text").is_none());
        assert!(word("token_type", "enum").is_none());
        assert!(word("api_key_prefix", "text").is_none());
        assert!(word("token_id", "int").is_none());
        assert!(word("secret", "bool").is_none());
        assert!(word("token_balance", "int").is_none());
        assert!(word("access_key_id", "text").is_none());
        assert_eq!(
            word("bank_account_number", "text").as_deref(),
            Some("account_number")
        );
    }
}
