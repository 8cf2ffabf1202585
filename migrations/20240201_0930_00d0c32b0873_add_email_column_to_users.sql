-- fleetmig:revision      00d0c32b0873
-- fleetmig:down_revision 67e22a55f6c0
-- fleetmig:message       add email column to users
-- fleetmig:created       2024-02-01 09:30:00

-- fleetmig:upgrade
-- Added nullable first so existing rows can be back-filled before the
-- NOT NULL constraint is enforced.
ALTER TABLE users ADD COLUMN email varchar(255);

-- Placeholder addresses; usernames are unique, so these are too.
UPDATE users SET email = CONCAT(username, '@example.com');

ALTER TABLE users ALTER COLUMN email SET NOT NULL;
CREATE UNIQUE INDEX uq_users_email ON users (email);

-- fleetmig:downgrade
DROP INDEX uq_users_email;
ALTER TABLE users DROP COLUMN email;
