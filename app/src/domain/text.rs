//! Text people type, wherever it goes: names, emails, passwords, task titles, start reasons.
//!
//! Control characters (NUL, escapes, line breaks in one-line fields) mean nothing in any of them,
//! can hide what a reader sees, and some databases refuse them outright (PostgreSQL will not store
//! a NUL), so every input refuses them before anything else looks at it.

/// Whether `text` holds no control character.
pub fn is_plain(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::is_plain;

    #[test]
    fn letters_of_any_script_and_punctuation_are_plain() {
        assert!(is_plain("Ann Lee <ann@acme.test> — Ünïcødé, 日本語, ticket #42!"));
        assert!(is_plain(""));
    }

    #[test]
    fn nul_escapes_tabs_and_line_breaks_are_not() {
        for text in ["a\0b", "bell\u{7}", "esc\u{1b}[31m", "tab\there", "two\nlines", "cr\r", "del\u{7f}", "c1\u{85}"] {
            assert!(!is_plain(text), "{text:?}");
        }
    }
}
