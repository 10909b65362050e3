//! Validation rules over realisation values of one region and period.

#[allow(unused_imports)]
use super::*;

impl Scoped<'_> {
    pub async fn validation_rules(
        &self,
        strategy_id: i64,
    ) -> Result<Vec<ValidationRule>, StoreError> {
        let rows: Vec<(i64, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT id, name, left_code, check_json FROM strategy_validation_rule WHERE strategy_id = $1 ORDER BY id"
        )
        .bind(strategy_id)
        .fetch_all(pool)
        .await
        })?;
        rows.into_iter()
            .map(|r| {
                Ok(ValidationRule {
                    id: r.0,
                    name: r.1,
                    left: r.2,
                    check: serde_json::from_str::<RuleCheck>(&r.3)
                        .map_err(|e| StoreError::Corrupt(format!("aturan {}: {e}", r.0)))?,
                })
            })
            .collect()
    }

    /// Adds a validation rule (admins of the strategy's region).
    pub async fn add_validation_rule(
        &self,
        strategy_id: i64,
        name: &str,
        left: &str,
        check: &RuleCheck,
    ) -> Result<i64, StoreError> {
        let strategy = self
            .strategy_row(strategy_id)
            .await?
            .ok_or_else(strategy_missing)?;
        if !sinergi_core::strategy::may_manage(self.viewer(), &strategy.region) {
            return Err(StoreError::Forbidden);
        }
        if name.trim().is_empty() {
            return Err(required("strategy.f.rule_name"));
        }
        let tree = self.load_tree(strategy_id, None, true).await?;
        let known = |c: &str| tree.as_ref().is_some_and(|t| t.indicator(c).is_some());
        if !known(left.trim()) {
            return Err(field(
                "strategy.f.rule_left",
                Msg::new("strategy.refuse.indicator_missing").arg("code", left.trim()),
            ));
        }
        match check {
            RuleCheck::Compare { right, .. } if !known(right.trim()) => {
                return Err(field(
                    "strategy.f.rule_right",
                    Msg::new("strategy.refuse.indicator_missing").arg("code", right.trim()),
                ));
            }
            RuleCheck::Range {
                min: Some(a),
                max: Some(b),
            } if a > b => {
                return Err(field(
                    "strategy.f.range",
                    Msg::new("strategy.refuse.range_order")
                        .arg("min", a)
                        .arg("max", b),
                ));
            }
            RuleCheck::Range {
                min: None,
                max: None,
            } => {
                return Err(field(
                    "strategy.f.range",
                    Msg::new("strategy.refuse.range_empty"),
                ));
            }
            _ => {}
        }
        let actor = self.actor();
        let json = serde_json::to_string(check).unwrap_or_default();
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO strategy_validation_rule (strategy_id, name, left_code, check_json) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(strategy_id)
            .bind(name.trim())
            .bind(left.trim())
            .bind(&json)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "strategy.rule", "strategy_validation_rule")
                .id(id)
                .region(strategy.region.as_str())
                .after(
                    serde_json::json!({ "nama": name.trim(), "kiri": left.trim(), "uji": check }),
                );
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }
}
