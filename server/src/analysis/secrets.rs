//! Shared questions of the secrets rules (XS501–XS503): what a credential looks like (vendor
//! formats, entropy, placeholders, test values), which names hold credentials or passwords,
//! and one walk over every expression of a file that tells each expression the name it is
//! given to.

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use crate::model::{
    Argument, BinaryOp, Block, Expr, ExprKind, Field, Item, Object, PairKey, Segment, Statement,
};
use crate::semantics::names::snake_words;
use crate::semantics::statements::VarWrite;

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/// Last words that make a name a credential parameter on their own.
const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "authorization",
    "cookie",
    "credential",
    "credentials",
    "secretkey",
    "privatekey",
    "accesskey",
];

/// Words that turn a trailing `key` into a credential (`api_key`, `secret_key`, `private_key`).
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "secret",
    "private",
    "access",
    "auth",
    "signing",
    "encryption",
    "master",
    "admin",
    "service",
    "license",
    "hmac",
    "jwt",
    "consumer",
    "client",
    "webhook",
    "subscription",
    "account",
    "app",
];

/// Words before a trailing `token` that name something other than a credential.
const TOKEN_NOISE: &[&str] = &[
    "page",
    "next",
    "prev",
    "previous",
    "cursor",
    "continuation",
    "pagination",
    "sync",
    "max",
    "min",
    "input",
    "output",
    "total",
    "completion",
    "prompt",
    "reasoning",
];

/// Words that say a name is about a credential without holding one (`token_type`,
/// `public_key`, `password_hash`), or that a `key` is a lookup key.
const NOT_SECRET_WORDS: &[&str] = &[
    "public",
    "publishable",
    "pub",
    "site",
    "id",
    "ids",
    "name",
    "names",
    "url",
    "uri",
    "endpoint",
    "type",
    "count",
    "length",
    "expiry",
    "expires",
    "expiration",
    "ttl",
    "hash",
    "hashed",
    "prefix",
    "format",
    "field",
    "column",
    "label",
    "hint",
    "placeholder",
    "policy",
    "rule",
    "rules",
    "error",
    "message",
    "cache",
    "idempotency",
    "storage",
    "object",
    "file",
    "s3",
    "sort",
    "partition",
    "primary",
    "foreign",
    "unique",
    "lookup",
    "dedupe",
    "map",
    "translation",
    "i18n",
    "event",
    "redis",
    "path",
    "version",
    "mode",
    "enabled",
    "required",
    "reset",
    "set",
    "status",
    "sent",
    "used",
    "valid",
    "verified",
    "strength",
    "min",
    "max",
];

/// Whether `name` names a credential parameter: any literal given to it is a hard-coded
/// credential (`api_key`, `client_secret`, `password`, `access_token`, `Authorization`).
pub fn is_credential_name(name: &str) -> bool {
    if !may_hold_secret_word(name) {
        return false;
    }
    let words = snake_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if words.iter().any(|w| {
        matches!(
            w.as_str(),
            "public" | "publishable" | "pub" | "site" | "csrf" | "xsrf"
        )
    }) {
        return false;
    }
    let prev = words
        .len()
        .checked_sub(2)
        .map(|i| words[i].as_str())
        .unwrap_or("");
    match last.as_str() {
        "token" => !TOKEN_NOISE.contains(&prev),
        "key" => KEY_QUALIFIERS.contains(&prev),
        w => CREDENTIAL_WORDS.contains(&w),
    }
}

/// Whether `name` looks like it holds a secret without being a known credential parameter
/// (`jwt_secret_v2`, `stripe_key`, `signing_salt`): a high-entropy literal given to it is
/// reported.
pub fn is_secret_like_name(name: &str) -> bool {
    if !may_hold_secret_word(name) {
        return false;
    }
    let words = snake_words(name);
    if words.iter().any(|w| NOT_SECRET_WORDS.contains(&w.as_str())) {
        return false;
    }
    words
        .iter()
        .any(|w| SECRET_LIKE_WORDS.contains(&w.as_str()))
}

/// Words that make a name secret-like (see [`is_secret_like_name`]).
const SECRET_LIKE_WORDS: &[&str] = &[
    "secret",
    "secrets",
    "token",
    "password",
    "passwd",
    "pwd",
    "apikey",
    "credential",
    "credentials",
    "auth",
    "private",
    "salt",
    "pepper",
    "verifier",
    "hmac",
    "jwt",
    "bearer",
    "signing",
    "key",
    "privatekey",
    "secretkey",
    "accesskey",
];

/// Words that name a password (see [`is_password_name`]).
const PASSWORD_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pw",
    "passcode",
    "passphrase",
    "pin",
    "pass",
];

/// Whether `name` may hold one of the words that [`is_credential_name`],
/// [`is_secret_like_name`] and [`is_password_name`] look for. Every word is a piece of the
/// name, so a name without any of them as a piece (`first_name`, `status`) is none of these,
/// without splitting it into words. Names beyond ASCII are not ruled out: their lowercase
/// forms may differ in length.
fn may_hold_secret_word(name: &str) -> bool {
    static WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        let words = CREDENTIAL_WORDS
            .iter()
            .chain(SECRET_LIKE_WORDS)
            .chain(PASSWORD_WORDS)
            .chain(&["token", "key"]);
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(words)
            .expect("fixed patterns build")
    });
    !name.is_ascii() || WORDS.is_match(name)
}

/// Whether `name` names a password (`password`, `new_password`, `pwd`, `passcode`, `pin`,
/// `password_confirmation`), not something about one (`password_reset_token`, `password_hash`).
pub fn is_password_name(name: &str) -> bool {
    if !may_hold_secret_word(name) {
        return false;
    }
    let words = snake_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    let is_pw = |w: &str| PASSWORD_WORDS.contains(&w);
    if is_pw(last) {
        // `pass` and `pin` alone are ambiguous only as parts of other words, which snake
        // splitting already rules out.
        return true;
    }
    words.iter().any(|w| is_pw(w))
        && matches!(
            last.as_str(),
            "confirmation"
                | "confirm"
                | "plain"
                | "plaintext"
                | "raw"
                | "text"
                | "input"
                | "new"
                | "again"
                | "repeat"
                | "clear"
                | "cleartext"
                | "value"
        )
}

