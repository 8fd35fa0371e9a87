//! The one typeahead of the web app, following the WAI-ARIA combobox pattern (an input
//! with `role=combobox` that controls a `role=listbox` of `role=option`s): arrow keys move
//! through the options, Enter picks one, Escape closes the list. Completions are asked for
//! after a pause in typing (debounced), and an answer that arrives after a newer request
//! was sent is dropped, so a slow answer never replaces a fresher one.

use crate::api::{self, SuggestionKind};
use leptos::prelude::*;
use std::time::Duration;

/// How long typing must pause before completions are asked for.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// The list's state; `Copy`, so every handler holds it.
#[derive(Clone, Copy)]
struct Completions {
    options: RwSignal<Vec<String>>,
    highlighted: RwSignal<Option<usize>>,
    /// Every request gets the next number; only the answer to the latest one is shown.
    latest: StoredValue<u64>,
}

impl Completions {
    fn new() -> Self {
        Self {
            options: RwSignal::new(Vec::new()),
            highlighted: RwSignal::new(None),
            latest: StoredValue::new(0),
        }
    }

    fn close(self) {
        self.options.set(Vec::new());
        self.highlighted.set(None);
    }

    /// Forgets requests in flight: their answers will not open the list.
    fn cancel(self) {
        self.latest.update_value(|n| *n += 1);
    }

    /// Asks for completions of `text` once typing pauses; shows them if nothing newer was
    /// asked for by then.
    fn ask(self, text: String, kind: SuggestionKind, min_chars: usize) {
        self.cancel();
        let sent = self.latest.get_value();
        if text.trim().chars().count() < min_chars {
            self.close();
            return;
        }
        set_timeout(
            move || {
                if self.latest.get_value() != sent {
                    return; // more was typed meanwhile
                }
                leptos::task::spawn_local(async move {
                    let found = api::suggest(&text, kind).await.unwrap_or_default();
                    if self.latest.get_value() == sent {
                        self.highlighted.set(None);
                        self.options.set(found);
                    }
                });
            },
            DEBOUNCE,
        );
    }

    /// Moves the highlight by `step` (1 down, -1 up), wrapping around.
    fn step(self, down: bool) {
        let count = self.options.with_untracked(Vec::len);
        if count == 0 {
            return;
        }
        self.highlighted.update(|h| {
            *h = Some(match (*h, down) {
                (None, true) => 0,
                (None, false) => count - 1,
                (Some(n), true) => (n + 1) % count,
                (Some(n), false) => (n + count - 1) % count,
            });
        });
    }

    /// The option Enter takes: the highlighted one, or with `first` the first one.
    fn chosen(self, first: bool) -> Option<String> {
        let n = self.highlighted.get_untracked().or(first.then_some(0))?;
        self.options.with_untracked(|o| o.get(n).cloned())
    }
}

/// A text input with completions of `kind`. `value` is what is typed; `on_pick` receives a
/// completion the user chose (click, or arrow keys and Enter). With `enter_picks_first`,
/// Enter with no option highlighted takes the first one (and never submits the form).
#[component]
pub fn Combobox(
    /// The input's id; the list is `<id>-listbox`, its options `<id>-option-<n>`.
    id: &'static str,
    kind: SuggestionKind,
    value: RwSignal<String>,
    on_pick: Callback<String>,
    #[prop(default = 2)] min_chars: usize,
    #[prop(default = false)] enter_picks_first: bool,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(default = "")] placeholder: &'static str,
    /// The id of the element that describes the input (a field's error), if any.
    #[prop(optional)]
    described_by: Option<&'static str>,
) -> impl IntoView {
    let list = Completions::new();
    let listbox = format!("{id}-listbox");
    let option_id = move |n: usize| format!("{id}-option-{n}");
    let pick = move |text: String| {
        list.cancel();
        list.close();
        on_pick.run(text);
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let open = list.options.with_untracked(|o| !o.is_empty());
        match ev.key().as_str() {
            "ArrowDown" | "ArrowUp" if open => {
                ev.prevent_default();
                list.step(ev.key() == "ArrowDown");
            }
            "Escape" if open => {
                ev.prevent_default();
                list.close();
            }
            "Enter" => match list.chosen(enter_picks_first) {
                Some(text) => {
                    ev.prevent_default();
                    pick(text);
                }
                None if enter_picks_first => ev.prevent_default(),
                None => {
                    // The form submits what was typed; a late answer must not reopen the list.
                    list.cancel();
                    list.close();
                }
            },
            _ => {}
        }
    };
    let options = move || {
        let shown = list.options.get();
        shown
            .into_iter()
            .enumerate()
            .map(|(n, text)| {
                let chosen = text.clone();
                let selected = move || {
                    if list.highlighted.get() == Some(n) {
                        "true"
                    } else {
                        "false"
                    }
                };
                view! {
                    <li id=option_id(n) role="option" class="suggestion" aria-selected=selected
                        on:mousedown=move |ev| {
                            // Keeps the focus in the input, so its blur does not close the list first.
                            ev.prevent_default();
                            pick(chosen.clone());
                        }>
                        {text}
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <div class="combobox">
            <input id=id type="text" role="combobox" autocomplete=autocomplete placeholder=placeholder
                aria-autocomplete="list" aria-controls=listbox.clone()
                aria-expanded=move || if list.options.with(Vec::is_empty) { "false" } else { "true" }
                aria-activedescendant=move || list.highlighted.get().map(option_id)
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    value.set(text.clone());
                    list.ask(text, kind, min_chars);
                }
                on:keydown=on_keydown
                on:blur=move |_| list.close()/>
            <ul class="suggestions" id=listbox role="listbox">{options}</ul>
        </div>
    }
}
