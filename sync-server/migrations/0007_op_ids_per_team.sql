-- Version 7: an operation id is unique within its team, not across the server. A device of
-- another team that learnt an id could otherwise store it first, and the owner's push of the
-- real operation would be answered "duplicate" and never stored (issue 16, finding 3).
-- Erased ids are per team too, and each deletion keeps which device asked and for which of
-- its erasure operations (finding 14: every erase request is tied to a signed erasure).
CREATE TABLE ops_v7 (
    team_id  BLOB NOT NULL,
    seq      INTEGER NOT NULL,
    op_id    BLOB NOT NULL,
    epoch    INTEGER NOT NULL,
    author   BLOB NOT NULL,
    envelope BLOB NOT NULL,
    PRIMARY KEY (team_id, seq),
    UNIQUE (team_id, op_id)
) WITHOUT ROWID;
INSERT INTO ops_v7 (team_id, seq, op_id, epoch, author, envelope)
    SELECT team_id, seq, op_id, epoch, author, envelope FROM ops;
DROP TABLE ops;
ALTER TABLE ops_v7 RENAME TO ops;

CREATE TABLE erased_ops_v7 (
    team_id    BLOB NOT NULL,
    op_id      BLOB NOT NULL,
    erased_ms  INTEGER NOT NULL,
    by_device  BLOB,
    erasure_op BLOB,
    PRIMARY KEY (team_id, op_id)
) WITHOUT ROWID;
INSERT INTO erased_ops_v7 (team_id, op_id, erased_ms)
    SELECT team_id, op_id, erased_ms FROM erased_ops;
DROP TABLE erased_ops;
ALTER TABLE erased_ops_v7 RENAME TO erased_ops;
