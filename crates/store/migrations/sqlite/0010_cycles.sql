-- Program cycles (issue 20): eligibility rules as data, cycles in OpenSPP's states, the
-- beneficiaries of a cycle (frozen at approval), their entitlements per tranche and payment
-- results, and the notes kept about them (verification, mentoring, grievances). Rows carry
-- the program's organisation and a region so the one row filter reaches them.

CREATE TABLE eligibility_rule (
    id              INTEGER PRIMARY KEY,
    program_id      INTEGER NOT NULL REFERENCES program (id),
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    region_code     TEXT NOT NULL,             -- the program's home region
    version         INTEGER NOT NULL,
    expression      TEXT NOT NULL,
    cases_json      TEXT NOT NULL,             -- test cases stored with the rule
    status          TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    matched         INTEGER,                   -- people in scope matching, counted before publishing
    checked         INTEGER,                   -- people in scope evaluated for that count
    created_at      TEXT NOT NULL,
    published_at    TEXT,
    UNIQUE (program_id, version)
);

CREATE TABLE program_cycle (
    id              INTEGER PRIMARY KEY,
    program_id      INTEGER NOT NULL REFERENCES program (id),
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    region_code     TEXT NOT NULL,
    name            TEXT NOT NULL,
    start_date      TEXT NOT NULL,
    end_date        TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN
                        ('draft', 'to_approve', 'approved', 'distributed', 'ended', 'cancelled')),
    rule_id         INTEGER REFERENCES eligibility_rule (id),
    amount_rule     TEXT NOT NULL,             -- "flat:300000" or "jenjang:SD=…,SMP=…,SMA=…"
    tranches        INTEGER NOT NULL,
    approved_at     TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX program_cycle_program ON program_cycle (program_id, id);

CREATE TABLE cycle_member (
    id              INTEGER PRIMARY KEY,
    cycle_id        INTEGER NOT NULL REFERENCES program_cycle (id),
    person_id       INTEGER REFERENCES person_record (id),
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    region_code     TEXT NOT NULL,             -- the person's desa
    name            TEXT NOT NULL,
    nik_masked      TEXT,
    sex             TEXT,
    level           TEXT,                      -- SD / SMP / SMA
    disability      INTEGER NOT NULL DEFAULT 0,
    facts_json      TEXT NOT NULL,             -- what the rule was evaluated on
    source          TEXT NOT NULL CHECK (source IN ('registri', 'daftar', 'manual')),
    reason          TEXT,                      -- required for a manual addition
    verdict         TEXT NOT NULL,             -- memenuhi / tidak_memenuhi / tidak_dapat_dinilai
    verdict_note    TEXT,
    included        INTEGER NOT NULL DEFAULT 1, -- 0: dropped at approval's re-check
    amount_rupiah   INTEGER,                   -- per tranche, frozen at approval
    exit_kind       TEXT,                      -- lulus / pindah / berhenti
    exit_reason     TEXT,
    exit_on         TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (cycle_id, person_id)
);
CREATE INDEX cycle_member_cycle ON cycle_member (cycle_id, id);
CREATE INDEX cycle_member_scope ON cycle_member (organisation_id, region_code);

CREATE TABLE entitlement (
    id              INTEGER PRIMARY KEY,
    cycle_id        INTEGER NOT NULL REFERENCES program_cycle (id),
    member_id       INTEGER NOT NULL REFERENCES cycle_member (id),
    tranche         INTEGER NOT NULL,
    amount_rupiah   INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('approved', 'paid', 'failed')),
    result_note     TEXT,                      -- bank reference, or why it failed
    result_at       TEXT,
    UNIQUE (member_id, tranche)
);
CREATE INDEX entitlement_cycle ON entitlement (cycle_id, tranche, id);

CREATE TABLE cycle_note (
    id              INTEGER PRIMARY KEY,
    cycle_id        INTEGER NOT NULL REFERENCES program_cycle (id),
    member_id       INTEGER NOT NULL REFERENCES cycle_member (id),
    kind            TEXT NOT NULL CHECK (kind IN ('verifikasi', 'pendampingan', 'pengaduan')),
    on_date         TEXT NOT NULL,
    author          TEXT NOT NULL,
    body            TEXT NOT NULL,
    follow_up       TEXT,                      -- mentoring follow-up; verification outcome
    status          TEXT,                      -- grievance: diterima / ditinjau / selesai / banding
    entitlement_id  INTEGER REFERENCES entitlement (id),
    created_at      TEXT NOT NULL
);
CREATE INDEX cycle_note_member ON cycle_note (member_id, id);
