-- not an expand migration: the previous version's code reads a column that is gone
ALTER TABLE compat_notes RENAME COLUMN body TO text;
