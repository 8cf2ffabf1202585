-- fleetmig:revision      1cdca2e65dfc
-- fleetmig:down_revision a5544b383b39
-- fleetmig:branch_labels maintenance
-- fleetmig:message       create maintenance records table
-- fleetmig:created       2024-02-07 10:45:00

-- Developed on its own branch off the trips revision; merged back later.

-- fleetmig:upgrade
CREATE TABLE maintenance_records (
    id            bigint GENERATED ALWAYS AS IDENTITY,
    vehicle_id    bigint         NOT NULL,
    performed_on  date           NOT NULL,
    odometer_km   integer,
    description   text           NOT NULL,
    cost          numeric(10,2),
    created_at    timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT pk_maintenance_records PRIMARY KEY (id),
    -- Service history is meaningless without the vehicle; remove it too.
    CONSTRAINT fk_maintenance_records_vehicle_id FOREIGN KEY (vehicle_id)
        REFERENCES vehicles (id) ON DELETE CASCADE,
    CONSTRAINT ck_maintenance_records_odometer_km CHECK (odometer_km >= 0),
    CONSTRAINT ck_maintenance_records_cost CHECK (cost >= 0)
);

-- Serves both the FK and "service history of vehicle X, newest first".
CREATE INDEX idx_maintenance_records_vehicle_id
    ON maintenance_records (vehicle_id, performed_on DESC);

-- fleetmig:downgrade
DROP INDEX idx_maintenance_records_vehicle_id;
DROP TABLE maintenance_records;
