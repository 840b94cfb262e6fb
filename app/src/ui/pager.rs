//! Moving through a long list a page at a time (the switcher, the audit log).

use crate::domain::Page;
use leptos::prelude::*;

/// Which rows of how many are shown, and the way to the neighbouring pages. The buttons move the
/// page the data is read for; the text follows the answer, so it never claims rows not yet shown.
/// Hidden while everything fits on the first page.
#[component]
pub fn Pager(
    total: Signal<u64>,
    shown: Signal<Page>,
    page: RwSignal<Page>,
    /// What the rows are, in the plural ("users").
    noun: &'static str,
    /// The navigation's accessible name ("Pages of users").
    label: &'static str,
) -> impl IntoView {
    let last = move || Page(Page::count(total.get()).saturating_sub(1));
    let range = move || {
        let (total, first) = (total.get(), shown.get().offset());
        let end = (first + Page::SIZE).min(total);
        if first >= total { format!("No {noun} on this page; {total} in all") } else { format!("{} {}–{end} of {total}", capitalized(noun), first + 1) }
    };
    view! {
        <nav class="pager" aria-label=label hidden=move || { total.get() <= Page::SIZE && shown.get() == Page(0) }>
            <button type="button" class="button" disabled=move || page.get() == Page(0)
                on:click=move |_| page.update(|p| *p = Page(p.0.saturating_sub(1)))>"Previous page"</button>
            <span role="status">{range}</span>
            <button type="button" class="button" disabled=move || { page.get() >= last() }
                on:click=move |_| page.update(|p| *p = Page(p.0.saturating_add(1)))>"Next page"</button>
        </nav>
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_noun_starts_a_sentence() {
        assert_eq!(super::capitalized("lines"), "Lines");
        assert_eq!(super::capitalized(""), "");
    }
}
