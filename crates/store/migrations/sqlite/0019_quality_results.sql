-- The data-quality scorecard (issue 22), kept: the deployment's thresholds as versions (a
-- change adds one; never edited), and each scorecard as computed for one scope, level, region
-- and year, with the fingerprint of the data it was computed from. A page reads the kept
-- scorecard while the fingerprint and the thresholds are unchanged; otherwise it is computed
-- again and replaces the kept one.

CREATE TABLE quality_rules (
    id          INTEGER PRIMARY KEY,
    rules       TEXT NOT NULL,             -- JSON: insight::quality::QualityRules
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
);

CREATE TABLE quality_result (
    id           INTEGER PRIMARY KEY,
    scope_key    TEXT NOT NULL,            -- whose rows: the viewer's regions and organisation
    level        TEXT NOT NULL CHECK (level IN ('kecamatan', 'kabkota', 'mitra')),
    within       TEXT NOT NULL DEFAULT '', -- '' = all in scope
    year         INTEGER NOT NULL,
    rules_id     INTEGER REFERENCES quality_rules (id),  -- NULL = the defaults
    stamp        TEXT NOT NULL,            -- fingerprint of the data judged, and the day
    body         TEXT NOT NULL,            -- JSON: the graded rows and failing shares
    computed_at  TEXT NOT NULL,
    computed_by  TEXT NOT NULL,
    millis       INTEGER NOT NULL,         -- how long the computation took
    UNIQUE (scope_key, level, within, year)
);

-- The fingerprint reads the latest change times: indexed, so a kept scorecard's check stays
-- a handful of index look-ups however many values are held.
CREATE INDEX strategy_realisation_entered ON strategy_realisation (entered_at);
CREATE INDEX aggregate_value_loaded ON aggregate_value (loaded_at);
CREATE INDEX lks_report_updated ON lks_report (updated_at);
CREATE INDEX job_finished ON job (finished_at);
