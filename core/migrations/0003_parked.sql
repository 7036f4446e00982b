-- Operations from the server that could not be checked yet: sealed under a team key epoch this
-- device has not received, or written by a device not yet in its copy of the team's list. They
-- wait here, sealed as they came, and are tried again after each sync has fetched keys and the
-- list, so a key or list the server failed to deliver (or withheld) once loses nothing for good.
CREATE TABLE parked (
    op_id BLOB PRIMARY KEY,
    envelope BLOB NOT NULL,
    parked_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
