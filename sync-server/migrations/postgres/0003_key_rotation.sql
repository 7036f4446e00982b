-- Version 3: team key rotation (ADR 0007); see ../0003_key_rotation.sql.
ALTER TABLE devices ADD COLUMN kx_pk BYTEA NOT NULL DEFAULT ''::bytea;
ALTER TABLE teams ADD COLUMN epoch BIGINT NOT NULL DEFAULT 1;
CREATE TABLE key_grants (
    team_id   BYTEA NOT NULL,
    epoch     BIGINT NOT NULL,
    device_id BYTEA NOT NULL,
    wrapped   BYTEA NOT NULL,
    PRIMARY KEY (team_id, epoch, device_id)
);
