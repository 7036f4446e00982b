-- Erasures the server carried out stay listed (done), so that a tablet which finds the server
-- restored from a backup taken before can ask again (issue 17).
ALTER TABLE pending_erasures ADD COLUMN done INTEGER NOT NULL DEFAULT 0;
