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
