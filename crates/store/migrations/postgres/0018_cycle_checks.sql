-- Program cycles (issue 20): enrolment's two checks. The linkage engine finds the same person
-- on two beneficiary records of a cycle (NIK missing or mistyped, a name variant): each pair
-- waits for the partner's decision (same person: the later record leaves the list; different
-- people: both stay) and the cycle cannot be submitted or approved while one waits. The
-- double-aid check (held-list path) flags a beneficiary already receiving the same aid type
-- from another partner: the other partners' names are kept with the beneficiary.

ALTER TABLE cycle_member ADD COLUMN duplicate_of BIGINT REFERENCES cycle_member (id);
ALTER TABLE cycle_member ADD COLUMN double_aid TEXT;  -- other partners, "; "-separated

CREATE TABLE cycle_duplicate (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id        BIGINT NOT NULL REFERENCES program_cycle (id),
    member_a        BIGINT NOT NULL REFERENCES cycle_member (id),   -- enrolled first
    member_b        BIGINT NOT NULL REFERENCES cycle_member (id),   -- enrolled later
    probability     DOUBLE PRECISION NOT NULL,
    decision        TEXT CHECK (decision IN ('sama', 'beda')),
    decided_by      TEXT,
    decided_at      TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (member_a, member_b)
);
CREATE INDEX cycle_duplicate_cycle ON cycle_duplicate (cycle_id, id);
