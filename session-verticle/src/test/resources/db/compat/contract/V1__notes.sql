CREATE TABLE compat_notes (id bigint PRIMARY KEY, body text NOT NULL);
