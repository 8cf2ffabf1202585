-- One row per journey of a vehicle with a driver.
CREATE TABLE trips (
    id           bigint GENERATED ALWAYS AS IDENTITY,
    vehicle_id   bigint      NOT NULL,
    driver_id    bigint      NOT NULL,
    started_at   timestamptz NOT NULL,
    ended_at     timestamptz,
    distance_km  numeric(10,2),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_trips PRIMARY KEY (id),
    CONSTRAINT fk_trips_vehicle_id FOREIGN KEY (vehicle_id) REFERENCES vehicles (id),
    CONSTRAINT fk_trips_driver_id FOREIGN KEY (driver_id) REFERENCES drivers (id),
    CONSTRAINT ck_trips_distance_km CHECK (distance_km >= 0),
    CONSTRAINT ck_trips_ended_after_started CHECK (ended_at >= started_at)
);

CREATE INDEX idx_trips_vehicle_id ON trips (vehicle_id);
CREATE INDEX idx_trips_driver_id ON trips (driver_id);
CREATE INDEX idx_trips_started_at ON trips (started_at);
