-- One row per accepted message. The API-assigned id is the primary key: a message delivered
-- twice is stored once. UUIDv7 ids are time-ordered, so inserts append to the index.
CREATE TABLE IF NOT EXISTS counts (
    msg_id    BLOB    NOT NULL PRIMARY KEY,
    value     INTEGER NOT NULL,
    stored_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) WITHOUT ROWID;
