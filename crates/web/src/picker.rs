//! The region and period pickers every per-region, per-period page shares: a `<select>`
//! inside the page's own GET form, so they work without script. The region picker cascades
//! by reload: choosing a region and showing the page lists the regions one level below it.
//! Include `_region_picker.html` / `_period_picker.html` in the form; the page's struct
//! holds `region_picker` / `period_picker`.

use chrono::{Datelike, NaiveDate};
use sinergi_core::{Period, RegionCode};

use crate::i18n::Messages;
use crate::{AppError, AppState, Ui};

/// The region options as the template writes them: code, indented name, chosen.
#[derive(Debug, Clone, Default)]
pub struct RegionPicker {
    pub options: Vec<(String, String, bool)>,
}

impl RegionPicker {
    /// The picker for the viewer of `ui` with `chosen` selected (from the region use case).
    pub async fn load(
        state: &AppState,
        ui: &Ui,
        chosen: Option<&RegionCode>,
    ) -> Result<RegionPicker, AppError> {
        let choices =
            sinergi_activity::regions::region_choices(&state.store, ui.viewer(), chosen).await?;
        Ok(RegionPicker {
            options: choices
                .options
                .into_iter()
                .map(|o| {
                    let indent = "\u{a0}\u{a0}".repeat(o.depth);
                    let mark = if o.depth > 0 { "› " } else { "" };
                    (
                        o.code.to_string(),
                        format!("{indent}{mark}{}", o.name),
                        o.chosen,
                    )
                })
                .collect(),
        })
    }
}

impl RegionPicker {
    /// The picker as a `<select>` named `name` (with its label), for a page whose forms name
    /// the region differently (`kode_wilayah`) or hold more than one picker; `any` offers
    /// "all regions" (a filter), otherwise a region must be chosen (a form that saves).
    pub fn select(
        &self,
        t: impl std::borrow::Borrow<Messages>,
        name: &str,
        id: &str,
        any: impl std::borrow::Borrow<bool>,
    ) -> String {
        self.select_marking(t.borrow(), name, id, *any.borrow(), None)
    }

    /// [`RegionPicker::select`] with `code` selected instead of the picker's chosen region
    /// (added first when it is not among the options).
    pub fn select_code(
        &self,
        t: impl std::borrow::Borrow<Messages>,
        name: &str,
        id: &str,
        any: impl std::borrow::Borrow<bool>,
        code: impl AsRef<str>,
    ) -> String {
        self.select_marking(t.borrow(), name, id, *any.borrow(), Some(code.as_ref()))
    }

    fn select_marking(
        &self,
        t: &Messages,
        name: &str,
        id: &str,
        any: bool,
        mark: Option<&str>,
    ) -> String {
        use crate::chart::escape;
        let mut html = format!(
            r#"<label for="{id}">{}</label> <select id="{id}" name="{name}"{}>"#,
            escape(t.get("picker.region")),
            if any { "" } else { " required" },
            id = escape(id),
            name = escape(name),
        );
        if any {
            html.push_str(&format!(
                r#"<option value="">{}</option>"#,
                escape(t.get("picker.all_regions"))
            ));
        }
        if let Some(m) = mark.filter(|m| !m.is_empty())
            && !self.options.iter().any(|o| o.0 == m)
        {
            html.push_str(&format!(
                r#"<option value="{0}" selected>{0}</option>"#,
                escape(m)
            ));
        }
        for (code, label, on) in &self.options {
            let selected = match mark {
                Some(m) => m == code,
                None => *on,
            };
            html.push_str(&format!(
                r#"<option value="{}"{}>{}</option>"#,
                escape(code),
                if selected { " selected" } else { "" },
                escape(label)
            ));
        }
        html.push_str("</select>");
        html
    }

    /// The areas a strategy's figures are entered for: its region and the regions one level
    /// below (Indonesia first for a national strategy).
    pub async fn for_strategy(
        state: &AppState,
        ui: &Ui,
        area: &sinergi_core::strategy::StrategyArea,
    ) -> Result<RegionPicker, AppError> {
        use sinergi_core::strategy::{NATIONAL, StrategyArea};
        match area {
            StrategyArea::Region(code) => RegionPicker::load(state, ui, Some(code)).await,
            StrategyArea::National => {
                let mut p = RegionPicker::load(state, ui, None).await?;
                p.options.insert(
                    0,
                    (
                        NATIONAL.to_string(),
                        ui.t.get("wilayah.indonesia").to_string(),
                        true,
                    ),
                );
                Ok(p)
            }
        }
    }

    /// The chosen region's name, without its indentation.
    pub fn chosen_name(&self) -> Option<String> {
        self.options
            .iter()
            .find(|o| o.2)
            .map(|o| o.1.trim_start_matches(['\u{a0}', '›', ' ']).to_string())
    }
}

/// The period options as the template writes them: value, words, chosen.
#[derive(Debug, Clone, Default)]
pub struct PeriodPicker {
    pub options: Vec<(String, String, bool)>,
}

impl PeriodPicker {
    /// The last `count` months up to `today`'s, newest first, in words ("November 2026");
    /// a chosen month outside them is kept as the first option.
    pub fn months(
        t: &Messages,
        today: NaiveDate,
        chosen: Option<&str>,
        count: u32,
    ) -> PeriodPicker {
        let (mut y, mut m) = (today.year(), today.month());
        let mut options = Vec::with_capacity(count as usize + 1);
        for _ in 0..count {
            let p = Period::Month(y, m as u8);
            let value = p.to_string();
            let on = chosen == Some(value.as_str());
            options.push((value, t.period(&p), on));
            if m == 1 {
                (y, m) = (y - 1, 12);
            } else {
                m -= 1;
            }
        }
        if let Some(c) = chosen.filter(|c| !c.is_empty())
            && !options.iter().any(|o| o.2)
        {
            options.insert(0, (c.to_string(), t.period_text(c), true));
        }
        PeriodPicker { options }
    }
}
