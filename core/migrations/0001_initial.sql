-- Komora vault schema, version 1. Nothing a person wrote is stored in clear: every value lives
-- inside an AES-256-GCM ciphertext. Clear columns hold only random ids, counters and key epochs.

-- Local bookkeeping: this device's id, its clock and operation counter.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

-- Team data keys by epoch, each wrapped (AES-256-GCM) under the device master key.
CREATE TABLE team_keys (
    epoch   INTEGER PRIMARY KEY,
    wrapped BLOB NOT NULL
);

-- The append-only operation log: every operation this replica made or received, exactly as it
-- travels (an encrypted envelope). `seq` is local arrival order.
CREATE TABLE ops (
    seq        INTEGER PRIMARY KEY,
    op_id      BLOB NOT NULL UNIQUE,
    record_id  BLOB NOT NULL,
    device_id  BLOB NOT NULL,
    device_seq INTEGER NOT NULL,
    envelope   BLOB NOT NULL
);
CREATE INDEX ops_by_record ON ops (record_id);

-- The materialised current state of each record: its merged fields, encrypted as one blob
-- under the team key of `epoch`, bound to its record id. A rowid table so that new records are
-- appended (rows are hundreds of bytes); the random record id is a small unique index.
CREATE TABLE records (
    seq       INTEGER PRIMARY KEY,
    record_id BLOB NOT NULL UNIQUE,
    kind      TEXT NOT NULL,
    epoch     INTEGER NOT NULL,
    state     BLOB NOT NULL
);
