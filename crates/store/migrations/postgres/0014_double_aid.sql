-- Double-aid check rounds (issue 19): a round compares the lists of invited partners for one
-- region and period, counting only the aid types named as the same help. A partner joins with
-- a list held in the store (linked in memory on the server) or an encoded file made on its
-- own machine (kept only until the round closes). Results are pairs of (partner, line of its
-- own list); closing a round freezes them.

CREATE TABLE double_aid_round (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_code     TEXT COLLATE "C" NOT NULL,
    period          TEXT NOT NULL,             -- a core Period: 2025, 2025-T3, 2025-07
    aid_types       TEXT NOT NULL DEFAULT '',  -- "tunai;sembako"; empty: every type counts
    status          TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    -- The last closed round of the same region when this one was opened (compared with it).
    previous_id     BIGINT REFERENCES double_aid_round (id),
    created_by      BIGINT REFERENCES app_user (id),
    created_at      TEXT NOT NULL,
    run_at          TEXT,
    closed_at       TEXT,
    candidate_pairs BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX double_aid_round_region ON double_aid_round (region_code, id);

-- An invited partner; `mode` is set when it joins (held: `list_id`; encoded: `encoded_file`,
-- deleted when the round closes).
CREATE TABLE double_aid_member (
    round_id        BIGINT NOT NULL REFERENCES double_aid_round (id),
    organisation_id BIGINT NOT NULL REFERENCES organisation (id),
    contact         TEXT NOT NULL DEFAULT '',
    mode            TEXT CHECK (mode IN ('held', 'encoded')),
    list_id         BIGINT REFERENCES person_list (id),
    encoded_file    TEXT,
    record_count    BIGINT NOT NULL DEFAULT 0,
    invited_at      TEXT NOT NULL,
    joined_at       TEXT,
    PRIMARY KEY (round_id, organisation_id)
);
CREATE INDEX double_aid_member_org ON double_aid_member (organisation_id, round_id);

-- A person found in two members' lists: each side is (organisation, line of its own file).
-- `certain` 1 is an overlap, 0 an uncertain pair for the two partners' review. `person_key`
-- (held lists: the store's keyed NIK hash, hex) lets a later round say what is new or resolved.
CREATE TABLE double_aid_pair (
    round_id        BIGINT NOT NULL REFERENCES double_aid_round (id),
    pair_no         BIGINT NOT NULL,
    org_a           BIGINT NOT NULL REFERENCES organisation (id),
    line_a          BIGINT NOT NULL,
    org_b           BIGINT NOT NULL REFERENCES organisation (id),
    line_b          BIGINT NOT NULL,
    region_code     TEXT COLLATE "C" NOT NULL,             -- the kecamatan
    aid_type        TEXT NOT NULL,
    probability     DOUBLE PRECISION NOT NULL,
    weight_nik      DOUBLE PRECISION NOT NULL,
    weight_kk       DOUBLE PRECISION NOT NULL,
    weight_filter   DOUBLE PRECISION NOT NULL,
    certain         BIGINT NOT NULL,
    person_key      TEXT,
    decision_a      TEXT CHECK (decision_a IN ('accept', 'reject')),
    decision_b      TEXT CHECK (decision_b IN ('accept', 'reject')),
    PRIMARY KEY (round_id, pair_no)
);
CREATE INDEX double_aid_pair_a ON double_aid_pair (round_id, org_a, line_a);
CREATE INDEX double_aid_pair_b ON double_aid_pair (round_id, org_b, line_b);
