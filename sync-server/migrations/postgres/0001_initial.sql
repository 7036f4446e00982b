-- Komora sync server schema for PostgreSQL, version 1: the same tables as the SQLite store
-- (sync-server/migrations/0001_initial.sql), in PostgreSQL types.

CREATE TABLE server_meta (
    key   TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

CREATE TABLE teams (
    id         BYTEA PRIMARY KEY,
    head       BIGINT NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL
);

CREATE TABLE devices (
    id           BYTEA PRIMARY KEY,
    team_id      BYTEA NOT NULL REFERENCES teams (id),
    role         TEXT NOT NULL,
    sign_pk      BYTEA NOT NULL,
    enrolled_ms  BIGINT NOT NULL,
    revoked_ms   BIGINT,
    last_seen_ms BIGINT
);

CREATE TABLE challenges (
    challenge  BYTEA PRIMARY KEY,
    device_id  BYTEA NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE TABLE tokens (
    hash       BYTEA PRIMARY KEY,
    device_id  BYTEA NOT NULL,
    expires_ms BIGINT NOT NULL
);

CREATE TABLE invites (
    lookup     BYTEA PRIMARY KEY,
    team_id    BYTEA NOT NULL REFERENCES teams (id),
    role       TEXT NOT NULL,
    created_by BYTEA NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms    BIGINT,
    used_by    BYTEA,
    bundle     BYTEA
);

CREATE TABLE ops (
    team_id  BYTEA NOT NULL,
    seq      BIGINT NOT NULL,
    op_id    BYTEA NOT NULL UNIQUE,
    epoch    BIGINT NOT NULL,
    author   BYTEA NOT NULL,
    envelope BYTEA NOT NULL,
    PRIMARY KEY (team_id, seq)
);
