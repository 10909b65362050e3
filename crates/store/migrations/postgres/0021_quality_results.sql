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
