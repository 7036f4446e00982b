-- Version 3: team key rotation (ADR 0007). Devices register an X25519 public key; a team has
-- a current key epoch; revoking a device stores the next epoch's key wrapped for every device
-- that stays (ciphertext only: the server cannot unwrap it).
ALTER TABLE devices ADD COLUMN kx_pk BLOB NOT NULL DEFAULT x'';
ALTER TABLE teams ADD COLUMN epoch INTEGER NOT NULL DEFAULT 1;
CREATE TABLE key_grants (
    team_id   BLOB NOT NULL,
    epoch     INTEGER NOT NULL,
    device_id BLOB NOT NULL,
    wrapped   BLOB NOT NULL,
    PRIMARY KEY (team_id, epoch, device_id)
) WITHOUT ROWID;
