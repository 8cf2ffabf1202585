# fleetmig: PGXS build of the extension, its regression and isolation tests
EXTENSION = fleetmig
MODULE_big = fleetmig
OBJS = \
	src/fleetmig.o \
	src/script.o \
	src/scriptdir.o \
	src/revmap.o \
	src/target.o \
	src/checksum.o \
	src/state.o \
	src/statewriter.o \
	src/project.o \
	src/plan.o \
	src/prescan.o \
	src/statements.o \
	src/runner.o \
	src/offline.o \
	src/scriptguard.o \
	src/authoring.o \
	src/catalog.o \
	src/schemaread.o \
	src/schemadiff.o \
	src/modelguard.o \
	src/autogenerate.o \
	src/roundtrip.o \
	src/stepwise.o \
	src/dryrun.o \
	src/subxact.o \
	src/safesql.o \
	src/srf.o \
	src/args.o \
	src/commands.o

DATA = $(wildcard sql/fleetmig--*.sql)

REGRESS = setup parse_errors graph_errors history targets stamp upgrade upgrade_errors offline safety roundtrip dryrun autogenerate
REGRESS_OPTS = --inputdir=test --encoding=UTF8

ISOLATION = concurrent_upgrade upgrade_each lock_squat
ISOLATION_OPTS = --inputdir=test --encoding=UTF8

PG_CPPFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# `make installcheck` on its own, against a running server: the tests read
# the fixtures from a staged copy the server's OS user can read.  The test
# command stages its own and passes FLEETMIG_FIXTURES; otherwise it is made
# here (as root: some fixtures belong to postgres).
ifndef FLEETMIG_FIXTURES
FLEETMIG_STAGE ?= /tmp/fleetmig-installcheck
installcheck: fleetmig-stage
installcheck: export FLEETMIG_FIXTURES = $(FLEETMIG_STAGE)/fixtures
installcheck: export FLEETMIG_MIGRATIONS = $(FLEETMIG_STAGE)/migrations
installcheck: export PGOPTIONS += -c fleetmig_test.fixtures=$(FLEETMIG_STAGE)/fixtures
.PHONY: fleetmig-stage
fleetmig-stage:
	bash test/stage.sh $(FLEETMIG_STAGE)
endif

# PGXS does not track header dependencies: rebuild every object when a
# header changes
$(OBJS): $(wildcard src/*.h)
