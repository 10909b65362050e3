//! The deployment's rating bands and report letterhead.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------- settings

#[derive(Template)]
#[template(path = "strategy_settings.html")]
pub(super) struct SettingsPage {
    ui: Ui,
    t: Messages,
    bands: RatingBands,
    letterhead: String,
    has_logo: bool,
    notice: Option<String>,
}

pub async fn settings_form(
    State(state): State<AppState>,
    ui: Ui,
    crate::auth::Admin(_user): crate::auth::Admin,
) -> Response {
    let result = async {
        let scoped = state.store.scoped(ui.viewer());
        let kop = scoped.letterhead().await?;
        Ok(SettingsPage {
            t: ui.t,
            ui: ui.clone(),
            bands: scoped.rating_bands().await?,
            letterhead: kop.lines.join("\n"),
            has_logo: kop.logo_jpeg_base64.is_some(),
            notice: None,
        })
    }
    .await;
    render(&ui, result)
}

pub async fn save_settings(
    State(state): State<AppState>,
    ui: Ui,
    crate::auth::Admin(user): crate::auth::Admin,
    mut multipart: Multipart,
) -> Response {
    let result = async {
        let mut preset = String::new();
        let mut kop = String::new();
        let mut logo: Option<Vec<u8>> = None;
        let mut drop_logo = false;
        let mut colours: HashMap<usize, String> = HashMap::new();
        while let Ok(Some(field)) = multipart.next_field().await {
            let name = field.name().unwrap_or("").to_string();
            if name == "logo" {
                let b = field
                    .bytes()
                    .await
                    .map_err(|_| bad(Msg::new("strategy.refuse.upload_broken")))?;
                if !b.is_empty() {
                    logo = Some(b.to_vec());
                }
                continue;
            }
            let text = field
                .text()
                .await
                .map_err(|_| bad(Msg::new("strategy.refuse.upload_broken")))?;
            match name.as_str() {
                "pita" => preset = text,
                "kop" => kop = text,
                "hapus_logo" => drop_logo = true,
                n if n.starts_with("warna_") => {
                    if let Ok(i) = n["warna_".len()..].parse() {
                        colours.insert(i, text.trim().to_string());
                    }
                }
                _ => {}
            }
        }
        let mut bands = match preset.as_str() {
            "empat" => RatingBands::four(),
            "lima" => RatingBands::five(),
            _ => state.store.scoped(&user.viewer).rating_bands().await?,
        };
        if preset.is_empty() || preset == "tetap" {
            for (i, c) in colours {
                if let Some(b) = bands.bands.get_mut(i) {
                    b.colour = c;
                }
            }
        }
        let mut letterhead = state.store.scoped(&user.viewer).letterhead().await?;
        letterhead.lines = lines(&kop);
        if let Some(bytes) = logo {
            if !sinergi_report::pdf::is_usable_jpeg(&bytes) {
                return Err(bad(Msg::new("strategy.settings.logo_bad")));
            }
            use base64::Engine;
            letterhead.logo_jpeg_base64 =
                Some(base64::engine::general_purpose::STANDARD.encode(bytes));
        } else if drop_logo {
            letterhead.logo_jpeg_base64 = None;
        }
        state
            .store
            .scoped(&user.viewer)
            .set_strategy_settings(&bands, &letterhead)
            .await?;
        Ok(SettingsPage {
            t: ui.t,
            ui: ui.clone(),
            bands,
            has_logo: letterhead.logo_jpeg_base64.is_some(),
            letterhead: letterhead.lines.join("\n"),
            notice: Some(ui.t.get("strategy.settings.saved").to_string()),
        })
    }
    .await;
    render(&ui, result)
}
