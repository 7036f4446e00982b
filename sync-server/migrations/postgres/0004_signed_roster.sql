-- Version 4: the team's signed device list (ADR 0008); see ../0004_signed_roster.sql.
CREATE TABLE roster (
    team_id   BYTEA NOT NULL,
    seq       BIGINT NOT NULL,
    statement BYTEA NOT NULL,
    PRIMARY KEY (team_id, seq)
);
