-- Version 10 (ADR 0027). A wrapped team key is kept per giver: any device of the team may give
-- back a key a restore lost, and the server cannot open one to tell a real key from garbage.
-- Keyed by (epoch, device) alone, the first device to post one (a stolen tablet posting
-- garbage) kept every honest giver out and the device never received its key. Now each giver
-- keeps one grant per (epoch, device); a tablet tries each. Grants stored before this version
-- have no known giver: the zero id, which counts as nobody's word.
CREATE TABLE key_grants_v10 (
    team_id   BLOB NOT NULL,
    epoch     INTEGER NOT NULL,
    device_id BLOB NOT NULL,
    given_by  BLOB NOT NULL DEFAULT x'00000000000000000000000000000000',
    wrapped   BLOB NOT NULL,
    PRIMARY KEY (team_id, epoch, device_id, given_by)
) WITHOUT ROWID;
INSERT INTO key_grants_v10 (team_id, epoch, device_id, wrapped)
    SELECT team_id, epoch, device_id, wrapped FROM key_grants;
DROP TABLE key_grants;
ALTER TABLE key_grants_v10 RENAME TO key_grants;
