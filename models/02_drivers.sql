-- The people who drive the vehicles.
CREATE TABLE drivers (
    id                        bigint GENERATED ALWAYS AS IDENTITY,
    first_name                varchar(100) NOT NULL,
    last_name                 varchar(100) NOT NULL,
    license_number            varchar(30)  NOT NULL,
    hired_on                  date,
    created_at                timestamptz  NOT NULL DEFAULT now(),
    phone_number              varchar(20),
    certification_expires_on  date,
    CONSTRAINT pk_drivers PRIMARY KEY (id),
    CONSTRAINT uq_drivers_license_number UNIQUE (license_number)
);

CREATE INDEX idx_drivers_last_name ON drivers (last_name, first_name);
CREATE INDEX idx_driver_phone ON drivers (phone_number);
CREATE INDEX idx_drivers_certification_expires_on ON drivers (certification_expires_on);
