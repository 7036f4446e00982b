-- Version 6: erased client files (ADR 0010). The operations that carried an erased file's key
-- are deleted from the stream; their ids stay here so that a push of one of them later (a
-- tablet that had it from a batch file) stores nothing.
CREATE TABLE erased_ops (
    op_id     BLOB PRIMARY KEY,
    team_id   BLOB NOT NULL,
    erased_ms INTEGER NOT NULL
) WITHOUT ROWID;