/// Whether `name` names an e-mail address.
pub fn is_email_name(name: &str) -> bool {
    let words = snake_words(name);
    words
        .last()
        .is_some_and(|w| matches!(w.as_str(), "email" | "mail" | "username" | "login"))
        || (words.len() >= 2
            && words[words.len() - 2] == "email"
            && words.last().is_some_and(|w| w == "address"))
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/// Whether a literal is a placeholder rather than a value: empty, a template or reference
/// (`{{ $env.X }}`, `%s`, `<token>`), a run of one character (`xxxx`, `****`), or marked as an
/// example (`YOUR_API_KEY`, `changeme`, `REPLACE_ME`).
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    // A variable written inside quotes (`"$input.password"`) or a template.
    if v.starts_with('$') {
        return true;
    }
    if ["{{", "{%", "${", "$env", "%s", "%(", "%d"]
        .iter()
        .any(|m| lower.contains(m))
    {
        return true;
    }
    let wrapped = |a: char, b: char| v.starts_with(a) && v.ends_with(b);
    if wrapped('<', '>') || wrapped('[', ']') || wrapped('{', '}') || wrapped('(', ')') {
        return true;
    }
    let mut chars = lower.chars();
    if let Some(first) = chars.next()
        && v.len() >= 2
        && chars.all(|c| c == first)
    {
        return true;
    }
    const MARKERS: &[&str] = &[
        "your_",
        "your-",
        "yourapi",
        "yourkey",
        "yoursecret",
        "yourtoken",
        "your ",
        "placeholder",
        "changeme",
        "change_me",
        "change-me",
        "replace",
        "example",
        "dummy",
        "sample",
        "redacted",
        "insert_",
        "insert-",
        "todo",
        "xxxx",
        "****",
        "...",
        "…",
        "<",
        ">",
        "fill_in",
        "fill-in",
        "goes_here",
        "goes-here",
        "_here",
        "-here",
    ];
    if MARKERS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    const WORDS: &[&str] = &[
        "null",
        "none",
        "nil",
        "undefined",
        "n/a",
        "na",
        "tbd",
        "test",
        "testing",
        "secret",
        "password",
        "token",
        "key",
        "apikey",
        "api_key",
        "api-key",
        "bearer",
        "basic",
        "string",
        "text",
        "value",
        "default",
        "hidden",
        "required",
        "optional",
        "true",
        "false",
        "foo",
        "bar",
        "baz",
        "abc",
        "masked",
        "sensitive",
        "access_token",
        "refresh_token",
        "client_secret",
        "secret_key",
        "private_key",
        "authorization",
        "auth",
        "env",
    ];
    WORDS.contains(&lower.as_str())
}

/// Passwords any attacker tries first, and the placeholders used as passwords.
pub fn is_weak_password(value: &str) -> bool {
    const WEAK: &[&str] = &[
        "password",
        "password1",
        "password12",
        "password123",
        "password1234",
        "passw0rd",
        "p@ssw0rd",
        "p@ssword",
        "pa55word",
        "pass",
        "pass123",
        "pass1234",
        "123",
        "1234",
        "12345",
        "123456",
        "1234567",
        "12345678",
        "123456789",
        "1234567890",
        "111111",
        "000000",
        "0000",
        "admin",
        "admin1",
        "admin12",
        "admin123",
        "admin1234",
        "administrator",
        "root",
        "toor",
        "test",
        "test1",
        "test12",
        "test123",
        "test1234",
        "testtest",
        "tester",
        "testing",
        "qwerty",
        "qwerty123",
        "letmein",
        "changeme",
        "welcome",
        "welcome1",
        "welcome123",
        "secret",
        "secret123",
        "default",
        "guest",
        "demo",
        "demo123",
        "abc123",
        "abcd1234",
        "iloveyou",
        "monkey",
        "dragon",
        "master",
        "user",
        "user123",
        "temp",
        "temp123",
        "temppassword",
    ];
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    // A variable or template written inside quotes is a bug, not a password anyone chose.
    let reference = v.starts_with('$') || v.contains("{{") || v.contains("%s");
    !lower.is_empty() && (WEAK.contains(&lower.as_str()) || is_placeholder(v) && !reference)
}

/// Whether `value` is an e-mail address of a test or default account: a reserved or
/// throw-away domain (`example.com`, `test.com`, `*.test`, `mailinator.com`), or a local part
/// such as `test`, `admin`, `demo` (`admin@admin.com`, `test1@acme.io`).
pub fn is_test_email(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    if local.is_empty()
        || !domain.contains('.') && domain != "localhost"
        || v.contains(' ')
        || domain.contains('@')
    {
        return false;
    }
    const DOMAINS: &[&str] = &[
        "test.com",
        "test.test",
        "example.com",
        "example.org",
        "example.net",
        "admin.com",
        "email.com",
        "domain.com",
        "foo.com",
        "bar.com",
        "fake.com",
        "mailinator.com",
        "yopmail.com",
        "localhost",
        "test.local",
        "test.io",
        "testing.com",
    ];
    const TLDS: &[&str] = &[".test", ".example", ".invalid", ".localhost", ".local"];
    if DOMAINS.contains(&domain) || TLDS.iter().any(|t| domain.ends_with(t)) {
        return true;
    }
    let base = local
        .split('+')
        .next()
        .unwrap_or(local)
        .trim_end_matches(|c: char| c.is_ascii_digit());
    matches!(
        base,
        "test"
            | "tester"
            | "testuser"
            | "test.user"
            | "test_user"
            | "testing"
            | "admin"
            | "administrator"
            | "root"
            | "demo"
            | "dummy"
            | "fake"
            | "qa"
            | "sample"
            | "guest"
            | "foo"
    )
}

/// Shannon entropy of `s` in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0usize; 256];
    let mut n = 0usize;
    for b in s.bytes() {
        counts[b as usize] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n as f64;
            -p * p.log2()
        })
        .sum()
}

/// Whether `s` is a UUID (`0b6c6f4e-1f2a-4c3b-8d9e-123456789abc`).
pub fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether `s` is only hexadecimal digits (a digest, an id, or a hex-encoded key).
pub fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `s` looks like a random machine-made secret: 16+ characters from a token alphabet,
/// letters mixed with digits, enough distinct characters and entropy; not a UUID, a URL, a
/// path, a file name, an e-mail address or snake_case words.
pub fn looks_random(s: &str) -> bool {
    let len = s.chars().count();
    if !(16..=512).contains(&len) {
        return false;
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+/=_-.~".contains(&b))
    {
        return false;
    }
    if is_uuid(s) || s.contains("://") || s.starts_with('/') || s.matches('/').count() >= 3 {
        return false;
    }
    let has_digit = s.bytes().any(|b| b.is_ascii_digit());
    let has_lower = s.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = s.bytes().any(|b| b.is_ascii_uppercase());
    let classes = [has_digit, has_lower, has_upper]
        .iter()
        .filter(|&&b| b)
        .count();
    if classes < 2 {
        return false;
    }
    // A dotted name (`com.acme.app.release`) or a file name (`report_2024_v2.pdf`).
    if s.contains('.') && !s.contains("..") {
        let parts: Vec<&str> = s.split('.').collect();
        if parts.len() >= 2
            && parts
                .iter()
                .all(|p| p.len() <= 12 && p.bytes().all(|b| !b.is_ascii_digit() || p.len() <= 4))
        {
            return false;
        }
    }
    // Words joined by separators (`Premium_Plan_2024_Annual`).
    let words: Vec<&str> = s.split(['_', '-', '.']).filter(|w| !w.is_empty()).collect();
    if words.len() >= 2
        && words.iter().all(|w| {
            w.bytes().all(|b| b.is_ascii_digit())
                || w.bytes().all(|b| b.is_ascii_lowercase())
                || (w.len() > 1
                    && w.as_bytes()[0].is_ascii_uppercase()
                    && w.bytes().skip(1).all(|b| b.is_ascii_lowercase()))
                || w.bytes().all(|b| b.is_ascii_uppercase())
        })
    {
        return false;
    }
    let distinct = {
        let mut seen = [false; 256];
        s.bytes()
            .filter(|&b| !std::mem::replace(&mut seen[b as usize], true))
            .count()
    };
    distinct >= 10 && entropy(s) >= 3.3
}

/// Whether a filter argument names an algorithm or an option rather than a key
/// (`"HS256"`, `"aes-256-cbc"`, `"A256KW"`, `"sha256"`, `true`, `3600`).
pub fn looks_like_algorithm(s: &str) -> bool {
    let l = s.trim().to_ascii_lowercase();
    if l.is_empty() || l.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let jose = |p: &str| {
        l.strip_prefix(p)
            .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()))
    };
    ["hs", "rs", "es", "ps"].iter().any(|p| jose(p))
        || l.len() <= 24
            && [
                "aes", "cbc", "gcm", "sha", "rsa", "ecdh", "kw", "dir", "none", "md5", "des",
                "chacha", "hex", "base64", "raw", "binary", "utf",
            ]
            .iter()
            .any(|m| l.contains(m))
}

