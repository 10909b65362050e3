//! The deployment's rating bands and report letterhead.

#[allow(unused_imports)]
use super::*;

impl Scoped<'_> {
    /// The deployment's rating bands (the five-band default until set).
    pub async fn rating_bands(&self) -> Result<RatingBands, StoreError> {
        Ok(self
            .setting(BANDS_KEY)
            .await?
            .and_then(|s| RatingBands::from_json(&s).ok())
            .unwrap_or_else(RatingBands::five))
    }

    pub async fn letterhead(&self) -> Result<Letterhead, StoreError> {
        Ok(self
            .setting(LETTERHEAD_KEY)
            .await?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    /// Sets the rating bands and letterhead (an admin; audited).
    pub async fn set_strategy_settings(
        &self,
        bands: &RatingBands,
        letterhead: &Letterhead,
    ) -> Result<(), StoreError> {
        if !sinergi_core::strategy::may_change_settings(self.viewer()) {
            return Err(StoreError::Forbidden);
        }
        let bands = bands
            .clone()
            .validate()
            .map_err(|e| field("strategy.f.bands", e.msg()))?;
        let actor = self.actor();
        let kop = serde_json::to_string(letterhead).unwrap_or_default();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for (k, v) in [(BANDS_KEY, bands.to_json()), (LETTERHEAD_KEY, kop.clone())] {
                sqlx::query(
                    "INSERT INTO app_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .bind(k)
                .bind(&v)
                .execute(&mut *tx)
                .await?;
            }
            let event = AuditEvent::new(actor.clone(), "strategy.settings", "app_setting").after(
                serde_json::json!({ "pita": bands.to_json(), "kop": letterhead.lines, "logo": letterhead.logo_jpeg_base64.is_some() }),
            );
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }
}
