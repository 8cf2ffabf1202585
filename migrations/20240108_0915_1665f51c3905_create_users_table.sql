-- fleetmig:revision      1665f51c3905
-- fleetmig:down_revision none
-- fleetmig:message       create users table
-- fleetmig:created       2024-01-08 09:15:00

-- fleetmig:upgrade
CREATE TABLE users (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    username    varchar(50)  NOT NULL,
    full_name   varchar(200),
    created_at  timestamptz  NOT NULL DEFAULT now(),
    -- Soft delete: rows are never removed, only stamped.
    deleted_at  timestamptz,
    CONSTRAINT pk_users PRIMARY KEY (id),
    CONSTRAINT uq_users_username UNIQUE (username)
);

-- fleetmig:downgrade
DROP TABLE users;
