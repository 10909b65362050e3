-- Figures for Indonesia as a whole (child marriage 5,90 % beside a province's 14,96 %), and
-- figures per group: sex × age band × disability, the cross-table the boards read
-- (beneficiaries, program reach, LKS clients). Both keep source and kind like aggregate_value.

CREATE TABLE national_value (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    element      TEXT NOT NULL,
    period       TEXT NOT NULL,
    value        DOUBLE PRECISION NOT NULL,
    unit         TEXT NOT NULL,
    source       TEXT NOT NULL,
    source_type  TEXT NOT NULL CHECK (source_type IN ('survey', 'administrative')),
    estimated    BOOLEAN NOT NULL DEFAULT FALSE,
    note         TEXT,
    loaded_at    TEXT NOT NULL,
    UNIQUE (element, period, source)
);

-- One cell of a cross-table; '' in a group column is "all" (a margin or the total).
CREATE TABLE aggregate_group_value (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_code  TEXT COLLATE "C" NOT NULL,
    element      TEXT NOT NULL,            -- penerima_manfaat, jangkauan_program, klien_lks
    period       TEXT NOT NULL,
    sex          TEXT NOT NULL DEFAULT '' CHECK (sex IN ('', 'laki_laki', 'perempuan')),
    age_band     TEXT NOT NULL DEFAULT '' CHECK (age_band IN ('', '0_17', '18_59', '60_plus')),
    disability   TEXT NOT NULL DEFAULT '' CHECK (disability IN ('', 'ya', 'tidak')),
    value        DOUBLE PRECISION NOT NULL,
    unit         TEXT NOT NULL,
    source       TEXT NOT NULL,
    source_type  TEXT NOT NULL CHECK (source_type IN ('survey', 'administrative')),
    estimated    BOOLEAN NOT NULL DEFAULT FALSE,
    note         TEXT,
    loaded_at    TEXT NOT NULL,
    UNIQUE (region_code, element, period, source, sex, age_band, disability)
);
CREATE INDEX aggregate_group_value_element ON aggregate_group_value (element, period, region_code);
