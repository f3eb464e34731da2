//! Name matching by whole snake_case words, as the catalogue asks: `api_key` matches `key`-based
//! lists only as `api_key`, and `email_template` is not `email`.

/// The lowercase words of a name: split at `_`, `-`, `.`, spaces and camelCase boundaries.
pub fn snake_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Whether the words of `phrase` (itself snake_case, e.g. `api_key`) occur consecutively in
/// the words of `name`.
pub fn has_word(name: &str, phrase: &str) -> bool {
    let words = snake_words(name);
    let phrase = snake_words(phrase);
    !phrase.is_empty() && words.windows(phrase.len()).any(|w| w == phrase.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_snake_and_camel_case() {
        assert_eq!(
            snake_words("created_by_user_id"),
            ["created", "by", "user", "id"]
        );
        assert_eq!(snake_words("apiKey"), ["api", "key"]);
        assert_eq!(snake_words("X-Hub-Signature"), ["x", "hub", "signature"]);
    }

    #[test]
    fn matches_whole_words_only() {
        assert!(has_word("stripe_api_key", "api_key"));
        assert!(has_word("user_password", "password"));
        assert!(!has_word("passwords_count", "password"));
        assert!(!has_word("email_template", "email_address"));
        assert!(!has_word("spinner", "pin"));
        assert!(has_word("pin", "pin"));
    }
}
