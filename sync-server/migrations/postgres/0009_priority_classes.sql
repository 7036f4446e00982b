-- Version 9 (issue 20). Each stored operation keeps the coarse priority class its sender
-- marked in the clear routing metadata of the push: 0, what a tablet's screens need first; 1,
-- long text (session notes), which a tablet far behind receives in a second pass. Operations
-- stored before carry 0: served in the first pass, as before.
ALTER TABLE ops ADD COLUMN priority SMALLINT NOT NULL DEFAULT 0;
