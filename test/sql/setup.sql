-- fleetmig installs into its own schema, with its state tables
CREATE EXTENSION fleetmig;
SELECT e.extname, e.extversion, e.extnamespace::regnamespace AS schema, e.extrelocatable,
       obj_description(e.oid, 'pg_extension') AS description
  FROM pg_extension e WHERE e.extname = 'fleetmig';
SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'fleetmig' ORDER BY c.relname;
-- the state tables and the log sequence are dumped with the data
SELECT c::regclass AS dumped FROM pg_extension, unnest(extconfig) AS c
 WHERE extname = 'fleetmig' ORDER BY c::regclass::text;
-- nobody but the owner may run the functions until granted
SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'fleetmig' ORDER BY p.proname;
-- help lists the commands
SELECT command, usage FROM fleetmig.help();
