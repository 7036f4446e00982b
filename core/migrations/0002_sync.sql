-- Version 2: what the sync server has. `synced` is 1 once the server acknowledged an operation
-- (pushed) or sent it (pulled); the partial index finds what is waiting to be pushed.
ALTER TABLE ops ADD COLUMN synced INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ops_unsynced ON ops (seq) WHERE synced = 0;
