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
