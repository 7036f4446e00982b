-- Client files (ADR 0010). `file` names the client file a record belongs to (a random client
-- id, nothing personal), so erasing the client can find every record of the file at once.
ALTER TABLE records ADD COLUMN file BLOB;
CREATE INDEX records_by_file ON records (file) WHERE file IS NOT NULL;

-- Files erased on this device: their key is gone, and operations of theirs that arrive later
-- are kept in the log (unreadable, for the sync's bookkeeping) but never merged.
CREATE TABLE erased_files (
    file BLOB PRIMARY KEY,
    erased_at_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- Operations that carried an erased file's key, for the server to delete at the next sync.
CREATE TABLE pending_erasures (
    op_id BLOB PRIMARY KEY
) WITHOUT ROWID;

-- Parked operations may also come from a batch file: whether the server holds them.
ALTER TABLE parked ADD COLUMN held INTEGER NOT NULL DEFAULT 1;

-- A client's file key, on the client's own row: sealed (AES-256-GCM) under the device master
-- key, bound to the device and the file. Written with the row (no page more per save), read
-- when the file is first used after unlock, deleted (and overwritten) with the row.
ALTER TABLE records ADD COLUMN file_key BLOB;
