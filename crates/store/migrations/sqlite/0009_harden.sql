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