// ---------------------------------------------------------------------------------------------
// Vendor formats
// ---------------------------------------------------------------------------------------------

/// A credential of a known vendor format found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownSecret {
    /// What it is, for messages: "Stripe live secret key".
    pub kind: &'static str,
    /// A fitting environment variable name: `STRIPE_SECRET_KEY`.
    pub env: &'static str,
    /// Where it is in the text.
    pub range: Range<usize>,
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn run(bytes: &[u8], from: usize, pred: impl Fn(u8) -> bool) -> usize {
    bytes[from.min(bytes.len())..]
        .iter()
        .take_while(|&&b| pred(b))
        .count()
}

/// The byte test of a token's body.
type Body = fn(u8) -> bool;

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn alnum_us(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Prefixed tokens: (prefix, minimum body length, body byte test, kind, env).
static PREFIXED: &[(&str, usize, Body, &str, &str)] = &[
    (
        "sk_live_",
        10,
        alnum,
        "Stripe live secret key",
        "STRIPE_SECRET_KEY",
    ),
    (
        "rk_live_",
        10,
        alnum,
        "Stripe restricted key",
        "STRIPE_RESTRICTED_KEY",
    ),
    (
        "whsec_",
        20,
        alnum,
        "Stripe webhook signing secret",
        "STRIPE_WEBHOOK_SECRET",
    ),
    ("ghp_", 30, alnum, "GitHub token", "GITHUB_TOKEN"),
    ("gho_", 30, alnum, "GitHub OAuth token", "GITHUB_TOKEN"),
    ("ghu_", 30, alnum, "GitHub token", "GITHUB_TOKEN"),
    ("ghs_", 30, alnum, "GitHub token", "GITHUB_TOKEN"),
    ("ghr_", 30, alnum, "GitHub refresh token", "GITHUB_TOKEN"),
    (
        "github_pat_",
        22,
        alnum_us,
        "GitHub personal access token",
        "GITHUB_TOKEN",
    ),
    ("xoxb-", 10, is_token_byte, "Slack bot token", "SLACK_TOKEN"),
    (
        "xoxp-",
        10,
        is_token_byte,
        "Slack user token",
        "SLACK_TOKEN",
    ),
    ("xoxa-", 10, is_token_byte, "Slack app token", "SLACK_TOKEN"),
    (
        "xoxr-",
        10,
        is_token_byte,
        "Slack refresh token",
        "SLACK_TOKEN",
    ),
    (
        "AIza",
        35,
        is_token_byte,
        "Google API key",
        "GOOGLE_API_KEY",
    ),
];

/// What every other format of [`known_secrets`] starts with or contains.
const MARKERS: &[&str] = &[
    "AKIA",
    "ASIA",
    "sk-",
    "SG.",
    "key-",
    "eyJ",
    "-----BEGIN ",
    "hooks.slack.com/services/",
    "discord.com/api/webhooks/",
    "discordapp.com/api/webhooks/",
];

/// Whether `text` has any prefix or marker of a vendor format: one pass over the text, where
/// searching for each in turn took one pass per format (most strings have none).
fn has_marker(text: &str) -> bool {
    static ANY: LazyLock<AhoCorasick> = LazyLock::new(|| {
        let patterns = PREFIXED.iter().map(|p| p.0).chain(MARKERS.iter().copied());
        AhoCorasick::new(patterns).expect("fixed patterns build")
    });
    ANY.is_match(text)
}

/// Every vendor-format credential in `text` (Stripe, AWS, GitHub, Slack, Google, OpenAI,
/// Anthropic, SendGrid, Mailgun, JWTs, PEM private keys, Slack and Discord webhook URLs), with
/// example values (`AKIAIOSFODNN7EXAMPLE`, `sk_live_xxxx`) left out.
pub fn known_secrets(text: &str) -> Vec<KnownSecret> {
    let bytes = text.as_bytes();
    let mut out: Vec<KnownSecret> = Vec::new();
    // The shortest format below (a Slack token) has 15 bytes; most strings are names.
    if text.len() < 15 || !has_marker(text) {
        return out;
    }
    let boundary_before = |at: usize| at == 0 || !is_token_byte(bytes[at - 1]);
    let push = |out: &mut Vec<KnownSecret>, kind, env, range: Range<usize>| {
        let value = &text[range.clone()];
        if is_placeholder(value)
            || out
                .iter()
                .any(|k| k.range.start < range.end && range.start < k.range.end)
        {
            return;
        }
        out.push(KnownSecret { kind, env, range });
    };

    for &(prefix, min, body, kind, env) in PREFIXED {
        let mut from = 0;
        while let Some(i) = text[from..].find(prefix) {
            let at = from + i;
            from = at + prefix.len();
            if !boundary_before(at) {
                continue;
            }
            let n = run(bytes, at + prefix.len(), body);
            if n >= min {
                push(&mut out, kind, env, at..at + prefix.len() + n);
            }
        }
    }

    // AWS access key ids: AKIA/ASIA and exactly 16 upper-case letters or digits.
    for prefix in ["AKIA", "ASIA"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(prefix) {
            let at = from + i;
            from = at + 4;
            let n = run(bytes, at + 4, |b| {
                b.is_ascii_uppercase() || b.is_ascii_digit()
            });
            let after = at + 4 + n;
            if boundary_before(at)
                && n == 16
                && (after >= bytes.len() || !is_token_byte(bytes[after]))
            {
                push(
                    &mut out,
                    "AWS access key ID",
                    "AWS_ACCESS_KEY_ID",
                    at..after,
                );
            }
        }
    }

    // OpenAI (`sk-`, `sk-proj-`) and Anthropic (`sk-ant-`) keys.
    let mut from = 0;
    while let Some(i) = text[from..].find("sk-") {
        let at = from + i;
        from = at + 3;
        if !boundary_before(at) {
            continue;
        }
        let n = run(bytes, at + 3, is_token_byte);
        let body = &text[at + 3..at + 3 + n];
        let digits = body.bytes().filter(u8::is_ascii_digit).count();
        let letters = body.bytes().filter(u8::is_ascii_alphabetic).count();
        if n >= 20 && digits >= 2 && letters >= 8 {
            let (kind, env) = if body.starts_with("ant-") {
                ("Anthropic API key", "ANTHROPIC_API_KEY")
            } else {
                ("OpenAI API key", "OPENAI_API_KEY")
            };
            push(&mut out, kind, env, at..at + 3 + n);
        }
    }

    // SendGrid: SG.<22>.<43>
    let mut from = 0;
    while let Some(i) = text[from..].find("SG.") {
        let at = from + i;
        from = at + 3;
        let a = run(bytes, at + 3, is_token_byte);
        if boundary_before(at) && a >= 16 && bytes.get(at + 3 + a) == Some(&b'.') {
            let b = run(bytes, at + 4 + a, is_token_byte);
            if b >= 30 {
                push(
                    &mut out,
                    "SendGrid API key",
                    "SENDGRID_API_KEY",
                    at..at + 4 + a + b,
                );
            }
        }
    }

    // Mailgun: key-<32 lower-case letters or digits>
    let mut from = 0;
    while let Some(i) = text[from..].find("key-") {
        let at = from + i;
        from = at + 4;
        let n = run(bytes, at + 4, |b| {
            b.is_ascii_lowercase() || b.is_ascii_digit()
        });
        let after = at + 4 + n;
        let body = &text[at + 4..after];
        if boundary_before(at)
            && n == 32
            && body.bytes().any(|b| b.is_ascii_digit())
            && (after >= bytes.len() || !is_token_byte(bytes[after]))
        {
            push(&mut out, "Mailgun API key", "MAILGUN_API_KEY", at..after);
        }
    }

    // JWTs: eyJ<header>.eyJ<payload>.<signature>
    let mut from = 0;
    while let Some(i) = text[from..].find("eyJ") {
        let at = from + i;
        from = at + 3;
        if !boundary_before(at) {
            continue;
        }
        let h = run(bytes, at, is_token_byte);
        if h < 10 || bytes.get(at + h) != Some(&b'.') {
            continue;
        }
        let p_at = at + h + 1;
        if !text[p_at..].starts_with("eyJ") {
            continue;
        }
        let p = run(bytes, p_at, is_token_byte);
        if p < 10 {
            continue;
        }
        let mut end = p_at + p;
        if bytes.get(end) == Some(&b'.') {
            end += 1 + run(bytes, end + 1, is_token_byte);
        }
        push(&mut out, "JSON Web Token", "API_JWT", at..end);
        from = end;
    }

    // PEM private keys, through their END line when there is one.
    let mut from = 0;
    while let Some(i) = text[from..].find("-----BEGIN ") {
        let at = from + i;
        from = at + 11;
        let Some(close) = text[at + 11..].find("-----") else {
            continue;
        };
        let label = &text[at + 11..at + 11 + close];
        if !label.ends_with("PRIVATE KEY") && !label.ends_with("PRIVATE KEY BLOCK") {
            continue;
        }
        let header_end = at + 11 + close + 5;
        let end_marker = format!("-----END {label}-----");
        let end = text[header_end..]
            .find(&end_marker)
            .map_or(header_end, |j| header_end + j + end_marker.len());
        push(&mut out, "private key", "PRIVATE_KEY", at..end);
        from = end;
    }

    // Incoming-webhook URLs whose path is the credential.
    for (marker, kind, env) in [
        (
            "hooks.slack.com/services/",
            "Slack webhook URL",
            "SLACK_WEBHOOK_URL",
        ),
        (
            "discord.com/api/webhooks/",
            "Discord webhook URL",
            "DISCORD_WEBHOOK_URL",
        ),
        (
            "discordapp.com/api/webhooks/",
            "Discord webhook URL",
            "DISCORD_WEBHOOK_URL",
        ),
    ] {
        let mut from = 0;
        while let Some(i) = text[from..].find(marker) {
            let at = from + i;
            from = at + marker.len();
            let n = run(bytes, from, |b| is_token_byte(b) || b == b'/');
            if n < 20 || !text[from..from + n].contains('/') {
                continue;
            }
            let start = ["https://", "http://"]
                .iter()
                .find(|s| text[..at].ends_with(*s))
                .map_or(at, |s| at - s.len());
            push(&mut out, kind, env, start..from + n);
        }
    }

    out.sort_by_key(|k| k.range.start);
    out
}

/// A password embedded in a URL (`postgres://app:S3cret@db.host/app`): its range in `text`.
pub fn url_passwords(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("://") {
        let start = from + i + 3;
        from = start;
        let rest = &text[start..];
        let authority_end = rest
            .find(|c: char| {
                c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"' || c == '\''
            })
            .unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let Some(at) = authority.rfind('@') else {
            continue;
        };
        let userinfo = &authority[..at];
        let Some(colon) = userinfo.find(':') else {
            continue;
        };
        let password = &userinfo[colon + 1..];
        let lower = password.to_ascii_lowercase();
        let named = ["password", "passwd", "pwd", "secret", "pass"]
            .iter()
            .any(|w| lower.contains(w) && lower.len() < w.len() + 10);
        if !password.is_empty()
            && !named
            && !is_placeholder(password)
            && !is_weak_password(password)
        {
            out.push(start + colon + 1..start + at);
        }
    }
    out
}

/// Credentials in a URL's query string (`?api_key=…`, `&access_token=…`, `&sig=…`): the
/// values' ranges in `text`.
pub fn url_query_credentials(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if !text.contains("://") && !text.starts_with('?') {
        return out;
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(j) = text[i..].find(['?', '&']) {
        let start = i + j + 1;
        i = start;
        let name_len = run(bytes, start, |b| {
            b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
        });
        if bytes.get(start + name_len) != Some(&b'=') {
            continue;
        }
        let name = &text[start..start + name_len];
        let lower = name.to_ascii_lowercase();
        if !(is_credential_name(name) || matches!(lower.as_str(), "key" | "sig" | "apikey")) {
            continue;
        }
        let v_start = start + name_len + 1;
        let v_len = run(bytes, v_start, |b| {
            b.is_ascii_alphanumeric() || b"-_.~%+/=".contains(&b)
        });
        let value = &text[v_start..v_start + v_len];
        if v_len >= 8 && !is_placeholder(value) && bytes.get(v_start + v_len) != Some(&b'{') {
            out.push(v_start..v_start + v_len);
        }
    }
    out
}

/// `Bearer <token>` with a long token (16+ characters) in `text`: the token's range.
pub fn bearer_tokens(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let starts = bytes
        .windows(7)
        .enumerate()
        .filter(|(_, w)| w.eq_ignore_ascii_case(b"bearer "))
        .map(|(at, _)| at);
    for at in starts {
        if at > 0 && bytes[at - 1].is_ascii_alphanumeric() {
            continue;
        }
        let start = at + 7 + run(bytes, at + 7, |b| b == b' ');
        let n = run(bytes, start, |b| {
            b.is_ascii_alphanumeric() || b"._~+/=-".contains(&b)
        });
        let tok = &text[start..start + n];
        if n >= 16
            && tok.bytes().any(|b| b.is_ascii_digit())
            && tok.bytes().any(|b| b.is_ascii_alphabetic())
            && !is_placeholder(tok)
            && !text[start + n..].starts_with(['{', '$', '%', '<'])
        {
            out.push(start..start + n);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------

/// An HTTP header written as one string: `"X-API-Key: abc"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderLine<'t> {
    pub name: &'t str,
    /// The scheme of an `Authorization` value (`Bearer`, `Basic`), if any.
    pub scheme: Option<&'t str>,
    /// The credential part of the value (after the scheme), as a range of the text.
    pub value: Range<usize>,
}

/// Parses `text` as `Name: value` when `Name` is a header that carries credentials
/// (`Authorization`, `Cookie`, `X-API-Key`, `X-Auth-Token`, ...).
pub fn credential_header(text: &str) -> Option<HeaderLine<'_>> {
    let lead = text.len() - text.trim_start().len();
    let rest = &text[lead..];
    let colon = rest.find(':')?;
    let name = &rest[..colon];
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        || !is_credential_header_name(name)
    {
        return None;
    }
    let mut start = lead + colon + 1;
    start += run(text.as_bytes(), start, |b| b == b' ' || b == b'\t');
    let end = text.trim_end().len().max(start);
    let (scheme, value) = split_scheme(text, start..end);
    Some(HeaderLine {
        name,
        scheme,
        value,
    })
}

/// Whether a header name carries credentials.
pub fn is_credential_header_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "authorization"
            | "proxy-authorization"
            | "cookie"
            | "x-api-key"
            | "api-key"
            | "apikey"
            | "x-apikey"
            | "x-auth-token"
            | "x-access-token"
            | "x-token"
            | "private-token"
            | "x-master-key"
            | "x-secret"
            | "x-client-secret"
            | "x-webhook-secret"
            | "x-hasura-admin-secret"
            | "x-functions-key"
            | "ocp-apim-subscription-key"
            | "x-goog-api-key"
    ) || {
        let words = snake_words(&lower);
        words.first().is_some_and(|w| w == "x") && is_credential_name(&lower)
            || is_credential_name(&lower) && !words.iter().any(|w| w == "csrf" || w == "xsrf")
            || vendor_key_header(&words)
    }
}

/// `X-<vendor>-Key` headers (`X-RapidAPI-Key`, `X-Mashape-Key`, `X-Algolia-API-Key`): an
/// extension header named for a key carries the caller's API key, unless it is one of the
/// keys that are not secrets (idempotency, cache, correlation...).
fn vendor_key_header(words: &[String]) -> bool {
    const NOT_SECRET: &[&str] = &[
        "idempotency",
        "cache",
        "request",
        "correlation",
        "dedup",
        "deduplication",
        "partition",
        "routing",
        "public",
        "publishable",
        "site",
        "websocket",
    ];
    words.len() >= 3
        && words.first().is_some_and(|w| w == "x")
        && words.last().is_some_and(|w| w == "key" || w == "apikey")
        && !words.iter().any(|w| NOT_SECRET.contains(&w.as_str()))
}

/// Splits an `Authorization`-style value into its scheme and credential:
/// `Bearer abc` → (`Bearer`, `abc`); a value without a space is all credential.
pub fn split_scheme(text: &str, value: Range<usize>) -> (Option<&str>, Range<usize>) {
    let v = &text[value.clone()];
    if let Some(space) = v.find(' ') {
        let word = &v[..space];
        if !word.is_empty()
            && word
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b'.' || b == b'-' || b == b'_')
        {
            let skip = space + run(v.as_bytes(), space, |b| b == b' ');
            return (Some(word), value.start + skip..value.end);
        }
    } else if v.len() < 12
        && matches!(
            v.to_ascii_lowercase().as_str(),
            "bearer" | "basic" | "token" | "bot" | "digest"
        )
    {
        return (Some(v), value.end..value.end);
    }
    (None, value)
}

