-- Person lists keep what their rows say (issue 16): details, the aid each row records, the
-- warnings raised while reading; the file's content hash refuses a second import of the same
-- bytes; imports and other heavy work run as jobs whose state survives a restart.

ALTER TABLE person_list ADD COLUMN content_hash TEXT;
ALTER TABLE person_list ADD COLUMN warning_count BIGINT NOT NULL DEFAULT 0;
-- A corrected list replaces an earlier one: the earlier keeps its row (provenance), loses its
-- records, and no longer blocks its file.
ALTER TABLE person_list ADD COLUMN replaced_by BIGINT REFERENCES person_list (id);
CREATE UNIQUE INDEX person_list_content ON person_list (organisation_id, content_hash)
    WHERE content_hash IS NOT NULL AND replaced_by IS NULL;

ALTER TABLE person_record ADD COLUMN birthplace TEXT;
-- An address is personal: sealed like the NIK.
ALTER TABLE person_record ADD COLUMN address_cipher BYTEA;
ALTER TABLE person_record ADD COLUMN desil BIGINT;

-- One warning of one stored row (message key and arguments as JSON, rendered by the catalogue).
CREATE TABLE person_warning (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    list_id     BIGINT NOT NULL REFERENCES person_list (id),
    source_line BIGINT NOT NULL,
    message     TEXT NOT NULL
);
CREATE INDEX person_warning_list ON person_warning (list_id, source_line);

-- Who received what, when, from whom: one per list row that records aid.
CREATE TABLE distribution (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    list_id         BIGINT NOT NULL REFERENCES person_list (id),
    person_id       BIGINT REFERENCES person_record (id),
    organisation_id BIGINT NOT NULL REFERENCES organisation (id),
    region_code     TEXT COLLATE "C" NOT NULL,
    nik_hash        BYTEA,
    program         TEXT,
    aid_type        TEXT,
    received_on     TEXT,
    amount_rupiah   BIGINT,
    source_line     BIGINT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX distribution_region ON distribution (region_code, id);
CREATE INDEX distribution_org ON distribution (organisation_id, region_code, id);
CREATE INDEX distribution_list ON distribution (list_id, source_line);
CREATE INDEX distribution_nik ON distribution (nik_hash);

CREATE TABLE job (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           TEXT NOT NULL,
    owner_id       BIGINT REFERENCES app_user (id),
    state          TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    progress_done  BIGINT NOT NULL DEFAULT 0,
    progress_total BIGINT NOT NULL DEFAULT 0,
    label          TEXT NOT NULL,
    result_json    TEXT,
    error_json     TEXT,
    created_at     TEXT NOT NULL,
    finished_at    TEXT
);
CREATE INDEX job_state ON job (state);

-- A list's rows by their line: distributions and warnings find their person by it.
DROP INDEX person_record_list;
CREATE INDEX person_record_list ON person_record (list_id, source_line);
