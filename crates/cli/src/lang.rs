//! The language of the command line: Bahasa Indonesia unless the user asks for English
//! (`SINERGI_BAHASA=en`, or a `LANG`/`LC_ALL` locale starting with `en`).

use sinergi_core::{Localized, Msg};
use sinergi_i18n::{Lang, Messages};

/// The user's language, from the environment.
pub fn lang() -> Lang {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let choice = var("SINERGI_BAHASA")
        .or_else(|| var("LC_ALL"))
        .or_else(|| var("LANG"));
    match choice {
        Some(v) if v.to_ascii_lowercase().starts_with("en") => Lang::En,
        _ => Lang::Id,
    }
}

pub fn messages() -> Messages {
    Messages::new(lang())
}

/// A library error in the chain, as a catalogue message, when one says itself.
pub fn localized(e: &anyhow::Error) -> Option<Msg> {
    e.chain().find_map(|cause| {
        if let Some(x) = cause.downcast_ref::<sinergi_store::StoreError>() {
            return Some(x.msg());
        }
        if let Some(x) = cause.downcast_ref::<sinergi_activity::ActivityError>() {
            return Some(x.msg());
        }
        None
    })
}

/// The error as the user reads it: the command's own context, then the library's reason
/// rendered in the user's language.
pub fn explain(e: &anyhow::Error) -> String {
    let Some(msg) = localized(e) else {
        return format!("{e:#}");
    };
    let reason = messages().render(&msg);
    // Contexts added by the command sit above the library error in the chain.
    let contexts: Vec<String> = e
        .chain()
        .take_while(|c| {
            c.downcast_ref::<sinergi_store::StoreError>().is_none()
                && c.downcast_ref::<sinergi_activity::ActivityError>()
                    .is_none()
        })
        .map(|c| c.to_string())
        .collect();
    if contexts.is_empty() {
        reason
    } else {
        format!("{}: {reason}", contexts.join(": "))
    }
}
