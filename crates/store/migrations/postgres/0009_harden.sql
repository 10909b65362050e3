-- Name search: a trigram index over the folded names, so `name_key LIKE '%siti%'` reads the
-- index instead of every row. pg_trgm ships with PostgreSQL and is a trusted extension
-- (13+); where it cannot be created, search still works, by scanning, and the notice says so.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX IF NOT EXISTS person_record_name_trgm
        ON person_record USING gin (name_key gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm unavailable (%): name search scans person_record', SQLERRM;
END
$$;

-- Published aggregates are cached in the server; this counter tells it when person rows
-- changed, whoever changed them. Bumped once per statement; the row lock it takes is held
-- to the writer's commit, so readers never see a new number before the new rows.
CREATE TABLE data_generation (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO data_generation (name, value) VALUES ('person_record', 1);
CREATE FUNCTION bump_person_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_generation SET value = value + 1 WHERE name = 'person_record';
    RETURN NULL;
END
$$;
CREATE TRIGGER person_record_generation
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON person_record
    FOR EACH STATEMENT EXECUTE FUNCTION bump_person_generation();
