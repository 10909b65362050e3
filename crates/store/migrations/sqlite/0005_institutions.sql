-- Institutions: the LKKS network, the LKS registry with monthly reports, and the partner
-- directory. Each extends one `organisation` row (one identity per body, which the access
-- scope already knows). Dates are ISO text (YYYY-MM-DD) on both backends.

CREATE INDEX organisation_kind ON organisation (kind, region_code);
-- Registry lists sort by name: read in index order and stop at the page.
CREATE INDEX organisation_kind_name ON organisation (kind, name, id);

-- One LKKS per region (the province or a kab/kota).
CREATE TABLE lkks (
    organisation_id  INTEGER PRIMARY KEY REFERENCES organisation (id),
    region_code      TEXT NOT NULL UNIQUE,
    body             TEXT NOT NULL,            -- LKKS, BKKKS, BK3S, K3S
    status           TEXT NOT NULL,            -- belum_dibentuk … tidak_aktif
    decree_number    TEXT,
    decree_date      TEXT,
    decree_signed_by TEXT,
    term_start       TEXT,
    term_end         TEXT,
    address          TEXT,
    phone            TEXT,
    email            TEXT,
    updated_at       TEXT NOT NULL
);

CREATE TABLE lkks_status_history (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    status          TEXT NOT NULL,
    changed_on      TEXT NOT NULL,
    note            TEXT,
    actor_name      TEXT NOT NULL,
    recorded_at     TEXT NOT NULL
);
CREATE INDEX lkks_status_history_org ON lkks_status_history (organisation_id, id);

CREATE TABLE lkks_board (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    position        TEXT NOT NULL,             -- ketua_umum, ketua_harian, sekretaris, bendahara, bidang
    title           TEXT,                      -- the division's name for a bidang
    name            TEXT NOT NULL,
    phone           TEXT,
    email           TEXT
);
CREATE INDEX lkks_board_org ON lkks_board (organisation_id, id);

-- Per year: annual report received, program synchronised for the coming year.
CREATE TABLE lkks_year (
    organisation_id    INTEGER NOT NULL REFERENCES organisation (id),
    year               INTEGER NOT NULL,
    report_received_on TEXT,
    program_synced_on  TEXT,
    note               TEXT,
    PRIMARY KEY (organisation_id, year)
);

-- A formation target of a province: every kab/kota at `target_status` by `due_date`.
CREATE TABLE formation_target (
    id            INTEGER PRIMARY KEY,
    region_code   TEXT NOT NULL,
    name          TEXT NOT NULL,
    target_status TEXT NOT NULL,
    due_date      TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX formation_target_region ON formation_target (region_code, due_date);

CREATE TABLE lks (
    organisation_id     INTEGER PRIMARY KEY REFERENCES organisation (id),
    registry_key        TEXT NOT NULL UNIQUE,  -- the registry's own number; import key
    lkks_id             INTEGER REFERENCES organisation (id),
    address             TEXT,
    latitude            REAL,
    longitude           REAL,
    deed_number         TEXT,                  -- akta notaris
    deed_date           TEXT,
    kemenkumham_decree  TEXT,
    npwp                TEXT,
    registration_number TEXT,                  -- Tanda Daftar
    registration_until  TEXT,
    permit_number       TEXT,                  -- izin operasional
    permit_until        TEXT,
    grade               TEXT,                  -- current accreditation, from lks_accreditation
    accredited_on       TEXT,
    accreditation_until TEXT,
    capacity            INTEGER NOT NULL DEFAULT 0,
    clients_male        INTEGER NOT NULL DEFAULT 0,
    clients_female      INTEGER NOT NULL DEFAULT 0,
    clients_child       INTEGER NOT NULL DEFAULT 0,
    clients_adult       INTEGER NOT NULL DEFAULT 0,
    clients_elderly     INTEGER NOT NULL DEFAULT 0,
    clients_disability  INTEGER NOT NULL DEFAULT 0,
    services            TEXT NOT NULL DEFAULT '', -- PPKS numbers, "2;8"
    contact_name        TEXT,
    phone               TEXT,
    email               TEXT,
    search_key          TEXT NOT NULL,         -- folded name and key
    updated_at          TEXT NOT NULL
);
CREATE INDEX lks_grade ON lks (grade, organisation_id);
CREATE INDEX lks_accreditation_until ON lks (accreditation_until);
CREATE INDEX lks_lkks ON lks (lkks_id);

-- Capacity and clients per PPKS category served (the LKS's totals split over them).
CREATE TABLE lks_service (
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    ppks            INTEGER NOT NULL CHECK (ppks BETWEEN 1 AND 26),
    capacity        INTEGER NOT NULL,
    clients         INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, ppks)
);
CREATE INDEX lks_service_ppks ON lks_service (ppks, organisation_id);

CREATE TABLE lks_accreditation (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    grade           TEXT NOT NULL CHECK (grade IN ('A', 'B', 'C')),
    accredited_on   TEXT NOT NULL,
    valid_until     TEXT NOT NULL,
    recorded_at     TEXT NOT NULL
);
CREATE INDEX lks_accreditation_org ON lks_accreditation (organisation_id, accredited_on);

CREATE TABLE lks_report (
    id                  INTEGER PRIMARY KEY,
    organisation_id     INTEGER NOT NULL REFERENCES organisation (id),
    period              TEXT NOT NULL,         -- YYYY-MM
    state               TEXT NOT NULL,         -- draf, diajukan, perlu_perbaikan, disetujui
    activities          TEXT NOT NULL,
    obstacles           TEXT NOT NULL,
    male                INTEGER NOT NULL,
    female              INTEGER NOT NULL,
    child               INTEGER NOT NULL,
    adult               INTEGER NOT NULL,
    elderly             INTEGER NOT NULL,
    disability          INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    submitted_at        TEXT,
    updated_at          TEXT NOT NULL,
    UNIQUE (organisation_id, period)
);
CREATE INDEX lks_report_period ON lks_report (period, state);

CREATE TABLE lks_report_comment (
    id         INTEGER PRIMARY KEY,
    report_id  INTEGER NOT NULL REFERENCES lks_report (id),
    at         TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    action     TEXT NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX lks_report_comment_report ON lks_report_comment (report_id, id);

CREATE TABLE partner (
    organisation_id INTEGER PRIMARY KEY REFERENCES organisation (id),
    registry_key    TEXT NOT NULL UNIQUE,
    helix           TEXT NOT NULL,
    kind            TEXT,
    sectors         TEXT NOT NULL DEFAULT '',  -- "anak;disabilitas"
    areas           TEXT NOT NULL DEFAULT '',  -- region codes, "52.03;52.04"
    contact_name    TEXT,
    phone           TEXT,
    email           TEXT,
    address         TEXT,
    search_key      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX partner_helix ON partner (helix, organisation_id);

CREATE TABLE partner_agreement (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    number          TEXT NOT NULL,             -- MoU / PKS number
    signed_on       TEXT,
    valid_until     TEXT,
    scope           TEXT NOT NULL,
    UNIQUE (organisation_id, number)
);