// ---------------------------------------------------------------------------------------------
// Code (api.lambda JavaScript, expression literals)
// ---------------------------------------------------------------------------------------------

/// A string literal inside code, with the name it is given to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeString {
    /// The literal with its quotes, as a range of the code.
    pub literal: Range<usize>,
    /// The content between the quotes.
    pub content: Range<usize>,
    pub quote: char,
    /// `apiKey` of `const apiKey = "..."`, `secret` of `{secret: "..."}`, `Authorization` of
    /// `{"Authorization": "..."}` or `setHeader("Authorization", "...")`.
    pub key: Option<String>,
    /// The literal is compared (`==`, `===`) rather than assigned.
    pub compared: bool,
}

/// The string literals of `code` (JavaScript or XanoScript expression text) and the names
/// they are given to. Line and block comments are skipped.
pub fn code_strings(code: &str) -> Vec<CodeString> {
    let bytes = code.as_bytes();
    let mut out: Vec<CodeString> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            i += run(bytes, i, |c| c != b'\n');
            continue;
        }
        if b == b'/' && bytes.get(i + 1) == Some(&b'*') {
            i = code[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |j| i + 2 + j + 2);
            continue;
        }
        if !matches!(b, b'"' | b'\'' | b'`') {
            i += 1;
            continue;
        }
        // Find the closing quote; `"` and `'` strings end at a line break.
        let mut j = i + 1;
        let mut closed = false;
        while j < bytes.len() {
            match bytes[j] {
                b'\\' => j += 2,
                c if c == b => {
                    closed = true;
                    break;
                }
                b'\n' if b != b'`' => break,
                _ => j += 1,
            }
        }
        if !closed {
            i += 1;
            continue;
        }
        let (key, compared) = code_key(code, i, &out);
        out.push(CodeString {
            literal: i..j + 1,
            content: i + 1..j,
            quote: b as char,
            key,
            compared,
        });
        i = j + 1;
    }
    out
}

