-- Regions (wilayah) with validity, so a code retired by pemekaran still resolves.
CREATE TABLE region (
    code        TEXT PRIMARY KEY,
    parent_code TEXT,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_full   TEXT NOT NULL, -- folded name: lowercase, punctuation as spaces
    name_key    TEXT NOT NULL, -- folded name without "Kabupaten"/"Kota"
    latitude    REAL,
    longitude   REAL,
    valid_from  TEXT,
    valid_to    TEXT,
    replaced_by TEXT
) WITHOUT ROWID;
CREATE INDEX region_parent ON region (parent_code, name);
CREATE INDEX region_level ON region (level, valid_to);

-- Names a code carried before a rename (e.g. 12.12 Toba Samosir → Toba).
CREATE TABLE region_name_history (
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    valid_from TEXT,
    valid_to   TEXT,
    PRIMARY KEY (code, name)
);

-- Every list that was applied: the embedded one and each `sinergi wilayah import`.
CREATE TABLE region_version (
    id             INTEGER PRIMARY KEY,
    effective_date TEXT NOT NULL,
    source         TEXT NOT NULL,
    imported_at    TEXT NOT NULL,
    added          INTEGER NOT NULL,
    renamed        INTEGER NOT NULL,
    retired        INTEGER NOT NULL,
    reactivated    INTEGER NOT NULL
);
