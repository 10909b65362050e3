-- Published and administrative figures per region (Desil counts, poverty, child marriage,
-- stunting), each with its source and whether it comes from a survey or from records: the two
-- kinds measure differently and are never mixed.

CREATE TABLE aggregate_value (
    id           INTEGER PRIMARY KEY,
    region_code  TEXT NOT NULL,
    element      TEXT NOT NULL,            -- data element key, e.g. keluarga_desil_1
    period       TEXT NOT NULL,            -- e.g. 2025-Q3, 2024-03, 2023
    value        REAL NOT NULL,
    unit         TEXT NOT NULL,            -- persen, keluarga
    source       TEXT NOT NULL,
    source_type  TEXT NOT NULL CHECK (source_type IN ('survey', 'administrative')),
    estimated    INTEGER NOT NULL DEFAULT 0,
    note         TEXT,
    loaded_at    TEXT NOT NULL,
    UNIQUE (region_code, element, period, source)
);
CREATE INDEX aggregate_value_element ON aggregate_value (element, period, region_code);
