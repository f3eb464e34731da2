//! The catalogue of Xano's filters, by what their result holds of the value they are applied
//! to. The rules ask per purpose: a count or a comparison carries none of a record into a
//! response or a log; a number, a flag or a digest cannot carry SQL or code; joining filters
//! carry their arguments along.

/// What a filter's result is, as far as the value it filters goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterResult {
    /// A count, a length or a position: `count`, `strlen`, `filter_count`, `index`.
    Measure,
    /// A yes or no about the value: type tests, comparisons, membership, matching, `to_bool`.
    Test,
    /// The value read as a number or a time: `to_int`, `to_decimal`, `to_timestamp`.
    Coercion,
    /// A number computed from the value: `add`, `round`, `abs`, `number_format`.
    Arithmetic,
    /// One number out of a list: `sum`, `avg`, `min`, `max`.
    Aggregate,
    /// A digest of fixed alphabet: `md5`, `sha256`, `hmac_sha256`.
    Digest,
    /// A new value unrelated to the one filtered: `uuid`.
    Fresh,
    /// The value with the arguments joined in: `concat`, `sprintf`, `merge`, `set`.
    Joins,
}

impl FilterResult {
    /// The result of filter `name`, or `None` for a filter whose result holds the value (or
    /// part of it) as it was: `trim`, `first`, `pick`, and every filter not listed.
    pub fn of(name: &str) -> Option<FilterResult> {
        use FilterResult::*;
        Some(match name {
            "count" | "strlen" | "filter_count" | "find_index" | "findIndex" | "index"
            | "iindex" => Measure,
            "is_empty"
            | "is_null"
            | "is_object"
            | "is_array"
            | "is_int"
            | "is_uuid"
            | "is_decimal"
            | "is_bool"
            | "is_text"
            | "to_bool"
            | "equals"
            | "not_equals"
            | "greater_than"
            | "greater_than_or_equal"
            | "less_than"
            | "less_than_or_equal"
            | "in"
            | "not"
            | "has"
            | "some"
            | "every"
            | "starts_with"
            | "istarts_with"
            | "ends_with"
            | "iends_with"
            | "contains"
            | "icontains"
            | "regex_matches"
            | "even"
            | "odd" => Test,
            "to_int" | "to_decimal" | "to_timestamp" | "to_ms" | "to_seconds" | "to_minutes"
            | "to_hours" | "to_days" => Coercion,
            "abs" | "round" | "floor" | "ceil" | "add" | "subtract" | "multiply" | "divide"
            | "modulus" | "number_format" | "pow" | "sqrt" | "exp" | "log" | "log10" | "ln" => {
                Arithmetic
            }
            "sum" | "avg" | "min" | "max" | "array_min" | "array_max" | "product" => Aggregate,
            "md5" | "sha1" | "sha256" | "sha384" | "sha512" | "hmac_md5" | "hmac_sha1"
            | "hmac_sha256" | "hmac_sha384" | "hmac_sha512" => Digest,
            "uuid" => Fresh,
            "concat"
            | "sprintf"
            | "replace"
            | "regex_replace"
            | "merge"
            | "merge_recursive"
            | "push"
            | "append"
            | "prepend"
            | "unshift"
            | "set"
            | "set_conditional"
            | "set_ifnotempty"
            | "set_ifnotnull"
            | "first_notnull"
            | "first_notempty"
            | "join"
            | "fill"
            | "fill_keys"
            | "url_addarg"
            | "datadog.metric"
            | "datadog.metric_bulk" => Joins,
            _ => return None,
        })
    }

    /// The result is a number, a flag, a digest or a fresh value: no text the caller chose
    /// survives it, so it cannot carry SQL, a URL or code.
    pub fn is_clean(self) -> bool {
        self != FilterResult::Joins
    }

    /// The result is about the value without being the value: a length, a flag, a digest or
    /// one number of a list. What rules about records reaching a response ask.
    pub fn drops_data(self) -> bool {
        matches!(
            self,
            FilterResult::Measure
                | FilterResult::Test
                | FilterResult::Aggregate
                | FilterResult::Digest
        )
    }

    /// The result is a length or a flag: nothing of a secret survives it, not even a digest to
    /// crack. What the logging rule asks.
    pub fn forgets_value(self) -> bool {
        matches!(self, FilterResult::Measure | FilterResult::Test)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purposes_nest_and_unknown_filters_keep_the_value() {
        for name in [
            "count", "is_null", "to_int", "add", "sum", "sha256", "uuid", "concat",
        ] {
            let r = FilterResult::of(name).unwrap();
            // What forgets the value drops its data, and what drops it is clean.
            assert!(!r.forgets_value() || r.drops_data(), "{name}");
            assert!(!r.drops_data() || r.is_clean(), "{name}");
        }
        assert!(!FilterResult::Joins.is_clean());
        // A coerced number is still the value: `$user.ssn|to_int` reveals the number.
        assert!(FilterResult::Coercion.is_clean() && !FilterResult::Coercion.drops_data());
        assert!(FilterResult::Digest.drops_data() && !FilterResult::Digest.forgets_value());
        for kept in ["trim", "first", "pick", "lower", "json_encode"] {
            assert_eq!(FilterResult::of(kept), None, "{kept}");
        }
    }
}
