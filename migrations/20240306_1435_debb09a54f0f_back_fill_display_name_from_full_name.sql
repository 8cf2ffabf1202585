-- fleetmig:revision      debb09a54f0f
-- fleetmig:down_revision fb77dddeb5ae
-- fleetmig:message       back-fill display name from full name
-- fleetmig:created       2024-03-06 14:35:00

-- fleetmig:upgrade
-- Run once every application instance writes both columns.  Rows the new
-- release already wrote keep their value; users without a full name are
-- shown by their username.
UPDATE users SET display_name = COALESCE(full_name, username)
 WHERE display_name IS NULL;

-- fleetmig:downgrade
-- full_name is still the source of truth at this point, so nothing is lost:
-- upgrading again fills the column the same way.
UPDATE users SET display_name = NULL;
