-- fleetmig:revision      5da1e03a4943
-- fleetmig:down_revision 1cdca2e65dfc
-- fleetmig:message       add next service due date to maintenance records
-- fleetmig:created       2024-02-13 15:20:00

-- fleetmig:upgrade
ALTER TABLE maintenance_records ADD COLUMN next_service_due date;

-- Only records with a scheduled follow-up matter for the "due soon" report.
CREATE INDEX idx_maintenance_records_next_service_due
    ON maintenance_records (next_service_due)
    WHERE next_service_due IS NOT NULL;

-- fleetmig:downgrade
DROP INDEX idx_maintenance_records_next_service_due;
ALTER TABLE maintenance_records DROP COLUMN next_service_due;
