//! Values that fixes write for the user to fill in, and where they still stand in a text.
//!
//! A fix that needs a value only its user knows (the front end's origin, the hosts a request
//! may call, why a suppression is safe) writes one of these instead. XS003 reports them until
//! they are replaced, so `fix --unsafe-fixes` followed by `check` cannot pass by itself.

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

/// The origin XS302's fix allows in place of `*`.
pub const ORIGIN: &str = "https://REPLACE-ME.example.com";
/// The host XS402's fix allows in place of a host taken from the request.
pub const HOST: &str = "REPLACE-ME.example.com";
/// An environment variable to name (`$env.REPLACE_ME`).
pub const ENV_VAR: &str = "REPLACE_ME";
/// The reason the editor writes into a suppression it adds; XS001 counts it as none.
pub const REASON: &str = "TODO: why this is safe";

/// What a placeholder stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placeholder {
    Origin,
    Host,
    EnvVar,
}

impl Placeholder {
    /// The placeholder as a fix writes it.
    pub fn text(self) -> &'static str {
        match self {
            Placeholder::Origin => ORIGIN,
            Placeholder::Host => HOST,
            Placeholder::EnvVar => "$env.REPLACE_ME",
        }
    }
}

/// Every placeholder in `text`, in order, with its byte range. An origin is one placeholder,
/// not an origin and the host inside it. `$env.REPLACE_ME` must end there: `$env.REPLACE_MENU`
/// is a real name. One pass over the text, as every file is searched.
pub fn find(text: &str) -> Vec<(Range<usize>, Placeholder)> {
    static SEARCH: OnceLock<AhoCorasick> = OnceLock::new();
    let env = Placeholder::EnvVar.text();
    let search = SEARCH.get_or_init(|| {
        AhoCorasick::new([HOST, env]).expect("two literal patterns build an automaton")
    });
    let mut out = Vec::new();
    for found in search.find_iter(text) {
        let (at, end) = (found.start(), found.end());
        if found.pattern().as_usize() == 0 {
            let origin_start = at.checked_sub("https://".len());
            match origin_start {
                Some(start) if text[start..].starts_with(ORIGIN) => {
                    out.push((start..start + ORIGIN.len(), Placeholder::Origin))
                }
                _ => out.push((at..end, Placeholder::Host)),
            }
        } else {
            let continues = text[end..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
            if !continues {
                out.push((at..end, Placeholder::EnvVar));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_hosts_and_env_vars_are_found_once_each() {
        let text =
            format!("a {ORIGIN} b {HOST} c $env.REPLACE_ME d $env.REPLACE_MENU e http://{HOST}");
        let found: Vec<_> = find(&text)
            .into_iter()
            .map(|(r, p)| (&text[r], p))
            .collect();
        assert_eq!(
            found,
            [
                (ORIGIN, Placeholder::Origin),
                (HOST, Placeholder::Host),
                ("$env.REPLACE_ME", Placeholder::EnvVar),
                (HOST, Placeholder::Host),
            ]
        );
        assert!(find("nothing to fill").is_empty());
    }
}