/// The name a code literal starting at `at` is given to: the identifier or quoted key before
/// `:`/`=`, the left side of `==`, or the first argument of a two-argument call.
fn code_key(code: &str, at: usize, before: &[CodeString]) -> (Option<String>, bool) {
    let bytes = code.as_bytes();
    let mut k = at;
    while k > 0 && matches!(bytes[k - 1], b' ' | b'\t') {
        k -= 1;
    }
    if k == 0 {
        return (None, false);
    }
    let op = bytes[k - 1];
    let mut compared = false;
    match op {
        b':' => {
            // `cond ? "a" : "b"` is not a key.
            k -= 1;
        }
        b'=' => {
            k -= 1;
            while k > 0 && matches!(bytes[k - 1], b'=' | b'!') {
                compared = true;
                k -= 1;
            }
            if k > 0
                && matches!(
                    bytes[k - 1],
                    b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'|' | b'&' | b'?'
                )
            {
                return (None, false);
            }
        }
        b',' => {
            // `setHeader("Authorization", "Bearer ...")`
            let Some(prev) = before.last() else {
                return (None, false);
            };
            let between = &code[prev.literal.end..k - 1];
            if !between.trim().is_empty() {
                return (None, false);
            }
            let open = code[..prev.literal.start].trim_end();
            if !open.ends_with('(') {
                return (None, false);
            }
            return (Some(code[prev.content.clone()].to_string()), false);
        }
        _ => return (None, false),
    }
    while k > 0 && matches!(bytes[k - 1], b' ' | b'\t') {
        k -= 1;
    }
    if k == 0 {
        return (None, compared);
    }
    // A quoted key: `"Authorization": ...` or `headers["x-api-key"] === ...`.
    let end = if bytes[k - 1] == b']' { k - 1 } else { k };
    if let Some(prev) = before.last()
        && prev.literal.end == end
    {
        if op == b':' && prev.compared {
            return (None, false);
        }
        return (Some(code[prev.content.clone()].to_string()), compared);
    }
    let start = code[..k]
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .map_or(0, |(p, c)| p + c.len_utf8());
    if start == k {
        return (None, compared);
    }
    let word = &code[start..k];
    if op == b':' && word.bytes().all(|b| b.is_ascii_digit()) {
        return (None, false);
    }
    (Some(word.trim_start_matches('$').to_string()), compared)
}

