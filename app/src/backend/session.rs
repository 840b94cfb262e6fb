//! Session secrets, their stored keys, and the cookie that carries them.
//!
//! The browser holds a 256-bit random secret; the database holds only its SHA-256 hash (the
//! [`SessionKey`]), so a leaked database does not leak usable sessions. Neither type can be
//! serialized, and `Debug` never prints the secret.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use std::fmt;
use std::time::Duration;
use tower_cookies::cookie::SameSite;
use tower_cookies::{Cookie, Cookies};

const SECRET_BYTES: usize = 32;
/// Length of the base64url text of a secret.
const SECRET_TEXT_LEN: usize = 43;

/// What the browser's cookie holds.
pub struct SessionSecret([u8; SECRET_BYTES]);

impl SessionSecret {
    /// Wraps fresh random bytes; the server draws them from the OS's RNG.
    pub fn from_random_bytes(bytes: [u8; SECRET_BYTES]) -> Self {
        Self(bytes)
    }

    /// Reads a cookie value; anything not exactly a secret's shape is no secret.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != SECRET_TEXT_LEN {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        bytes.try_into().ok().map(Self)
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// The key the session is stored under.
    pub fn key(&self) -> SessionKey {
        SessionKey(format!("{:x}", Sha256::digest(self.0)))
    }
}

impl fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionSecret(…)")
    }
}

/// The SHA-256 of a session secret, in hex: the sessions table's primary key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SessionKey(String);

impl SessionKey {
    /// A key read back from the database.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionKey({}…)", self.0.get(..8).unwrap_or(""))
    }
}

/// How the session cookie is written: HttpOnly, SameSite=Lax, path `/`; over https also
/// `Secure` with the `__Host-` prefix, which pins it to this exact host.
#[derive(Clone, Debug)]
pub struct SessionCookie {
    secure: bool,
    max_age: Duration,
}

impl SessionCookie {
    pub fn new(secure: bool, max_age: Duration) -> Self {
        Self { secure, max_age }
    }

    pub fn name(&self) -> &'static str {
        if self.secure { "__Host-impersonate_session" } else { "impersonate_session" }
    }

    pub fn read(&self, cookies: &Cookies) -> Option<SessionSecret> {
        cookies.get(self.name()).and_then(|c| SessionSecret::parse(c.value()))
    }

    pub fn set(&self, cookies: &Cookies, secret: &SessionSecret) {
        let max_age = tower_cookies::cookie::time::Duration::seconds(i64::try_from(self.max_age.as_secs()).unwrap_or(i64::MAX));
        cookies.add(self.build(secret.encode()).max_age(max_age).build());
    }

    pub fn clear(&self, cookies: &Cookies) {
        cookies.remove(self.build(String::new()).build());
    }

    fn build(&self, value: String) -> tower_cookies::cookie::CookieBuilder<'static> {
        Cookie::build((self.name(), value)).path("/").http_only(true).same_site(SameSite::Lax).secure(self.secure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> SessionSecret {
        SessionSecret::from_random_bytes(core::array::from_fn(|i| i as u8))
    }

    #[test]
    fn a_secret_survives_its_cookie_text() {
        let s = secret();
        let parsed = SessionSecret::parse(&s.encode()).expect("parses");
        assert_eq!(parsed.key(), s.key());
    }

    #[test]
    fn truncated_padded_or_foreign_text_is_no_secret() {
        let text = secret().encode();
        assert!(SessionSecret::parse(&text[..42]).is_none());
        assert!(SessionSecret::parse(&format!("{text}=")).is_none());
        let mut foreign = text.clone();
        foreign.replace_range(0..1, "*");
        assert!(SessionSecret::parse(&foreign).is_none());
        assert!(SessionSecret::parse("").is_none());
        assert!(SessionSecret::parse(&"é".repeat(22)).is_none());
    }

    #[test]
    fn a_flipped_bit_gives_another_key() {
        let a = secret();
        let mut bytes = a.0;
        bytes[7] ^= 1;
        assert_ne!(SessionSecret::from_random_bytes(bytes).key(), a.key());
    }

    #[test]
    fn the_key_is_the_sha256_hex_of_the_secret() {
        let key = SessionSecret::from_random_bytes([0; 32]).key();
        assert_eq!(key.as_str(), "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let s = secret();
        assert!(!format!("{s:?}").contains(&s.encode()));
    }

    #[test]
    fn secure_cookies_use_the_host_prefix() {
        assert_eq!(SessionCookie::new(true, Duration::from_secs(1)).name(), "__Host-impersonate_session");
        assert_eq!(SessionCookie::new(false, Duration::from_secs(1)).name(), "impersonate_session");
    }
}
