-- fleetmig:revision      5ee6d1ef502b
-- fleetmig:down_revision f16594f3311d
-- fleetmig:message       add driver certification expiry date
-- fleetmig:created       2024-02-26 11:18:00

-- fleetmig:upgrade
-- Nullable: existing drivers' certificates are entered by the office later.
ALTER TABLE drivers ADD COLUMN certification_expires_on date;
CREATE INDEX idx_drivers_certification_expires_on ON drivers (certification_expires_on);

-- fleetmig:downgrade
DROP INDEX idx_drivers_certification_expires_on;
ALTER TABLE drivers DROP COLUMN certification_expires_on;
