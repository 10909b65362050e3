-- Program cycles (issue 20): the verification steps a cycle asks of every beneficiary before
-- approval (documents checked, home visit, school confirmation), and each verification
-- note's step and outcome. Approval includes only beneficiaries whose latest record of every
-- step passed.

ALTER TABLE program_cycle ADD COLUMN steps TEXT NOT NULL DEFAULT '';   -- "dokumen,konfirmasi_sekolah"
ALTER TABLE cycle_note ADD COLUMN step TEXT;                           -- a step key, for verifikasi
ALTER TABLE cycle_note ADD COLUMN outcome TEXT CHECK (outcome IN ('lulus', 'gagal'));

-- Facts about a registry person the list rows do not hold, supplied by an upload (school
-- participation, level, disability): what eligibility rules read besides desil, age, sex and
-- region. Removed with the person's row when its list is replaced.
CREATE TABLE person_fact (
    person_id       INTEGER PRIMARY KEY,
    in_school       INTEGER,                   -- 1 ya / 0 tidak
    level           TEXT,                      -- SD / SMP / SMA
    disability      INTEGER,                   -- 1 ya / 0 tidak
    updated_at      TEXT NOT NULL
);
