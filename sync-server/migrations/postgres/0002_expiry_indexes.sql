-- Version 2: sweeping expired challenges and tokens uses an index instead of a scan.
CREATE INDEX challenges_by_expiry ON challenges (expires_ms);
CREATE INDEX tokens_by_expiry ON tokens (expires_ms);
CREATE INDEX tokens_by_device ON tokens (device_id);
