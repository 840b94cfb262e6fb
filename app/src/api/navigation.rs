//! Where to send someone after logging in, decided so it can never leave the site, and the
//! login address that carries the way back there.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

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

/// What stays readable in a `next` path: letters, digits, `-_.~` and `/`.
const NEXT_PATH: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/');

/// The login page, coming back to `here` (a path with its query) afterwards.
pub fn login_then(here: &str) -> String {
    format!("/login?next={}", utf8_percent_encode(here, NEXT_PATH))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_back_is_one_query_value_with_its_paths_readable() {
        assert_eq!(login_then("/profile"), "/login?next=/profile");
        assert_eq!(login_then("/impersonate?q=ann lee&x=ü"), "/login?next=/impersonate%3Fq%3Dann%20lee%26x%3D%C3%BC");
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
