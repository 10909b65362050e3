-- Program cycles (issue 20): the verification steps a cycle asks of every beneficiary before
-- approval (documents checked, home visit, school confirmation), and each verification
-- note's step and outcome. Approval includes only beneficiaries whose latest record of every
-- step passed.

ALTER TABLE program_cycle ADD COLUMN steps TEXT NOT NULL DEFAULT '';   -- "dokumen,konfirmasi_sekolah"
ALTER TABLE cycle_note ADD COLUMN step TEXT;                           -- a step key, for verifikasi
ALTER TABLE cycle_note ADD COLUMN outcome TEXT CHECK (outcome IN ('lulus', 'gagal'));
