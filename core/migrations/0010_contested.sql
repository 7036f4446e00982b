-- Contested copies kept aside (ADR 0027, amended): an operation that arrived under an op id
-- the log holds as another author's (or another number's) is parked beside those waiting for a
-- key or an author. The two tablets that claim the id are kept with it, so that what is held
-- aside can be asked of the vault at any time (the screens' warning), not only read from the
-- one sync's report that first kept it aside (lost if that sync failed after its page
-- committed). Both NULL: parked for another reason. The device ids are already in clear in
-- the ops table: a copy of the files learns nothing more.
ALTER TABLE parked ADD COLUMN logged_author BLOB;
ALTER TABLE parked ADD COLUMN kept_aside_author BLOB;
