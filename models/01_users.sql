-- Accounts of the people who use the fleet manager.
CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY,
    username      varchar(50)  NOT NULL,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    deleted_at    timestamptz,
    email         varchar(255) NOT NULL,
    status        varchar(20)  NOT NULL DEFAULT 'active',
    display_name  varchar(200) NOT NULL,
    CONSTRAINT pk_users PRIMARY KEY (id),
    CONSTRAINT uq_users_username UNIQUE (username),
    CONSTRAINT ck_users_status CHECK (status IN ('active', 'suspended', 'deleted'))
);

CREATE UNIQUE INDEX uq_users_email ON users (email);
