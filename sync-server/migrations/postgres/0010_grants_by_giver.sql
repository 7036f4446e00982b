-- Version 10 (ADR 0027). A wrapped team key is kept per giver: any device of the team may give
-- back a key a restore lost, and the server cannot open one to tell a real key from garbage.
-- Keyed by (epoch, device) alone, the first device to post one (a stolen tablet posting
-- garbage) kept every honest giver out and the device never received its key. Now each giver
-- keeps one grant per (epoch, device); a tablet tries each. Grants stored before this version
-- have no known giver: the zero id, which counts as nobody's word.
ALTER TABLE key_grants
    ADD COLUMN given_by BYTEA NOT NULL DEFAULT '\x00000000000000000000000000000000'::bytea;
ALTER TABLE key_grants DROP CONSTRAINT key_grants_pkey;
ALTER TABLE key_grants ADD PRIMARY KEY (team_id, epoch, device_id, given_by);
