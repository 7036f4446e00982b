-- Version 4: the team's signed device list (ADR 0008). Statements signed by devices (the
-- founder's genesis, invitations, new members, snapshots at revocations), kept in the order
-- received and handed out as they are: devices verify them, the server cannot forge them.
CREATE TABLE roster (
    team_id   BLOB NOT NULL,
    seq       INTEGER NOT NULL,
    statement BLOB NOT NULL,
    PRIMARY KEY (team_id, seq)
) WITHOUT ROWID;
