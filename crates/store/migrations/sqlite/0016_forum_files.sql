-- Forums (issue 21): minutes uploaded as a PDF, kept in the store beside their meeting (one
-- file per meeting, written once when the meeting is closed and never changed after), with
-- their size and SHA-256 so the hash in the audit chain can be checked against the bytes.

CREATE TABLE meeting_minutes_file (
    meeting_id  INTEGER PRIMARY KEY REFERENCES meeting (id),
    file_name   TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    content     BLOB NOT NULL,
    stored_at   TEXT NOT NULL
);

-- Invitations bound to a registered organisation: "my invitations" for its account.
CREATE INDEX invitation_organisation ON invitation (organisation_id, meeting_id)
    WHERE organisation_id IS NOT NULL;
