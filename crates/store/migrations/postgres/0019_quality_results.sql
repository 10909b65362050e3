-- The data-quality scorecard (issue 22), kept: the deployment's thresholds as versions (a
-- change adds one; never edited), and each scorecard as computed for one scope, level, region
-- and year, with the fingerprint of the data it was computed from. A page reads the kept
-- scorecard while the fingerprint and the thresholds are unchanged; otherwise it is computed
-- again and replaces the kept one.

CREATE TABLE quality_rules (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rules       TEXT NOT NULL,             -- JSON: insight::quality::QualityRules
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
);

CREATE TABLE quality_result (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_key    TEXT COLLATE "C" NOT NULL,
    level        TEXT NOT NULL CHECK (level IN ('kecamatan', 'kabkota', 'mitra')),
    within       TEXT COLLATE "C" NOT NULL DEFAULT '',
    year         BIGINT NOT NULL,
    rules_id     BIGINT REFERENCES quality_rules (id),
    stamp        TEXT NOT NULL,
    body         TEXT NOT NULL,
    computed_at  TEXT NOT NULL,
    computed_by  TEXT NOT NULL,
    millis       BIGINT NOT NULL,
    UNIQUE (scope_key, level, within, year)
);

-- The fingerprint reads the latest change times: indexed, so a kept scorecard's check stays
-- a handful of index look-ups however many values are held.
CREATE INDEX strategy_realisation_entered ON strategy_realisation (entered_at);
CREATE INDEX aggregate_value_loaded ON aggregate_value (loaded_at);
CREATE INDEX lks_report_updated ON lks_report (updated_at);
CREATE INDEX job_finished ON job (finished_at);
