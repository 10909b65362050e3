-- Accounts, scopes, sessions, person-level lists with encrypted identifiers, and the
-- hash-chained audit log. Times are RFC 3339 UTC text with microseconds (same bytes on both
-- backends, so audit hashes verify anywhere).

CREATE TABLE organisation (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,            -- lkks, lks, mitra
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL,            -- seat of the organisation
    created_at  TEXT NOT NULL
);
CREATE INDEX organisation_region ON organisation (region_code);

CREATE TABLE app_user (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL,
    organisation_id      INTEGER REFERENCES organisation (id),
    disabled             INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL,
    password_changed_at  TEXT NOT NULL
);

CREATE TABLE user_region (
    user_id     INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    region_code TEXT NOT NULL,
    PRIMARY KEY (user_id, region_code)
) WITHOUT ROWID;

-- Only a hash of the session token is kept: a copy of the database opens no session.
CREATE TABLE user_session (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX user_session_user ON user_session (user_id);

-- Failed logins per account ("akun:<name>") and per address ("alamat:<ip>").
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start TEXT NOT NULL,
    locked_until TEXT
) WITHOUT ROWID;

-- A person-level list always names its legal basis (UU 27/2022).
CREATE TABLE person_list (
    id                INTEGER PRIMARY KEY,
    organisation_id   INTEGER NOT NULL REFERENCES organisation (id),
    name              TEXT NOT NULL,
    legal_basis       TEXT NOT NULL CHECK (length(legal_basis) > 0),
    consent_reference TEXT,
    source_file       TEXT,
    created_by        INTEGER REFERENCES app_user (id),
    created_at        TEXT NOT NULL,
    row_count         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE person_record (
    id              INTEGER PRIMARY KEY,
    list_id         INTEGER NOT NULL REFERENCES person_list (id),
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    region_code     TEXT NOT NULL,
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    sex             TEXT,
    birth_date      TEXT,
    nik_cipher      BLOB,
    nik_hash        BLOB,
    nik_masked      TEXT,
    kk_cipher       BLOB,
    kk_hash         BLOB,
    kk_masked       TEXT,
    source_line     INTEGER,
    created_at      TEXT NOT NULL
);
CREATE INDEX person_record_region ON person_record (region_code, id);
CREATE INDEX person_record_org ON person_record (organisation_id, region_code, id);
CREATE INDEX person_record_list ON person_record (list_id);
CREATE INDEX person_record_nik ON person_record (nik_hash);
CREATE INDEX person_record_kk ON person_record (kk_hash);

CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT,
    region_code TEXT,
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_region ON audit_log (region_code, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log hanya boleh ditambah'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log hanya boleh ditambah'); END;

-- The chain's head, one row: appenders update it first, which serialises them.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE app_setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
