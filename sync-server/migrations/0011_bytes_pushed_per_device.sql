-- Version 11 (ADR 0027). How many bytes of operations each device has had stored, so a device
-- (a stolen tablet before its revocation) cannot fill the server's disk: past its quota the
-- server refuses its pushes with a typed error and the tablet keeps its work. Counted from the
-- operations already stored.
ALTER TABLE devices ADD COLUMN pushed_bytes INTEGER NOT NULL DEFAULT 0;
UPDATE devices SET pushed_bytes =
    (SELECT coalesce(sum(length(envelope)), 0) FROM ops WHERE ops.author = devices.id);
