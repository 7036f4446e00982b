-- Version 8 (issue 17). Each stored operation keeps its author and its number in the author's
-- sequence (as the pushing device declared them; both are also sealed and signed inside the
-- envelope), so the server can tell a device that found the stream rolled back what it holds,
-- per author, without listing every operation. `author` stays the device that pushed it.
ALTER TABLE ops ADD COLUMN author_id BLOB;
ALTER TABLE ops ADD COLUMN author_seq INTEGER;
UPDATE ops SET author_id = author;
CREATE INDEX ops_by_author ON ops (team_id, author_id, author_seq);
-- Where an erased operation stood in the stream: a device whose cursor sits on it still finds
-- the stream it read.
ALTER TABLE erased_ops ADD COLUMN seq INTEGER;
-- What each device said of itself at its last login, for the administrator's fleet view:
-- counts and times, never a record.
ALTER TABLE devices ADD COLUMN report BLOB;
