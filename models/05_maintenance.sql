-- Services and repairs done on a vehicle, and when the next one is due.
CREATE TABLE maintenance_records (
    id                bigint GENERATED ALWAYS AS IDENTITY,
    vehicle_id        bigint  NOT NULL,
    performed_on      date    NOT NULL,
    odometer_km       integer,
    description       text    NOT NULL,
    cost              numeric(10,2),
    created_at        timestamptz NOT NULL DEFAULT now(),
    next_service_due  date,
    CONSTRAINT pk_maintenance_records PRIMARY KEY (id),
    CONSTRAINT fk_maintenance_records_vehicle_id FOREIGN KEY (vehicle_id)
        REFERENCES vehicles (id) ON DELETE CASCADE,
    CONSTRAINT ck_maintenance_records_odometer_km CHECK (odometer_km >= 0),
    CONSTRAINT ck_maintenance_records_cost CHECK (cost >= 0)
);

CREATE INDEX idx_maintenance_records_vehicle_id ON maintenance_records (vehicle_id, performed_on DESC);
CREATE INDEX idx_maintenance_records_next_service_due ON maintenance_records (next_service_due)
    WHERE next_service_due IS NOT NULL;
