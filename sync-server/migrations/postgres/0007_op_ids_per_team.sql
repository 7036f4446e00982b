-- Version 7: see ../0007_op_ids_per_team.sql.
ALTER TABLE ops DROP CONSTRAINT ops_op_id_key;
ALTER TABLE ops ADD CONSTRAINT ops_team_op_id_key UNIQUE (team_id, op_id);
ALTER TABLE erased_ops DROP CONSTRAINT erased_ops_pkey;
ALTER TABLE erased_ops ADD PRIMARY KEY (team_id, op_id);
ALTER TABLE erased_ops ADD COLUMN by_device BYTEA;
ALTER TABLE erased_ops ADD COLUMN erasure_op BYTEA;
