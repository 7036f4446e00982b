-- Operations by author and number: a replica's summary reads them in this order, and a
-- revoked tablet's operation reusing a number under its cutoff is found at once (ADR 0013).
CREATE INDEX ops_by_author ON ops (device_id, device_seq);

-- Which erasure operation asked for each deletion: the server deletes only at the signed
-- request of the tablet that wrote the erasure (ADR 0013). NULL for rows from before.
ALTER TABLE pending_erasures ADD COLUMN erasure BLOB;
