-- Version 12: see ../0012_one_copy_per_pushing_device.sql.
ALTER TABLE ops DROP CONSTRAINT ops_team_op_id_key;
ALTER TABLE ops ADD CONSTRAINT ops_team_op_id_author_key UNIQUE (team_id, op_id, author);
