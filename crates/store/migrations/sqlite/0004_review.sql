-- Clerical review queues: the uncertain pairs of a linkage run, owned by an organisation in a
-- region (the access scope applies to them like to person lists), and the verdicts given.
CREATE TABLE review_queue (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    region_code     TEXT NOT NULL,
    columns_json    TEXT NOT NULL,
    pair_count      INTEGER NOT NULL,
    created_by      INTEGER REFERENCES app_user (id),
    created_at      TEXT NOT NULL
);
CREATE INDEX review_queue_scope ON review_queue (region_code, organisation_id);

CREATE TABLE review_pair (
    queue_id    INTEGER NOT NULL REFERENCES review_queue (id),
    pair_no     INTEGER NOT NULL,
    left_id     TEXT NOT NULL,
    right_id    TEXT NOT NULL,
    probability REAL NOT NULL,
    weight      REAL NOT NULL,
    fields_json TEXT NOT NULL,
    decision    TEXT,
    decided_by  INTEGER REFERENCES app_user (id),
    decided_at  TEXT,
    PRIMARY KEY (queue_id, pair_no)
) WITHOUT ROWID;
