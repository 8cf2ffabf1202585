-- fleetmig:revision      2b2042f8c523
-- fleetmig:down_revision 1665f51c3905
-- fleetmig:message       create drivers table
-- fleetmig:created       2024-01-08 10:02:00

-- fleetmig:upgrade
CREATE TABLE drivers (
    id              bigint GENERATED ALWAYS AS IDENTITY,
    first_name      varchar(100) NOT NULL,
    last_name       varchar(100) NOT NULL,
    license_number  varchar(30)  NOT NULL,
    hired_on        date,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT pk_drivers PRIMARY KEY (id),
    CONSTRAINT uq_drivers_license_number UNIQUE (license_number)
);

CREATE INDEX idx_drivers_last_name ON drivers (last_name, first_name);

-- fleetmig:downgrade
DROP INDEX idx_drivers_last_name;
DROP TABLE drivers;
