//! User-visible messages as data: a catalogue key with named arguments.
//!
//! Libraries never format a sentence for the user; they return a [`Msg`], and the edges
//! (pages, API, CLI, reject reports) render it in the user's language through the one
//! catalogue (`sinergi-i18n`). A template names its arguments as `{name}`.

use std::fmt;

/// One argument of a message: plain text (a value from the input, a number, a code) or a
/// nested message rendered in the same language (a reason inside "baris 5: …").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MsgArg {
    Text(String),
    Msg(Box<Msg>),
    /// Nested messages joined with "; " (e.g. every reason a row was refused).
    List(Vec<Msg>),
}

/// A catalogue key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, MsgArg)>,
}

impl Msg {
    pub const fn new(key: &'static str) -> Msg {
        Msg {
            key,
            args: Vec::new(),
        }
    }

    /// Adds a plain-text argument (anything displayable: a value, a count, a code).
    pub fn arg(mut self, name: &'static str, value: impl fmt::Display) -> Msg {
        self.args.push((name, MsgArg::Text(value.to_string())));
        self
    }

    /// Adds a nested message, rendered in the same language.
    pub fn arg_msg(mut self, name: &'static str, value: Msg) -> Msg {
        self.args.push((name, MsgArg::Msg(Box::new(value))));
        self
    }

    /// Adds a list of nested messages, joined with "; ".
    pub fn arg_list(mut self, name: &'static str, values: Vec<Msg>) -> Msg {
        self.args.push((name, MsgArg::List(values)));
        self
    }

    /// The argument called `name`, if given.
    pub fn get(&self, name: &str) -> Option<&MsgArg> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Renders with `lookup` (key → template); `{name}` is replaced by the argument, an
    /// unknown key shows itself so that a gap is visible, not blank.
    pub fn render_with<'a>(&self, lookup: &impl Fn(&str) -> Option<&'a str>) -> String {
        substitute(lookup(self.key).unwrap_or(self.key), |name| {
            self.get(name).map(|arg| match arg {
                MsgArg::Text(t) => t.clone(),
                MsgArg::Msg(m) => m.render_with(lookup),
                MsgArg::List(ms) => {
                    let parts: Vec<String> = ms.iter().map(|m| m.render_with(lookup)).collect();
                    parts.join("; ")
                }
            })
        })
    }

    /// The message as data to store (a row's warnings in the database): `{"key": …,
    /// "args": {name: text | message | [messages]}}`, rendered later by [`render_stored_with`].
    pub fn to_json(&self) -> serde_json::Value {
        let args: serde_json::Map<String, serde_json::Value> = self
            .args
            .iter()
            .map(|(name, arg)| {
                let value = match arg {
                    MsgArg::Text(t) => serde_json::Value::String(t.clone()),
                    MsgArg::Msg(m) => m.to_json(),
                    MsgArg::List(ms) => ms.iter().map(Msg::to_json).collect(),
                };
                (name.to_string(), value)
            })
            .collect();
        serde_json::json!({ "key": self.key, "args": args })
    }
}

/// Renders a message stored with [`Msg::to_json`], exactly as the [`Msg`] would render.
/// Anything that is not such a message shows as its JSON text, so a gap is visible.
pub fn render_stored_with<'a>(
    stored: &serde_json::Value,
    lookup: &impl Fn(&str) -> Option<&'a str>,
) -> String {
    let Some(key) = stored.get("key").and_then(|k| k.as_str()) else {
        return stored.to_string();
    };
    let args = stored.get("args");
    substitute(lookup(key).unwrap_or(key), |name| {
        args.and_then(|a| a.get(name)).map(|arg| match arg {
            serde_json::Value::String(t) => t.clone(),
            serde_json::Value::Array(ms) => {
                let parts: Vec<String> = ms.iter().map(|m| render_stored_with(m, lookup)).collect();
                parts.join("; ")
            }
            other => render_stored_with(other, lookup),
        })
    })
}

/// Replaces each `{name}` in `template` whose argument `arg(name)` gives; other braces stay.
fn substitute(template: &str, arg: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find('}')
            .and_then(|close| arg(&after[..close]).map(|v| (close, v)))
        {
            Some((close, value)) => {
                out.push_str(&value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Language-free, for logs and tests: the key with its arguments (`key(name=value, …)`).
/// Users see messages rendered by the catalogue.
impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key)?;
        if self.args.is_empty() {
            return Ok(());
        }
        f.write_str("(")?;
        for (i, (name, value)) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match value {
                MsgArg::Text(t) => write!(f, "{name}={t}")?,
                MsgArg::Msg(m) => write!(f, "{name}={m}")?,
                MsgArg::List(ms) => {
                    write!(f, "{name}=[")?;
                    for (j, m) in ms.iter().enumerate() {
                        if j > 0 {
                            f.write_str("; ")?;
                        }
                        write!(f, "{m}")?;
                    }
                    f.write_str("]")?;
                }
            }
        }
        f.write_str(")")
    }
}

/// An error (or outcome) that can say itself to a user through the catalogue.
pub trait Localized {
    fn msg(&self) -> Msg;
}

impl Localized for Msg {
    fn msg(&self) -> Msg {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(key: &str) -> Option<&'static str> {
        match key {
            "row" => Some("baris {line}: {reason}"),
            "nik.short" => Some("NIK harus 16 angka, bukan {n}"),
            "many" => Some("ditolak: {reasons}"),
            _ => None,
        }
    }

    #[test]
    fn renders_arguments_nested_messages_and_lists() {
        let m = Msg::new("row")
            .arg("line", 5)
            .arg_msg("reason", Msg::new("nik.short").arg("n", 15));
        assert_eq!(
            m.render_with(&lookup),
            "baris 5: NIK harus 16 angka, bukan 15"
        );
        let m = Msg::new("many").arg_list(
            "reasons",
            vec![Msg::new("nik.short").arg("n", 3), Msg::new("unknown.key")],
        );
        assert_eq!(
            m.render_with(&lookup),
            "ditolak: NIK harus 16 angka, bukan 3; unknown.key"
        );
    }

    #[test]
    fn unknown_placeholders_and_braces_in_values_stay_as_they_are() {
        let m = Msg::new("row").arg("line", "{reason}");
        // A value is never re-expanded, and a missing argument stays visible.
        assert_eq!(m.render_with(&lookup), "baris {reason}: {reason}");
        assert_eq!(Msg::new("x").render_with(&lookup), "x");
    }

    #[test]
    fn a_stored_message_renders_as_the_message_did() {
        let m = Msg::new("many").arg_list(
            "reasons",
            vec![
                Msg::new("row")
                    .arg("line", 7)
                    .arg_msg("reason", Msg::new("nik.short").arg("n", 15)),
                Msg::new("unknown.key"),
            ],
        );
        let stored: serde_json::Value = serde_json::from_str(&m.to_json().to_string()).unwrap();
        assert_eq!(render_stored_with(&stored, &lookup), m.render_with(&lookup));
        assert_eq!(
            render_stored_with(&serde_json::json!(3), &lookup),
            "3",
            "not a message: shown as it is"
        );
    }
}
