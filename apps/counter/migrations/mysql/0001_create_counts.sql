-- One row per accepted message. The API-assigned id is the primary key: a message delivered
-- twice is stored once. UUIDv7 ids are time-ordered, so inserts append to the index.
CREATE TABLE IF NOT EXISTS counts (
    msg_id    BINARY(16) NOT NULL PRIMARY KEY,
    value     BIGINT     NOT NULL,
    stored_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE = InnoDB;
