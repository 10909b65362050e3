-- The collaboration strategy (issue 6): a strategy has versions; a published version is
-- frozen (the store refuses changes; amendments copy it into a new draft). Realisation is keyed
-- like a DHIS2 data value: indicator code × disaggregation × region × period × source, and
-- belongs to the strategy (not a version), so it stays readable across amendments.

CREATE TABLE strategy (
    id           INTEGER PRIMARY KEY,
    region_code  TEXT NOT NULL,            -- the province (or kab/kota) whose strategy it is
    title        TEXT NOT NULL,
    year_from    INTEGER NOT NULL,
    year_to      INTEGER NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE strategy_version (
    id            INTEGER PRIMARY KEY,
    strategy_id   INTEGER NOT NULL REFERENCES strategy (id),
    number        INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'published', 'superseded')),
    vision        TEXT NOT NULL,
    missions_json TEXT NOT NULL,
    note          TEXT,
    created_at    TEXT NOT NULL,
    published_at  TEXT,
    UNIQUE (strategy_id, number)
);

CREATE TABLE strategy_objective (
    id         INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES strategy_version (id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    UNIQUE (version_id, code)
);

CREATE TABLE strategy_indicator (
    id                 INTEGER PRIMARY KEY,
    version_id         INTEGER NOT NULL REFERENCES strategy_version (id),
    objective_id       INTEGER NOT NULL REFERENCES strategy_objective (id),
    code               TEXT NOT NULL,
    name               TEXT NOT NULL,
    definition         TEXT NOT NULL,
    formula            TEXT NOT NULL,
    unit               TEXT NOT NULL,
    direction          TEXT NOT NULL CHECK (direction IN ('naik', 'turun')),
    reference_code     TEXT,
    data_source        TEXT NOT NULL,
    source_type        TEXT NOT NULL CHECK (source_type IN ('survey', 'administrative')),
    concept            TEXT NOT NULL,      -- survey and administrative indicators of one concept share it
    disaggregations    TEXT NOT NULL DEFAULT '',
    baseline_year      INTEGER,
    baseline_value     REAL,
    baseline_source    TEXT,
    pic                TEXT NOT NULL DEFAULT '',
    pic_organisation_id INTEGER REFERENCES organisation (id),
    computation        TEXT,
    position           INTEGER NOT NULL,
    UNIQUE (version_id, code)
);
CREATE INDEX strategy_indicator_objective ON strategy_indicator (objective_id, position);

CREATE TABLE strategy_target (
    indicator_id INTEGER NOT NULL REFERENCES strategy_indicator (id),
    region_code  TEXT NOT NULL,
    year         INTEGER NOT NULL,
    value        REAL NOT NULL,
    PRIMARY KEY (indicator_id, region_code, year)
) WITHOUT ROWID;

CREATE TABLE strategy_realisation (
    id             INTEGER PRIMARY KEY,
    strategy_id    INTEGER NOT NULL REFERENCES strategy (id),
    indicator_code TEXT NOT NULL,
    disaggregation TEXT NOT NULL DEFAULT '',   -- '' = total; else dimension=value
    region_code    TEXT NOT NULL,
    period         TEXT NOT NULL,              -- 2025-Q3 or 2025
    source         TEXT NOT NULL,
    value          REAL NOT NULL,
    drivers        TEXT NOT NULL DEFAULT '',
    obstacles      TEXT NOT NULL DEFAULT '',
    follow_up      TEXT NOT NULL DEFAULT '',
    method         TEXT NOT NULL CHECK (method IN ('form', 'import', 'computed')),
    entered_by     INTEGER REFERENCES app_user (id),
    entered_at     TEXT NOT NULL,
    UNIQUE (strategy_id, indicator_code, disaggregation, region_code, period, source)
);
CREATE INDEX strategy_realisation_period ON strategy_realisation (strategy_id, period, region_code);

CREATE TABLE strategy_period_lock (
    strategy_id INTEGER NOT NULL REFERENCES strategy (id),
    period      TEXT NOT NULL,
    locked_by   TEXT NOT NULL,
    locked_at   TEXT NOT NULL,
    PRIMARY KEY (strategy_id, period)
) WITHOUT ROWID;

CREATE TABLE strategy_validation_rule (
    id          INTEGER PRIMARY KEY,
    strategy_id INTEGER NOT NULL REFERENCES strategy (id),
    name        TEXT NOT NULL,
    left_code   TEXT NOT NULL,
    check_json  TEXT NOT NULL
);
