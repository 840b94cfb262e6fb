//! What people type, as values that can only hold acceptable text: each type's `parse` is the one
//! place its limits are checked, and its `MAX_CHARS` is the one place they are written, for the
//! server functions, the store and the forms' `maxlength` alike.
//!
//! (The start reason, which a rule decides about, is [`super::StartReason`].)

use super::text::is_plain;
use serde::{Deserialize, Serialize};

/// Why typed text was not accepted, in words the person can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidInput {
    #[error("Please enter a valid email address, like name@example.com.")]
    Email,
    #[error("A password cannot contain control characters such as tabs or line breaks.")]
    PasswordNotPlain,
    #[error("Choose a password of at least {} characters.", NewPassword::MIN_CHARS)]
    PasswordTooShort,
    #[error("Choose a password of at most {} characters.", NewPassword::MAX_CHARS)]
    PasswordTooLong,
    #[error("{0} needs a name of 1 to {max} characters.", max = Name::MAX_CHARS)]
    NameLength(&'static str),
    #[error("{0}'s name cannot contain control characters.")]
    NameNotPlain(&'static str),
    #[error("A task needs a title of 1 to {} characters.", TaskTitle::MAX_CHARS)]
    TitleLength,
    #[error("A task title cannot contain control characters such as line breaks.")]
    TitleNotPlain,
    #[error("Search for at most {} characters, without control characters.", Search::MAX_CHARS)]
    Search,
}

/// A login email as typed (trimmed), plausible enough to accept. Real verification is sending
/// mail, which the product does not do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// The longest address, in characters (RFC 5321's path limit), typed and lower-cased alike.
    pub const MAX_CHARS: usize = 254;

    pub fn parse(text: &str) -> Result<Email, InvalidInput> {
        let text = text.trim();
        // Both forms are stored: the lower-case one can be longer (`İ` becomes two characters).
        let valid = text.chars().count() <= Self::MAX_CHARS
            && Self::normalize(text).chars().count() <= Self::MAX_CHARS
            && is_plain(text)
            && !text.chars().any(char::is_whitespace)
            && text.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains('@')
            });
        if valid { Ok(Email(text.to_owned())) } else { Err(InvalidInput::Email) }
    }

    /// The form emails are compared and kept unique in: trimmed, lower case.
    pub fn normalize(text: &str) -> String {
        text.trim().to_lowercase()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn normalized(&self) -> String {
        Self::normalize(&self.0)
    }
}

/// A password as someone typed it, on its way to the server (to log in, or as the current or new
/// password when changing it). Its `Debug` never shows it: a server function's arguments derive
/// `Debug`, so a plain `String` here would print in any log of the call.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TypedPassword(String);

impl TypedPassword {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for TypedPassword {
    fn from(text: String) -> TypedPassword {
        TypedPassword(text)
    }
}

impl From<&str> for TypedPassword {
    fn from(text: &str) -> TypedPassword {
        TypedPassword(text.to_owned())
    }
}

impl std::fmt::Debug for TypedPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TypedPassword(…)")
    }
}