/// Words that say what a credential is without saying whose it is.
const GENERIC_WORDS: &[&str] = &[
    "api",
    "key",
    "apikey",
    "secret",
    "token",
    "password",
    "passwd",
    "pwd",
    "authorization",
    "auth",
    "access",
    "bearer",
    "private",
    "client",
    "cookie",
    "credentials",
    "credential",
    "basic",
    "x",
];

/// Whether a name says only what a credential is (`token`, `api_key`, `X-API-Key`), not
/// whose it is (`stripe_key`).
pub fn is_generic_name(name: &str) -> bool {
    snake_words(name)
        .iter()
        .all(|w| GENERIC_WORDS.contains(&w.as_str()))
}

/// The env variable name for a credential: upper snake case of `name` (`X-API-Key` →
/// `API_KEY`), prefixed by `hint` (a service, `UPLOADCARE`) when the name alone is generic.
pub fn env_name(name: &str, hint: Option<&str>) -> String {
    let mut words = snake_words(name);
    if words.len() > 1 && words[0] == "x" {
        words.remove(0);
    }
    words.retain(|w| !matches!(w.as_str(), "value" | "var" | "the"));
    let generic = words.iter().all(|w| GENERIC_WORDS.contains(&w.as_str()));
    if generic && words.first().is_some_and(|w| w == "authorization") {
        words = vec!["api".into(), "token".into()];
    }
    if words.is_empty() {
        words = vec!["secret".into()];
    }
    let mut out: Vec<String> = Vec::new();
    if generic && let Some(h) = hint {
        let h = snake_words(h);
        if !h.is_empty() && h != words[..h.len().min(words.len())] {
            out.extend(h);
        }
    }
    out.extend(words);
    let mut name = out.join("_").to_ascii_uppercase();
    name.retain(|c| c.is_ascii_alphanumeric() || c == '_');
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "SECRET_");
    }
    name
}

/// The service named by a URL's host (`https://api.uploadcare.com/x` → `uploadcare`).
pub fn url_service(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest
        .split(['/', '?', '#', ':'])
        .next()?
        .rsplit('@')
        .next()?
        .to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    if labels.len() < 2 {
        return None;
    }
    let mut i = labels.len() - 2;
    if i > 0 && matches!(labels[i], "co" | "com" | "net" | "org" | "gov" | "ac") {
        i -= 1;
    }
    let label = labels[i];
    (label
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.is_empty())
    .then(|| label.to_string())
}

/// A shortened value for messages: enough to recognise it, not enough to use it.
pub fn redact(value: &str, keep: usize) -> String {
    let n = value.chars().count();
    let keep = keep.min(n / 2).max(1.min(n));
    let shown: String = value.chars().take(keep).collect();
    if n > keep {
        format!("{shown}…")
    } else {
        shown
    }
}

// ---------------------------------------------------------------------------------------------
// The walk
// ---------------------------------------------------------------------------------------------

/// Where an expression sits: its object, statement, and the name it is given to.
#[derive(Debug, Clone)]
pub struct Place<'a> {
    pub object: &'a Object,
    /// The innermost statement around the expression.
    pub statement: Option<&'a Statement>,
    /// The attribute (of the statement or object) that holds the expression.
    pub attribute: Option<&'a str>,
    /// The innermost name the expression is given to: the attribute, the object key, the
    /// field, or the variable of `var $x { value = ... }`.
    pub key: Option<&'a str>,
    /// Inside a `test` clause, a `mock` value or a `workflow_test` object.
    pub in_test: bool,
    /// Inside a disabled (`!`) statement.
    pub in_disabled: bool,
    /// The expression is an argument of a filter.
    pub filter_arg: Option<FilterArg<'a>>,
    /// The other side of a comparison the expression is part of.
    pub compared_with: Option<&'a Expr>,
    /// The left side of a `~` concatenation whose right side is the expression.
    pub concat_left: Option<&'a Expr>,
    /// The expression is code: `api.lambda`'s `code` or a `lambda*` filter's argument.
    pub code: bool,
    /// The expression is the default value of an input or schema field.
    pub field_default: bool,
}

/// A filter argument: which filter, which position, applied to what.
#[derive(Debug, Clone, Copy)]
pub struct FilterArg<'a> {
    pub filter: &'a str,
    pub index: usize,
    /// The value the filter chain starts from.
    pub base: &'a Expr,
    /// The name the filtered value is given to.
    pub owner_key: Option<&'a str>,
    /// All the filter's arguments.
    pub args: &'a [Expr],
}

