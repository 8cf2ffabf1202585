-- fleetmig:revision      fb77dddeb5ae
-- fleetmig:down_revision 5ee6d1ef502b
-- fleetmig:message       add display name column to users
-- fleetmig:created       2024-03-04 10:20:00

-- full_name becomes display_name without downtime, in three revisions with an
-- application deploy between each: expand (this one), back-fill, contract.

-- fleetmig:upgrade
-- Nullable, so the release running now keeps working unchanged.  The next
-- release writes both full_name and display_name and still reads full_name.
ALTER TABLE users ADD COLUMN display_name varchar(200);

-- fleetmig:downgrade
-- Only once no running release writes display_name any more.
ALTER TABLE users DROP COLUMN display_name;
