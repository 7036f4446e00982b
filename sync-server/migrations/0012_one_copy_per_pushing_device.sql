-- Version 12 (ADR 0027). An operation id is unique per team and pushing device, not per team:
-- a stolen tablet that pushed garbage under a colleague's op id, declared as its own, no
-- longer keeps her real operation out (pushed again after a restore, it was answered
-- "duplicate" and never stored). The server keeps one copy per pushing device and serves them
-- all; tablets keep the copy that verifies. A device adds at most one copy of an op id, so the
-- copies of one id are bounded by the team's devices.
CREATE TABLE ops_v12 (
    team_id    BLOB NOT NULL,
    seq        INTEGER NOT NULL,
    op_id      BLOB NOT NULL,
    epoch      INTEGER NOT NULL,
    author     BLOB NOT NULL,
    envelope   BLOB NOT NULL,
    author_id  BLOB,
    author_seq INTEGER,
    priority   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (team_id, seq),
    UNIQUE (team_id, op_id, author)
) WITHOUT ROWID;
INSERT INTO ops_v12 (team_id, seq, op_id, epoch, author, envelope, author_id, author_seq, priority)
    SELECT team_id, seq, op_id, epoch, author, envelope, author_id, author_seq, priority FROM ops;
DROP TABLE ops;
ALTER TABLE ops_v12 RENAME TO ops;
CREATE INDEX ops_by_author ON ops (team_id, author_id, author_seq);