enum Work<'a> {
    Block(&'a Block),
    Fields(&'a [Field]),
    Expr(&'a Expr),
}

/// Calls `visit` on every expression of `objects` (attributes, statement arguments and bodies,
/// field defaults and filters, header attributes, nested values), parents before children, in
/// source order, with the scope of each. Disabled statements and test blocks are visited too:
/// the scope says so. Iterative, so deep files cannot overflow the stack.
pub fn walk<'a>(
    objects: impl IntoIterator<Item = &'a Object>,
    mut visit: impl FnMut(&'a Expr, &Place<'a>),
) {
    for object in objects {
        walk_object(object, &mut visit);
    }
}

/// [`walk`] over one object.
pub fn walk_object<'a>(object: &'a Object, visit: &mut impl FnMut(&'a Expr, &Place<'a>)) {
    let root = Place {
        object,
        statement: None,
        attribute: None,
        key: None,
        in_test: object.kind.value == "workflow_test",
        in_disabled: false,
        filter_arg: None,
        compared_with: None,
        concat_left: None,
        code: false,
        field_default: false,
    };
    let mut stack: Vec<(Work<'a>, Place<'a>)> = vec![(Work::Block(&object.body), root.clone())];
    for a in object.header.iter().rev() {
        let mut s = root.clone();
        s.attribute = Some(&a.key.value);
        s.key = Some(&a.key.value);
        stack.push((Work::Expr(&a.value), s));
    }
    while let Some((work, scope)) = stack.pop() {
        match work {
            Work::Block(block) => push_block(&mut stack, block, &scope),
            Work::Fields(fields) => {
                for f in fields.iter().rev() {
                    push_field(&mut stack, f, &scope);
                }
            }
            Work::Expr(expr) => {
                visit(expr, &scope);
                push_children(&mut stack, expr, &scope);
            }
        }
    }
}

fn child_scope<'a>(scope: &Place<'a>) -> Place<'a> {
    Place {
        filter_arg: None,
        compared_with: None,
        concat_left: None,
        ..scope.clone()
    }
}

fn push_block<'a>(stack: &mut Vec<(Work<'a>, Place<'a>)>, block: &'a Block, scope: &Place<'a>) {
    for item in block.items.iter().rev() {
        match item {
            Item::Attribute(a) => {
                let mut s = child_scope(scope);
                s.attribute = Some(&a.key.value);
                s.key = Some(&a.key.value);
                if a.key.value == "mock" {
                    s.in_test = true;
                }
                if let Some(stmt) = scope.statement {
                    let name = stmt.name.value.as_str();
                    if a.key.value == "value"
                        && VarWrite::of(name).is_some_and(VarWrite::replaces)
                        && let Some(target) = stmt.first_expr().and_then(Expr::as_var)
                    {
                        s.key = Some(crate::analysis::flow::target_name(target));
                    }
                    if a.key.value == "code" && name == "api.lambda" {
                        s.code = true;
                    }
                }
                stack.push((Work::Expr(&a.value), s));
            }
            Item::Statement(st) => {
                let mut s = child_scope(scope);
                s.statement = Some(st);
                s.attribute = None;
                s.key = None;
                s.code = false;
                s.in_disabled |= st.disabled;
                s.in_test |= st.name.value == "test";
                if let Some(body) = &st.body {
                    stack.push((Work::Block(body), s.clone()));
                }
                for f in st.alias_filters.iter().rev() {
                    push_filter_args(stack, f, None, &s);
                }
                for arg in st.arguments.iter().rev() {
                    match arg {
                        Argument::Expr(e) => stack.push((Work::Expr(e), s.clone())),
                        Argument::Attribute(a) => {
                            let mut sa = s.clone();
                            sa.attribute = Some(&a.key.value);
                            sa.key = Some(&a.key.value);
                            stack.push((Work::Expr(&a.value), sa));
                        }
                        Argument::Name(_) | Argument::String(_) => {}
                    }
                }
            }
            Item::Fields(list) => stack.push((Work::Fields(&list.fields), child_scope(scope))),
        }
    }
}

fn push_field<'a>(stack: &mut Vec<(Work<'a>, Place<'a>)>, field: &'a Field, scope: &Place<'a>) {
    let mut s = child_scope(scope);
    s.key = field.name.as_ref().map(|n| n.value.as_str());
    s.attribute = s.key;
    if let Some(body) = &field.body {
        let mut sb = s.clone();
        sb.statement = None;
        stack.push((Work::Block(body), sb));
    }
    for f in field.filters.iter().rev() {
        push_filter_args(stack, f, None, &s);
    }
    if let Some(d) = &field.default {
        s.field_default = true;
        stack.push((Work::Expr(d), s));
    }
}

fn push_filter_args<'a>(
    stack: &mut Vec<(Work<'a>, Place<'a>)>,
    filter: &'a crate::model::Filter,
    base: Option<&'a Expr>,
    scope: &Place<'a>,
) {
    for (index, arg) in filter.arguments.iter().enumerate().rev() {
        let mut s = child_scope(scope);
        s.key = None;
        s.code = filter.name.value.starts_with("lambda");
        s.filter_arg = base.map(|base| FilterArg {
            filter: &filter.name.value,
            index,
            base,
            owner_key: scope.key,
            args: &filter.arguments,
        });
        stack.push((Work::Expr(arg), s));
    }
}

fn push_children<'a>(stack: &mut Vec<(Work<'a>, Place<'a>)>, expr: &'a Expr, scope: &Place<'a>) {
    let plain = child_scope(scope);
    let unnamed = || {
        let mut s = child_scope(scope);
        s.key = None;
        s
    };
    match &expr.kind {
        ExprKind::Var(v) => push_segments(stack, &v.segments, &unnamed()),
        ExprKind::Object(pairs) => {
            for p in pairs.iter().rev() {
                let mut s = child_scope(scope);
                match &p.key {
                    PairKey::Name(k) => s.key = Some(&k.value),
                    PairKey::Expr(k) => {
                        s.key = None;
                        stack.push((Work::Expr(&p.value), s.clone()));
                        stack.push((Work::Expr(k), s));
                        continue;
                    }
                }
                stack.push((Work::Expr(&p.value), s));
            }
        }
        ExprKind::Array(items) => {
            for i in items.iter().rev() {
                stack.push((Work::Expr(i), plain.clone()));
            }
        }
        ExprKind::Spread(inner) | ExprKind::Unary { operand: inner, .. } => {
            stack.push((Work::Expr(inner), plain));
        }
        ExprKind::Binary {
            op, left, right, ..
        } => {
            let mut l = plain.clone();
            let mut r = plain;
            match op {
                BinaryOp::Compare => {
                    l.compared_with = Some(right);
                    r.compared_with = Some(left);
                }
                BinaryOp::Additive => r.concat_left = Some(left),
                _ => {}
            }
            stack.push((Work::Expr(right), r));
            stack.push((Work::Expr(left), l));
        }
        ExprKind::Ternary {
            condition,
            then,
            otherwise,
        } => {
            stack.push((Work::Expr(otherwise), plain.clone()));
            if let Some(t) = then {
                stack.push((Work::Expr(t), plain));
            }
            stack.push((Work::Expr(condition), unnamed()));
        }
        ExprKind::Filtered { value, filters } => {
            let base = filter_base(value);
            for f in filters.iter().rev() {
                push_filter_args(stack, f, Some(base), scope);
            }
            // The filtered value is what is compared or concatenated.
            let mut through = plain;
            through.compared_with = scope.compared_with;
            through.concat_left = scope.concat_left;
            stack.push((Work::Expr(value), through));
        }
        ExprKind::Access { object, segments } => {
            push_segments(stack, segments, &unnamed());
            stack.push((Work::Expr(object), plain));
        }
        _ => {}
    }
}

