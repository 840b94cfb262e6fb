//! Where to send someone after logging in, decided so it can never leave the site.

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

#[cfg(test)]
mod tests {
    use super::safe_next;

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
