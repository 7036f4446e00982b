-- Komora sync server schema, version 1. The server holds routing metadata and sealed bytes
-- only: no name, no note, no key it could open.

CREATE TABLE server_meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- A team's operation stream; `head` is the last sequence number given out.
CREATE TABLE teams (
    id         BLOB PRIMARY KEY,
    head       INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
);

CREATE TABLE devices (
    id           BLOB PRIMARY KEY,
    team_id      BLOB NOT NULL REFERENCES teams (id),
    role         TEXT NOT NULL,
    sign_pk      BLOB NOT NULL,
    enrolled_ms  INTEGER NOT NULL,
    revoked_ms   INTEGER,
    last_seen_ms INTEGER
);

-- One-time login challenges and short-lived tokens (stored as SHA-256 hashes).
CREATE TABLE challenges (
    challenge  BLOB PRIMARY KEY,
    device_id  BLOB NOT NULL,
    expires_ms INTEGER NOT NULL
);
CREATE TABLE tokens (
    hash       BLOB PRIMARY KEY,
    device_id  BLOB NOT NULL,
    expires_ms INTEGER NOT NULL
);

-- Enrolment invitations, found by a hash of the code; the bundle is sealed under a key derived
-- from the code, which the server never sees. The bundle is erased once used.
CREATE TABLE invites (
    lookup     BLOB PRIMARY KEY,
    team_id    BLOB NOT NULL REFERENCES teams (id),
    role       TEXT NOT NULL,
    created_by BLOB NOT NULL,
    expires_ms INTEGER NOT NULL,
    used_ms    INTEGER,
    used_by    BLOB,
    bundle     BLOB
);

-- Sealed operations, by team and sequence.
CREATE TABLE ops (
    team_id  BLOB NOT NULL,
    seq      INTEGER NOT NULL,
    op_id    BLOB NOT NULL UNIQUE,
    epoch    INTEGER NOT NULL,
    author   BLOB NOT NULL,
    envelope BLOB NOT NULL,
    PRIMARY KEY (team_id, seq)
) WITHOUT ROWID;