/// The value a filter chain starts from, through nested filter chains.
fn filter_base(mut value: &Expr) -> &Expr {
    for _ in 0..64 {
        match &value.kind {
            ExprKind::Filtered { value: inner, .. } => value = inner,
            _ => break,
        }
    }
    value
}

fn push_segments<'a>(
    stack: &mut Vec<(Work<'a>, Place<'a>)>,
    segments: &'a [Segment],
    scope: &Place<'a>,
) {
    for s in segments.iter().rev() {
        if let Segment::Index(i) = s {
            stack.push((Work::Expr(i), scope.clone()));
        }
    }
}

/// The last name of a variable path: `api_key` of `$input.api_key`, `x-api-key` of
/// `$env.$http_headers["x-api-key"]`, `password` of `$password`.
pub fn var_last_name(expr: &Expr) -> Option<&str> {
    let path = expr.as_var()?;
    match path.segments.last() {
        None => Some(path.root.as_str()),
        Some(Segment::Field(f)) => Some(f.as_str()),
        Some(Segment::Index(i)) => i.string_value(),
    }
}

/// The source text of a string literal's content and where it starts, for a literal written
/// `"..."`, `'...'` or as a `"""` / `'''` block.
pub fn literal_content(src: &str, span: &Range<usize>) -> Option<(Range<usize>, LiteralForm)> {
    let raw = src.get(span.clone())?;
    let (form, delim) = if raw.starts_with("\"\"\"") {
        (LiteralForm::Block, "\"\"\"")
    } else if raw.starts_with("'''") {
        (LiteralForm::Block, "'''")
    } else if raw.starts_with('"') {
        (LiteralForm::Quoted('"'), "\"")
    } else if raw.starts_with('\'') {
        (LiteralForm::Quoted('\''), "'")
    } else {
        return None;
    };
    let d = delim.len();
    // An unterminated literal (a file being typed) has no content to edit.
    if raw.len() < 2 * d || !raw.ends_with(delim) {
        return None;
    }
    Some((span.start + d..span.end - d, form))
}

/// How a string literal is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralForm {
    /// `"..."` or `'...'`, with its quote.
    Quoted(char),
    /// `"""` or `'''` block.
    Block,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names() {
        for n in [
            "api_key",
            "apiKey",
            "client_secret",
            "password",
            "text_password",
            "access_token",
            "Authorization",
            "openai_api_key",
            "secret",
            "private_key",
            "X-Auth-Token",
        ] {
            assert!(is_credential_name(n), "{n}");
        }
        for n in [
            "token_type",
            "password_reset_url",
            "cache_key",
            "public_key",
            "publishable_key",
            "max_tokens",
            "next_page_token",
            "key",
            "secret_name",
            "csrf_token",
        ] {
            assert!(!is_credential_name(n), "{n}");
        }
        assert!(is_secret_like_name("jwt_secret_v2"));
        assert!(is_secret_like_name("stripe_key"));
        assert!(!is_secret_like_name("session_id"));
        assert!(!is_secret_like_name("cache_key"));
    }

    #[test]
    fn placeholders_and_weak_values() {
        for v in [
            "",
            "xxxx",
            "YOUR_API_KEY",
            "<token>",
            "{{ $env.KEY }}",
            "Bearer %s",
            "changeme",
            "AKIAIOSFODNN7EXAMPLE",
            "sk_live_xxxxxxxxxxxx",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        assert!(!is_placeholder("k2Jd9sLq"));
        assert!(is_weak_password("Password123"));
        assert!(!is_weak_password("Zq7!archive"));
        assert!(is_test_email("admin@admin.com"));
        assert!(is_test_email("qa@example.com"));
        assert!(is_test_email("test2@acme.io"));
        assert!(!is_test_email("jane@acme.io"));
    }

    #[test]
    fn randomness() {
        assert!(looks_random("f8Kq2LmZ9xR4tW7yB1nC6vD3"));
        assert!(!looks_random("0b6c6f4e-1f2a-4c3b-8d9e-123456789abc"));
        assert!(!looks_random("Premium_Plan_2024_Annual"));
        assert!(!looks_random("https://acme.io/a/b/c"));
        assert!(!looks_random("text-embedding-3-large"));
        assert!(looks_like_algorithm("HS256"));
        assert!(looks_like_algorithm("aes-256-cbc"));
        assert!(!looks_like_algorithm("tW7yB1nC6vD3f8Kq2LmZ9xR4"));
    }

    #[test]
    fn vendor_formats() {
        let text = "a sk_live_u8jzPde0IgxLd6GncfBAepfJ b AKIA1DHODZDOC9IS0J8H c \
                    eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc d";
        let kinds: Vec<&str> = known_secrets(text).iter().map(|k| k.kind).collect();
        assert_eq!(
            kinds,
            [
                "Stripe live secret key",
                "AWS access key ID",
                "JSON Web Token"
            ]
        );
        assert!(known_secrets("desk-1234567890abcdefghijklmn").is_empty());
        assert!(known_secrets("AKIAIOSFODNN7EXAMPLE").is_empty());
    }

    #[test]
    fn headers_and_code() {
        let h = credential_header("Authorization: Bearer abc123").unwrap();
        assert_eq!(h.scheme, Some("Bearer"));
        assert_eq!(&"Authorization: Bearer abc123"[h.value], "abc123");
        let h = credential_header("X-API-Key: k").unwrap();
        assert_eq!(h.name, "X-API-Key");
        assert!(credential_header("Content-Type: application/json").is_none());
        let code = r#"const apiKey = "abc"; x = {secret: 'def', "Authorization": "Bearer g"};
if (req.headers["x-api-key"] === "zzz") {} // token = "no"
h.set("Cookie", "sid=1")"#;
        let found: Vec<(Option<String>, bool)> = code_strings(code)
            .into_iter()
            .filter(|c| c.key.is_some())
            .map(|c| (c.key, c.compared))
            .collect();
        assert_eq!(
            found,
            [
                (Some("apiKey".into()), false),
                (Some("secret".into()), false),
                (Some("Authorization".into()), false),
                (Some("x-api-key".into()), true),
                (Some("Cookie".into()), false),
            ]
        );
    }

    #[test]
    fn env_names() {
        assert_eq!(env_name("X-API-Key", Some("bielik")), "BIELIK_API_KEY");
        assert_eq!(env_name("stripe_secret_key", None), "STRIPE_SECRET_KEY");
        assert_eq!(
            env_name("Authorization", Some("sendgrid")),
            "SENDGRID_API_TOKEN"
        );
        assert_eq!(env_name("openaiApiKey", None), "OPENAI_API_KEY");
        assert_eq!(
            url_service("https://api.uploadcare.com/files/"),
            Some("uploadcare".into())
        );
        assert_eq!(redact("sk_live_abcdefghij", 8), "sk_live_…");
    }
}
