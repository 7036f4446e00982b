-- Version 6: see ../0006_erased_ops.sql.
CREATE TABLE erased_ops (
    op_id     BYTEA PRIMARY KEY,
    team_id   BYTEA NOT NULL,
    erased_ms BIGINT NOT NULL
);
