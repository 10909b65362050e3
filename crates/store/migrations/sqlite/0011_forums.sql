-- Forums (issue 21): a standing body or series owned by an LKKS; its meetings with agenda,
-- invitations and attendance, decisions per agenda item and follow-up actions. Meetings and
-- actions carry their forum's region and LKKS, so the row filter needs no join. Dates are
-- ISO text; a meeting's start is stored in UTC and shown on its region's clock.

CREATE TABLE forum (
    id          INTEGER PRIMARY KEY,
    lkks_id     INTEGER NOT NULL REFERENCES organisation (id),
    region_code TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,             -- koordinasi, forum, pelatihan, komisi
    description TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX forum_region ON forum (region_code, id);

CREATE TABLE meeting (
    id               INTEGER PRIMARY KEY,
    forum_id         INTEGER NOT NULL REFERENCES forum (id),
    lkks_id          INTEGER NOT NULL REFERENCES organisation (id),
    region_code      TEXT NOT NULL,
    title            TEXT NOT NULL,
    kind             TEXT NOT NULL,
    starts_at        TEXT NOT NULL,        -- UTC, "YYYY-MM-DD HH:MM:SS"
    place            TEXT,
    online_link      TEXT,
    organiser        TEXT,
    status           TEXT NOT NULL,        -- direncanakan, terlaksana, ditutup
    commissions      TEXT NOT NULL DEFAULT '',  -- "Komisi A;Komisi B"
    topics           TEXT NOT NULL DEFAULT '',  -- training topics, "literasi data;DTSEN"
    minutes          TEXT,
    minutes_file     TEXT,
    minutes_hash     TEXT,
    attendance_count INTEGER,
    closed_at        TEXT,
    created_at       TEXT NOT NULL
);
CREATE INDEX meeting_forum ON meeting (forum_id, starts_at, id);
CREATE INDEX meeting_region_start ON meeting (region_code, starts_at);

CREATE TABLE agenda_item (
    id               INTEGER PRIMARY KEY,
    meeting_id       INTEGER NOT NULL REFERENCES meeting (id),
    position         INTEGER NOT NULL,
    title            TEXT NOT NULL,
    commission       TEXT,
    carried_action_id INTEGER              -- an open action rolled onto this agenda
);
CREATE INDEX agenda_item_meeting ON agenda_item (meeting_id, position);

CREATE TABLE invitation (
    id                INTEGER PRIMARY KEY,
    meeting_id        INTEGER NOT NULL REFERENCES meeting (id),
    organisation_id   INTEGER REFERENCES organisation (id),
    organisation_name TEXT,
    helix             TEXT,                -- penta-helix role of the organisation
    person_name       TEXT,
    sex               TEXT,                -- L, P
    disability        INTEGER NOT NULL DEFAULT 0,
    rsvp              TEXT NOT NULL DEFAULT 'belum',
    checkin_code      TEXT NOT NULL,
    represented_by    TEXT,
    present           INTEGER NOT NULL DEFAULT 0,
    checked_in_at     TEXT,
    UNIQUE (meeting_id, checkin_code)
);
CREATE INDEX invitation_meeting ON invitation (meeting_id, id);

CREATE TABLE decision (
    id             INTEGER PRIMARY KEY,
    meeting_id     INTEGER NOT NULL REFERENCES meeting (id),
    agenda_item_id INTEGER REFERENCES agenda_item (id),
    text           TEXT NOT NULL,
    kind           TEXT,
    decided_by     TEXT,
    link_kind      TEXT,                  -- indikator, program, target_pembentukan, lks
    link_ref       TEXT
);
CREATE INDEX decision_meeting ON decision (meeting_id, id);

CREATE TABLE action_item (
    id             INTEGER PRIMARY KEY,
    meeting_id     INTEGER NOT NULL REFERENCES meeting (id),
    decision_id    INTEGER REFERENCES decision (id),
    forum_id       INTEGER NOT NULL REFERENCES forum (id),
    lkks_id        INTEGER NOT NULL REFERENCES organisation (id),
    region_code    TEXT NOT NULL,
    title          TEXT NOT NULL,
    owner_person   TEXT,
    owner_org_id   INTEGER REFERENCES organisation (id),
    owner_org_name TEXT,
    deadline       TEXT NOT NULL,
    status         TEXT NOT NULL,          -- terbuka, berjalan, selesai, dibatalkan
    evidence       TEXT,
    closed_on      TEXT,
    link_kind      TEXT,
    link_ref       TEXT,
    updated_at     TEXT NOT NULL
);
CREATE INDEX action_item_deadline ON action_item (deadline, id);
CREATE INDEX action_item_region ON action_item (region_code, deadline);
CREATE INDEX action_item_forum ON action_item (forum_id, status, deadline);
CREATE INDEX action_item_meeting ON action_item (meeting_id, id);
CREATE INDEX action_item_owner ON action_item (owner_org_id, status, deadline);
-- The open actions in deadline order: the overdue list reads its page from the start of
-- this index instead of stepping over every finished action, and counts them from it alone.
CREATE INDEX action_item_open ON action_item (deadline, id, region_code) WHERE status IN ('terbuka', 'berjalan');
