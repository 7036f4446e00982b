-- Sealed list pages (ADR 0023, `store/pages.rs`): what a screen's list shows of the records of
-- one kind (a client's name, code, place, ...), grouped into at most 256 pages per list by the
-- first byte of the records' random ids, each page sealed whole under this device's state key
-- and bound by its associated data to its list, its number and its version. Clear columns
-- hold only the list's kind, the page number and a counter. Device-local: never synced, and
-- rebuilt from the records' states whenever a page is missing or does not open.
CREATE TABLE list_pages (
    id      INTEGER PRIMARY KEY,
    list    TEXT NOT NULL,
    page    INTEGER NOT NULL,
    version INTEGER NOT NULL,
    sealed  BLOB NOT NULL,
    UNIQUE (list, page)
);