/// A password someone chooses. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 1024;

    pub fn parse(text: &str) -> Result<NewPassword, InvalidInput> {
        if !is_plain(text) {
            return Err(InvalidInput::PasswordNotPlain);
        }
        match text.chars().count() {
            n if n < Self::MIN_CHARS => Err(InvalidInput::PasswordTooShort),
            n if n > Self::MAX_CHARS => Err(InvalidInput::PasswordTooLong),
            _ => Ok(NewPassword(text.to_owned())),
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// A person's or a tenant's name, trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name(String);

/// A person's name.
pub type PersonName = Name;

impl Name {
    pub const MAX_CHARS: usize = 200;

    /// `whose` says in the message whose name it is ("A person", "A tenant").
    pub fn parse(text: &str, whose: &'static str) -> Result<Name, InvalidInput> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > Self::MAX_CHARS {
            return Err(InvalidInput::NameLength(whose));
        }
        if !is_plain(text) {
            return Err(InvalidInput::NameNotPlain(whose));
        }
        Ok(Name(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The title of a task, trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskTitle(String);

impl TaskTitle {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(text: &str) -> Result<TaskTitle, InvalidInput> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > Self::MAX_CHARS {
            return Err(InvalidInput::TitleLength);
        }
        if !is_plain(text) {
            return Err(InvalidInput::TitleNotPlain);
        }
        Ok(TaskTitle(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a super admin searches the switcher for: words, each of which must appear (in any case)
/// in a user's name, email or tenant. No words finds everyone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Search(Vec<String>);

impl Search {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(text: &str) -> Result<Search, InvalidInput> {
        if text.chars().count() > Self::MAX_CHARS || !is_plain(text) {
            return Err(InvalidInput::Search);
        }
        Ok(Search(text.split_whitespace().map(str::to_lowercase).collect()))
    }

    /// The words, lower case.
    pub fn words(&self) -> &[String] {
        &self.0
    }
}

/// Which page of a long list (the switcher, the audit log) to show: `SIZE` rows each, the first
/// is page 0. Any number is valid; a page past the end is empty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Page(pub u32);

impl Page {
    pub const SIZE: u64 = 25;

    pub fn offset(self) -> u64 {
        u64::from(self.0) * Self::SIZE
    }

    /// How many pages `total` rows fill (at least one, so an empty list still has its page).
    pub fn count(total: u64) -> u32 {
        u32::try_from(total.div_ceil(Self::SIZE).max(1)).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implausible_emails_are_refused() {
        for bad in ["", "ann", "ann@", "@acme.test", "ann@acme", "ann lee@acme.test", "a@b@c.test", "ann@.test", "a\0@b.test"] {
            assert_eq!(Email::parse(bad), Err(InvalidInput::Email), "{bad:?}");
        }
        assert_eq!(Email::parse(" Ann.Lee@ACME.test ").map(|e| e.normalized()), Ok("ann.lee@acme.test".to_owned()));
    }

    #[test]
    fn an_email_fits_its_column_typed_and_lower_cased() {
        let local = |n: usize| "a".repeat(n - "@acme.test".len());
        assert!(Email::parse(&format!("{}@acme.test", local(Email::MAX_CHARS))).is_ok());
        assert_eq!(Email::parse(&format!("{}@acme.test", local(Email::MAX_CHARS + 1))), Err(InvalidInput::Email));
        // `İ` lower-cases to two characters: 127 of them fit typed, not lower-cased.
        assert_eq!(Email::parse(&format!("{}@acme.test", "İ".repeat(127))), Err(InvalidInput::Email));
    }

    #[test]
    fn new_passwords_have_a_length_range_counted_in_characters() {
        assert_eq!(NewPassword::parse(&"é".repeat(NewPassword::MIN_CHARS - 1)), Err(InvalidInput::PasswordTooShort));
        assert!(NewPassword::parse(&"é".repeat(NewPassword::MIN_CHARS)).is_ok());
        assert!(NewPassword::parse(&"é".repeat(NewPassword::MAX_CHARS)).is_ok());
        assert_eq!(NewPassword::parse(&"é".repeat(NewPassword::MAX_CHARS + 1)), Err(InvalidInput::PasswordTooLong));
        assert_eq!(NewPassword::parse("a long enough\tpassword"), Err(InvalidInput::PasswordNotPlain));
        assert_eq!(format!("{:?}", NewPassword::parse("a long enough password")), "Ok(NewPassword(…))");
    }

    #[test]
    fn names_and_titles_are_trimmed_and_bounded() {
        assert_eq!(Name::parse("  Ann Lee ", "A person").map(|n| n.as_str().to_owned()), Ok("Ann Lee".to_owned()));
        assert_eq!(Name::parse("   ", "A person"), Err(InvalidInput::NameLength("A person")));
        assert!(Name::parse(&"n".repeat(Name::MAX_CHARS), "A tenant").is_ok());
        assert_eq!(Name::parse(&"n".repeat(Name::MAX_CHARS + 1), "A tenant"), Err(InvalidInput::NameLength("A tenant")));
        assert_eq!(TaskTitle::parse(&"t".repeat(TaskTitle::MAX_CHARS + 1)), Err(InvalidInput::TitleLength));
        assert!(TaskTitle::parse(&"t".repeat(TaskTitle::MAX_CHARS)).is_ok());
        assert_eq!(TaskTitle::parse("two\nlines"), Err(InvalidInput::TitleNotPlain));
        assert_eq!(InvalidInput::TitleLength.to_string(), "A task needs a title of 1 to 200 characters.");
    }

    #[test]
    fn a_search_is_its_lower_case_words_and_refuses_control_characters_and_length() {
        let search = Search::parse("  Finn   ACME ").expect("valid");
        assert_eq!(search.words(), ["finn", "acme"]);
        assert_eq!(Search::parse("").map(|s| s.words().len()), Ok(0));
        assert_eq!(Search::parse("a\tb"), Err(InvalidInput::Search));
        assert!(Search::parse(&"é".repeat(Search::MAX_CHARS)).is_ok());
        assert_eq!(Search::parse(&"é".repeat(Search::MAX_CHARS + 1)), Err(InvalidInput::Search));
    }

    #[test]
    fn pages_are_twenty_five_rows_and_at_least_one() {
        assert_eq!((Page(0).offset(), Page(3).offset()), (0, 75));
        assert_eq!(Page(u32::MAX).offset(), u64::from(u32::MAX) * 25, "no overflow");
        assert_eq!([Page::count(0), Page::count(25), Page::count(26)], [1, 1, 2]);
    }
}
