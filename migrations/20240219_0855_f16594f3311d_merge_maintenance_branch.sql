-- fleetmig:revision      f16594f3311d
-- fleetmig:down_revision 2318de486810, 5da1e03a4943
-- fleetmig:message       merge maintenance branch
-- fleetmig:created       2024-02-19 08:55:00

-- fleetmig:upgrade

-- fleetmig:downgrade
