-- fleetmig:revision      0c0f591ff87d
-- fleetmig:down_revision debb09a54f0f
-- fleetmig:message       make display name required and drop full name
-- fleetmig:created       2024-03-18 09:10:00

-- fleetmig:upgrade
-- Breaking change: only once every application instance reads and writes
-- display_name alone.  A row some straggler of an older release wrote
-- without display_name is caught up first; SET NOT NULL would fail on it.
UPDATE users SET display_name = COALESCE(full_name, username)
 WHERE display_name IS NULL;

ALTER TABLE users ALTER COLUMN display_name SET NOT NULL;
ALTER TABLE users DROP COLUMN full_name;

-- fleetmig:downgrade
-- Run this before rolling the application back to the release that writes
-- both columns: that release needs full_name.  It comes back nullable, filled
-- from display_name; users who had no full name get their username, which
-- the back-fill put there.
ALTER TABLE users ADD COLUMN full_name varchar(200);
UPDATE users SET full_name = display_name;
ALTER TABLE users ALTER COLUMN display_name DROP NOT NULL;
