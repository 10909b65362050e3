-- Indeks Prioritas and the data-quality scorecard (issue 22). A method (indicators, weights,
-- treatment, sensitivity) is data and never edited: a change is a new version. A published
-- ranking names its method version and the data periods it drew on, and keeps its rows.

CREATE TABLE priority_method (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    definition  TEXT NOT NULL,             -- JSON: insight::priority::Method + sensitivity
    note        TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE priority_ranking (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    method_id     BIGINT NOT NULL REFERENCES priority_method (id),
    level         TEXT NOT NULL CHECK (level IN ('desa', 'kecamatan', 'kabkota')),
    within        TEXT COLLATE "C",                    -- the region ranked below; NULL = all held
    periods       TEXT NOT NULL,           -- JSON: element → period drawn on
    published_at  TEXT NOT NULL,
    published_by  TEXT NOT NULL
);

CREATE TABLE priority_ranking_row (
    ranking_id     BIGINT NOT NULL REFERENCES priority_ranking (id),
    region_code    TEXT COLLATE "C" NOT NULL,
    score          DOUBLE PRECISION,
    rank           BIGINT NOT NULL,
    median_rank    BIGINT,
    p5_rank        BIGINT,
    p95_rank       BIGINT,
    unstable       BOOLEAN NOT NULL DEFAULT FALSE,
    contributions  TEXT NOT NULL,          -- JSON array, method indicator order
    PRIMARY KEY (ranking_id, region_code)
);
CREATE INDEX priority_ranking_row_rank ON priority_ranking_row (ranking_id, rank);

-- A scorecard cell someone will look into. Never deleted, and the value it flags is never
-- changed by it: only its owner and status move.
CREATE TABLE quality_followup (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_code  TEXT COLLATE "C" NOT NULL,
    check_key    TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',  -- e.g. the indicator and period of an outlier
    owner        TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('terbuka', 'ditangani', 'selesai')),
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX quality_followup_region ON quality_followup (region_code, check_key);
