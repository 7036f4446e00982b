-- Drafts (`crate::drafts`): what a counsellor typed and has not saved yet, kept so that a lock,
-- a killed app or a flat battery loses nothing. Device-local: never an operation, never synced.
-- Each row is one draft, sealed whole (its form's name, its fields, when it was kept) under the
-- device master key; no clear column says which form or which client it belongs to.
CREATE TABLE drafts (
    id     INTEGER PRIMARY KEY,
    sealed BLOB NOT NULL
);
