-- Version 5: see ../0005_invitation_keys.sql.
ALTER TABLE invites ADD COLUMN invite_pk BYTEA;
