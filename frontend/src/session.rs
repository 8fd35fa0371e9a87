//! The login session on this tab: the access token in `sessionStorage` (gone when the tab
//! or browser closes, or site data is cleared: P12) mirrored in a signal for the views.

use crate::api;
use leptos::prelude::*;
use std::time::Duration;

const TOKEN_KEY: &str = "cptn.token";
const EXPIRES_KEY: &str = "cptn.expiresAt";
/// Renew the token when less than this many seconds remain.
const RENEW_BEFORE_SECS: f64 = 180.0;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The current token, straight from storage (the single source of truth).
pub fn stored_token() -> Option<String> {
    storage()?.get_item(TOKEN_KEY).ok()?
}

/// The shared session state; `Copy`, so views can hold it freely.
#[derive(Clone, Copy)]
pub struct Session {
    token: RwSignal<Option<String>>,
}

impl Session {
    /// Reads the token a reload left in `sessionStorage`.
    pub fn restore() -> Self {
        Self {
            token: RwSignal::new(stored_token()),
        }
    }

    pub fn logged_in(&self) -> bool {
        self.token.get().is_some()
    }

    /// Stores a new token and when it expires (RFC 3339).
    pub fn set(&self, token: String, expires_at: &str) {
        if let Some(storage) = storage() {
            let _ = storage.set_item(TOKEN_KEY, &token);
            let _ = storage.set_item(EXPIRES_KEY, expires_at);
        }
        self.token.set(Some(token));
    }

    /// Forgets the token on this tab.
    pub fn clear(&self) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(TOKEN_KEY);
            let _ = storage.remove_item(EXPIRES_KEY);
        }
        self.token.set(None);
    }

    /// Renews the token shortly before it expires, while the tab is open.
    pub fn keep_alive(self) {
        set_interval(
            move || {
                let Some(expires) = storage().and_then(|s| s.get_item(EXPIRES_KEY).ok().flatten()) else {
                    return;
                };
                let remaining = (js_sys::Date::parse(&expires) - js_sys::Date::now()) / 1000.0;
                if remaining < RENEW_BEFORE_SECS {
                    leptos::task::spawn_local(async move {
                        match api::renew_token().await {
                            Ok(renewed) => self.set(renewed.token, &renewed.expires_at),
                            Err(e) if e.is_unauthenticated() => self.clear(),
                            Err(_) => {}
                        }
                    });
                }
            },
            Duration::from_secs(30),
        );
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
