-- The fleet, and who drives each vehicle.
CREATE TABLE vehicles (
    id                  bigint GENERATED ALWAYS AS IDENTITY,
    plate_number        varchar(20) NOT NULL,
    make                varchar(50) NOT NULL,
    model               varchar(50) NOT NULL,
    year                smallint    NOT NULL,
    vin                 varchar(17),
    assigned_driver_id  bigint,
    created_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_vehicles PRIMARY KEY (id),
    CONSTRAINT uq_vehicles_plate_number UNIQUE (plate_number),
    CONSTRAINT uq_vehicles_vin UNIQUE (vin),
    CONSTRAINT ck_vehicles_year CHECK (year BETWEEN 1950 AND 2100),
    CONSTRAINT fk_vehicles_assigned_driver_id FOREIGN KEY (assigned_driver_id)
        REFERENCES drivers (id) ON DELETE SET NULL
);

CREATE INDEX idx_vehicles_assigned_driver_id ON vehicles (assigned_driver_id);
