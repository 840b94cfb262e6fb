//! An accessible menu button (the WAI-ARIA "menu button" pattern): opens by click, Enter, Space
//! or the arrow keys; arrows, Home and End move between items; Escape, Tab, a click outside or a
//! choice close it, and focus returns to the button.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;

/// One entry of a menu.
#[derive(Clone)]
pub struct MenuItem {
    pub label: &'static str,
    /// Why the item cannot be chosen right now; shown under it and announced with it.
    pub unavailable_because: Option<String>,
    pub on_select: Callback<()>,
}

/// A button that opens a menu of `items`. `id` must be unique on the page.
#[component]
pub fn MenuButton(
    id: &'static str,
    /// The button's accessible name.
    label: &'static str,
    /// What the button shows (an icon, initials); `label` is what assistive technology reads.
    children: Children,
    items: Signal<Vec<MenuItem>>,
    #[prop(optional)] class: &'static str,
    /// Where the menu opens, relative to the button.
    #[prop(default = "below")]
    placement: &'static str,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let menu = NodeRef::<html::Ul>::new();
    let wrapper = NodeRef::<html::Div>::new();
    let menu_id = format!("{id}-menu");

    let focus_item = move |index: Option<usize>| {
        let Some(menu) = menu.get_untracked() else { return };
        let Ok(items) = menu.query_selector_all("[role=menuitem]") else { return };
        let count = items.length();
        if count == 0 {
            return;
        }
        let index = index.map_or(count - 1, |i| (i as u32).min(count - 1));
        if let Some(item) = items.item(index).and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(n).ok()) {
            let _ = item.focus();
        }
    };
    let open_at = move |index: Option<usize>| {
        open.set(true);
        // The items become visible in this same tick; focus them on the next frame.
        request_animation_frame(move || focus_item(index));
    };
    let close = move |restore_focus: bool| {
        open.set(false);
        if restore_focus && let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    };

    let on_button_keydown = move |ev: ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" | "Enter" | " " => {
            ev.prevent_default();
            open_at(Some(0));
        }
        "ArrowUp" => {
            ev.prevent_default();
            open_at(None);
        }
        _ => {}
    };
    let on_menu_keydown = move |ev: ev::KeyboardEvent| {
        let Some(menu) = menu.get_untracked() else { return };
        let items = menu.query_selector_all("[role=menuitem]").ok();
        let count = items.as_ref().map_or(0, |i| i.length() as usize);
        let current = items.and_then(|items| {
            let active = document().active_element()?;
            (0..count).find(|i| items.item(*i as u32).is_some_and(|n| n.is_same_node(Some(active.as_ref()))))
        });
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                focus_item(Some(current.map_or(0, |i| (i + 1) % count.max(1))));
            }
            "ArrowUp" => {
                ev.prevent_default();
                focus_item(Some(current.map_or(count.saturating_sub(1), |i| (i + count - 1) % count.max(1))));
            }
            "Home" => {
                ev.prevent_default();
                focus_item(Some(0));
            }
            "End" => {
                ev.prevent_default();
                focus_item(None);
            }
            "Escape" => {
                ev.prevent_default();
                close(true);
            }
            "Tab" => close(false),
            _ => {}
        }
    };

    // A click anywhere outside closes the menu.
    Effect::new(move |_| {
        let handle = window_event_listener(ev::pointerdown, move |ev| {
            if !open.get_untracked() {
                return;
            }
            let target = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok());
            let inside = wrapper.get_untracked().is_some_and(|w| w.contains(target.as_ref()));
            if !inside {
                close(false);
            }
        });
        on_cleanup(move || handle.remove());
    });

    let menu_id_for_button = menu_id.clone();
    view! {
        <div class=format!("menu {class}") node_ref=wrapper>
            <button
                type="button"
                id=id
                class="menu-button"
                node_ref=button
                aria-label=label
                aria-haspopup="menu"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls=menu_id_for_button
                on:click=move |_| if open.get_untracked() { close(false) } else { open_at(Some(0)) }
                on:keydown=on_button_keydown
            >
                {children()}
            </button>
            <ul
                role="menu"
                id=menu_id
                class=format!("menu-list menu-{placement}")
                aria-labelledby=id
                node_ref=menu
                hidden=move || !open.get()
                on:keydown=on_menu_keydown
            >
                {move || items.with(Vec::is_empty).then(|| view! {
                    <li role="none">
                        <span role="menuitem" tabindex="-1" aria-disabled="true" class="menu-item">"No actions available"</span>
                    </li>
                })}
                // Keyed by position, and each entry reads its item reactively: when the items change
                // under an open menu (Allow turning into Disallow), labels change in place and the
                // menu, and the item that has focus, stay as they are.
                <For each=move || 0..items.with(Vec::len) key=|index| *index let:index>
                    {
                        let item = move || items.with(|all| all.get(index).cloned());
                        let label = move || item().map_or("", |i| i.label);
                        let why = move || item().and_then(|i| i.unavailable_because);
                        let note_id = format!("{id}-item-{index}-note");
                        let described_by = note_id.clone();
                        view! {
                            <li role="none">
                                <button
                                    type="button"
                                    role="menuitem"
                                    tabindex="-1"
                                    class="menu-item"
                                    aria-disabled=move || why().is_some().then_some("true")
                                    aria-describedby=move || why().is_some().then(|| described_by.clone())
                                    on:click=move |_| {
                                        let Some(item) = items.with_untracked(|all| all.get(index).cloned()) else { return };
                                        if item.unavailable_because.is_none() {
                                            close(true);
                                            item.on_select.run(());
                                        }
                                    }
                                >
                                    {label}
                                </button>
                                {move || why().map(|why| view! { <p class="menu-note" id=note_id.clone()>{why}</p> })}
                            </li>
                        }
                    }
                </For>
            </ul>
        </div>
    }
}
