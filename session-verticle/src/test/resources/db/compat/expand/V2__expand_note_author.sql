-- expand: a nullable column; the previous version's inserts and reads work unchanged
ALTER TABLE compat_notes ADD COLUMN author text NULL;
