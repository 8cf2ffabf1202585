-- fleetmig:revision      2318de486810
-- fleetmig:down_revision 00d0c32b0873
-- fleetmig:message       add status column to users filled from deleted_at
-- fleetmig:created       2024-02-06 13:12:00

-- fleetmig:upgrade
-- Nullable first, back-filled from the soft-delete timestamp, then locked down.
ALTER TABLE users ADD COLUMN status varchar(20);

UPDATE users SET status = 'active' WHERE deleted_at IS NULL;
UPDATE users SET status = 'deleted' WHERE deleted_at IS NOT NULL;

ALTER TABLE users
    ALTER COLUMN status SET NOT NULL,
    ALTER COLUMN status SET DEFAULT 'active',
    ADD CONSTRAINT ck_users_status CHECK (status IN ('active', 'suspended', 'deleted'));

-- fleetmig:downgrade
-- deleted_at is still maintained, so no information is lost here.
ALTER TABLE users DROP CONSTRAINT ck_users_status;
ALTER TABLE users DROP COLUMN status;
