-- fleetmig:revision      67e22a55f6c0
-- fleetmig:down_revision a5544b383b39
-- fleetmig:message       add phone number to driver table
-- fleetmig:created       2024-01-22 16:05:00

-- fleetmig:upgrade
-- Nullable on purpose: existing drivers have no number on file yet.
ALTER TABLE drivers ADD COLUMN phone_number varchar(20);
CREATE INDEX idx_driver_phone ON drivers (phone_number);

-- fleetmig:downgrade
DROP INDEX idx_driver_phone;
ALTER TABLE drivers DROP COLUMN phone_number;
