//! Where to send someone after logging in, decided so it can never leave the site, and the
//! percent-coding of the `next` path that carries it there.

/// The path to return to after login: only same-site absolute paths, else the home page.
/// Rejects `//host` and `/\host` (both read as another host by browsers) and control characters.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(|c| c.is_control())
                && !path.starts_with("/login") =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// Percent-encodes a path for a query value, keeping `/` readable.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Decodes a query value; malformed escapes stay as they are.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_coding_round_trips() {
        let text = "/impersonate?q=ann lee&x=ü";
        assert_eq!(percent_encode(text), "/impersonate%3Fq%3Dann%20lee%26x%3D%C3%BC");
        assert_eq!(percent_decode(&percent_encode(text)), text);
        assert_eq!(percent_decode("%zz"), "%zz");
    }

    #[test]
    fn same_site_paths_are_kept() {
        assert_eq!(safe_next(Some("/profile")), "/profile");
        assert_eq!(safe_next(Some("/impersonate?q=ann")), "/impersonate?q=ann");
    }

    #[test]
    fn anything_that_could_leave_the_site_goes_home() {
        for bad in ["https://evil.example", "//evil.example", "/\\evil.example", "profile", "", "/a\nb", "/login?next=/x"] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
