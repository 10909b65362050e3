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
