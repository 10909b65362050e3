-- Partners' programs (the 4W matrix: who, what, where, when) and imported region boundaries.
-- A program is keyed by its organisation and the partner's own code, so a re-import updates
-- it; its places live in program_location (down to desa), which the access scope filters on.

CREATE TABLE program (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id    BIGINT NOT NULL REFERENCES organisation (id),
    code               TEXT NOT NULL,
    name               TEXT NOT NULL,
    sector             TEXT NOT NULL,
    ppks               TEXT NOT NULL DEFAULT '',  -- PPKS slugs, comma separated
    aid_type           TEXT NOT NULL,
    funding_source     TEXT NOT NULL,
    budget_rp          BIGINT NOT NULL DEFAULT 0,
    start_date         TEXT NOT NULL,             -- YYYY-MM-DD
    end_date           TEXT NOT NULL,
    status             TEXT NOT NULL,
    desil_from         BIGINT NOT NULL,
    desil_to           BIGINT NOT NULL,
    age_min            BIGINT NOT NULL,
    age_max            BIGINT NOT NULL,
    sex                TEXT NOT NULL,
    disability_only    BOOLEAN NOT NULL DEFAULT FALSE,
    planned            BIGINT NOT NULL DEFAULT 0,
    reached            BIGINT NOT NULL DEFAULT 0,
    reached_male       BIGINT NOT NULL DEFAULT 0,
    reached_female     BIGINT NOT NULL DEFAULT 0,
    reached_children   BIGINT NOT NULL DEFAULT 0,
    reached_disability BIGINT NOT NULL DEFAULT 0,
    region_code        TEXT COLLATE "C" NOT NULL,             -- narrowest region holding every location
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    UNIQUE (organisation_id, code)
);
CREATE INDEX program_sector ON program (sector, start_date);

CREATE TABLE program_location (
    program_id  BIGINT NOT NULL REFERENCES program (id) ON DELETE CASCADE,
    region_code TEXT COLLATE "C" NOT NULL,
    planned     BIGINT NOT NULL DEFAULT 0,
    reached     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (program_id, region_code)
);
CREATE INDEX program_location_region ON program_location (region_code, program_id);

-- Polygons per Kemendagri code from `sinergi geo import` (GeoJSON or TopoJSON), as a JSON
-- array of polygons of rings of [lng, lat], for choropleth maps.
CREATE TABLE region_boundary (
    code        TEXT COLLATE "C" PRIMARY KEY,
    level       BIGINT NOT NULL,
    geometry    TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE INDEX region_boundary_level ON region_boundary (level, code);
