-- Records by kind (issue 21, the caseload's first paint): every read of one kind's records
-- (the case-work index reads nine kinds after unlock, the client list one) found its rows by
-- reading the whole table, every session's state with its notes included, once per kind. An
-- index on the kind lets each read visit only its own rows. The kind is already in clear in
-- the records table: the index tells a copy of the files nothing more.
CREATE INDEX records_by_kind ON records (kind);
