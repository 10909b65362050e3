-- Name search: a trigram index over the folded names, so `name_key LIKE '%siti%'` reads the
-- index instead of every row. External content (the names stay only in person_record); the
-- triggers keep it in step with every insert, rename and delete, whoever writes.
CREATE VIRTUAL TABLE person_name_index USING fts5(
    name_key, content = 'person_record', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO person_name_index (person_name_index) VALUES ('rebuild');

CREATE TRIGGER person_name_index_insert AFTER INSERT ON person_record BEGIN
    INSERT INTO person_name_index (rowid, name_key) VALUES (new.id, new.name_key);
END;
CREATE TRIGGER person_name_index_delete AFTER DELETE ON person_record BEGIN
    INSERT INTO person_name_index (person_name_index, rowid, name_key)
        VALUES ('delete', old.id, old.name_key);
END;
CREATE TRIGGER person_name_index_update AFTER UPDATE OF name_key ON person_record BEGIN
    INSERT INTO person_name_index (person_name_index, rowid, name_key)
        VALUES ('delete', old.id, old.name_key);
    INSERT INTO person_name_index (rowid, name_key) VALUES (new.id, new.name_key);
END;

-- Published aggregates are cached in the server; this counter tells it when person rows
-- changed, whoever changed them (the server, the CLI, another server on the same file).
CREATE TABLE data_generation (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO data_generation (name, value) VALUES ('person_record', 1);
CREATE TRIGGER person_record_generation_insert AFTER INSERT ON person_record BEGIN
    UPDATE data_generation SET value = value + 1 WHERE name = 'person_record';
END;
CREATE TRIGGER person_record_generation_update AFTER UPDATE ON person_record BEGIN
    UPDATE data_generation SET value = value + 1 WHERE name = 'person_record';
END;
CREATE TRIGGER person_record_generation_delete AFTER DELETE ON person_record BEGIN
    UPDATE data_generation SET value = value + 1 WHERE name = 'person_record';
END;
