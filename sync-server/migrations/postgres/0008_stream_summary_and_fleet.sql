-- Version 8: see ../0008_stream_summary_and_fleet.sql.
ALTER TABLE ops ADD COLUMN author_id BYTEA;
ALTER TABLE ops ADD COLUMN author_seq BIGINT;
UPDATE ops SET author_id = author;
CREATE INDEX ops_by_author ON ops (team_id, author_id, author_seq);
ALTER TABLE erased_ops ADD COLUMN seq BIGINT;
ALTER TABLE devices ADD COLUMN report BYTEA;
