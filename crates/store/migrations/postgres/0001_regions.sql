-- Regions (wilayah) with validity, so a code retired by pemekaran still resolves.
-- Codes use the C collation so that "52." <= code < "52/" selects a subtree by index range.
CREATE TABLE region (
    code        TEXT COLLATE "C" PRIMARY KEY,
    parent_code TEXT COLLATE "C",
    level       BIGINT NOT NULL CHECK (level BETWEEN 1 AND 4),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_full   TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    latitude    DOUBLE PRECISION,
    longitude   DOUBLE PRECISION,
    valid_from  DATE,
    valid_to    DATE,
    replaced_by TEXT COLLATE "C"
);
CREATE INDEX region_parent ON region (parent_code, name);
CREATE INDEX region_level ON region (level, valid_to);

CREATE TABLE region_name_history (
    code       TEXT COLLATE "C" NOT NULL,
    name       TEXT NOT NULL,
    valid_from DATE,
    valid_to   DATE,
    PRIMARY KEY (code, name)
);

CREATE TABLE region_version (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    effective_date DATE NOT NULL,
    source         TEXT NOT NULL,
    imported_at    TIMESTAMPTZ NOT NULL,
    added          BIGINT NOT NULL,
    renamed        BIGINT NOT NULL,
    retired        BIGINT NOT NULL,
    reactivated    BIGINT NOT NULL
);
