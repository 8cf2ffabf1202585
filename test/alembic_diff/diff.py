#!/usr/bin/python3
"""Differential test of fleetmig's targets against Alembic 1.8 (SPEC §4).

A seeded generator draws random revision graphs (chains, branch points,
several bases with labels, merges of 2-3 heads, depends_on by id and by
label, ids sharing 4-5 character prefixes) and writes each both as a
fleetmig migrations directory and as an Alembic project.  Random commands
(upgrade, downgrade, stamp) over every target form of SPEC §4 run on twin
databases, Alembic on one (the oracle), fleetmig on the other; after each
command the harness compares: both succeeded or both failed, the same
version rows, the same tables, the same set of steps, and fleetmig's steps
in an order the graph allows.  Every command also checks that fleetmig left
a consistent state and that a failed command changed nothing.

Forms SPEC §4 does not compare (Alembic only warns or fails inside its own
code, prefixes under 4 characters, -N with several current heads, walks
below a base, and the other deliberate differences README.md lists) still
run on fleetmig, inside a transaction that is rolled back, and must neither
crash the backend, raise an internal error (XX000) nor leave an
inconsistent state.

With --project DIR it replays a fixed corpus instead: the fleetmig
migrations in DIR (headers only are read) and the commands in DIR/commands,
one "op target" per line.

Runs against the server libpq's environment names (PGHOST, PGPORT, ...),
as a superuser, with fleetmig installed; the migrations are written under
a directory the server can read.  Prints one line per disagreement with
the --graph-seed that replays it and a summary line; exits 1 on any
disagreement or broken state.
"""
import argparse
import contextlib
import io
import logging
import os
import random
import shutil
import sys
import tempfile
import warnings

sys.dont_write_bytecode = True

import psycopg2  # noqa: E402
import sqlalchemy  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from alembic.script.revision import RevisionError  # noqa: E402
from alembic.util import CommandError  # noqa: E402

FM_DB = "fleetmig_diff_fm"
AL_DB = "fleetmig_diff_al"
HEX = "0123456789abcdef"


class Rev:
    def __init__(self, rid, parents, deps, labels, created):
        self.id = rid
        self.parents = parents      # ids (down_revision)
        self.deps = deps            # ids or labels (depends_on)
        self.labels = labels
        self.created = created


class Graph:
    def __init__(self, revs):
        self.revs = revs
        self.by_id = {r.id: r for r in revs}
        self.label_of = {}
        for r in revs:
            for lab in r.labels:
                self.label_of[lab] = r.id

    def dep_ids(self, r):
        return [self.label_of.get(d, d) for d in r.deps]

    def below(self, r):
        """Parents and dependencies of a revision, as ids."""
        return list(dict.fromkeys(r.parents + self.dep_ids(r)))

    def closure(self, ids):
        """The ids with every ancestor (through dependencies too)."""
        seen = set()
        todo = list(ids)
        while todo:
            i = todo.pop()
            if i in seen:
                continue
            seen.add(i)
            todo.extend(self.below(self.by_id[i]))
        return seen

    def heads_of(self, applied):
        """Rows fleetmig.version holds for a set of applied ids."""
        under = set()
        for i in applied:
            under |= set(self.below(self.by_id[i]))
        return {i for i in applied if i not in under}

    def children(self, rid):
        return [r.id for r in self.revs if rid in r.parents]


def random_id(rng, stems):
    if stems and rng.random() < 0.6:
        stem = rng.choice(stems)
        return stem + "".join(rng.choice(HEX) for _ in range(rng.randint(1, 4)))
    return "".join(rng.choice(HEX) for _ in range(rng.choice([6, 8, 12])))


def make_graph(rng):
    """A random DAG in creation order, valid for both tools."""
    n = rng.randint(2, 11)
    stems = ["".join(rng.choice(HEX) for _ in range(rng.choice([4, 5])))
             for _ in range(rng.randint(0, 2))]
    revs = []
    ids = set()
    labels = set()
    for k in range(n):
        rid = random_id(rng, stems)
        while rid in ids or any(rid.startswith(i) or i.startswith(rid) for i in ids):
            rid = random_id(rng, stems)
        ids.add(rid)
        heads = [r.id for r in revs if not any(r.id in o.parents for o in revs)]
        roll = rng.random()
        if not revs or roll < 0.15:
            parents = []
        elif roll < 0.35 and len(heads) >= 2:
            parents = rng.sample(heads, rng.choice([2, 2, 3]) if len(heads) >= 3 else 2)
        elif roll < 0.55:
            parents = [rng.choice(revs).id]
        else:
            parents = [rng.choice(heads)]
        rev_labels = []
        if rng.random() < (0.5 if not parents else 0.2):
            lab = "lab%d" % len(labels)
            labels.add(lab)
            rev_labels.append(lab)
        deps = []
        if revs and rng.random() < 0.3:
            g = Graph(revs)
            anc = g.closure(parents) if parents else set()
            cands = [r for r in revs if r.id not in parents]
            if cands:
                d = rng.choice(cands)
                if d.labels and rng.random() < 0.5:
                    deps.append(d.labels[0])
                elif d.id not in anc or rng.random() < 0.3:
                    deps.append(d.id)
        revs.append(Rev(rid, parents, deps, rev_labels,
                        "2024-01-01 %02d:%02d:00" % (k // 60, k % 60)))
    return Graph(revs)


def write_fleetmig(graph, root):
    os.makedirs(root)
    for r in graph.revs:
        lines = ["-- fleetmig:revision %s" % r.id,
                 "-- fleetmig:down_revision %s" % (",".join(r.parents) or "none"),
                 "-- fleetmig:created %s" % r.created]
        if r.labels:
            lines.append("-- fleetmig:branch_labels %s" % ",".join(r.labels))
        if r.deps:
            lines.append("-- fleetmig:depends_on %s" % ",".join(r.deps))
        lines += ["", "-- fleetmig:upgrade",
                  "CREATE TABLE t_%s ();" % r.id,
                  "INSERT INTO steplog (rev, dir) VALUES ('%s', 'up');" % r.id,
                  "", "-- fleetmig:downgrade",
                  "DROP TABLE t_%s;" % r.id,
                  "INSERT INTO steplog (rev, dir) VALUES ('%s', 'down');" % r.id, ""]
        with open(os.path.join(root, "%s.sql" % r.id), "w") as f:
            f.write("\n".join(lines))


ENV_PY = '''
from alembic import context
context.configure(connection=context.config.attributes["connection"])
with context.begin_transaction():
    context.run_migrations()
'''


def py_tuple(items):
    if not items:
        return "None"
    if len(items) == 1:
        return repr(items[0])
    return repr(tuple(items))


def write_alembic(graph, root):
    os.makedirs(os.path.join(root, "versions"))
    with open(os.path.join(root, "env.py"), "w") as f:
        f.write(ENV_PY)
    for r in graph.revs:
        with open(os.path.join(root, "versions", "%s_rev.py" % r.id), "w") as f:
            f.write(
                "from alembic import op\n"
                "revision = %r\n"
                "down_revision = %s\n"
                "branch_labels = %s\n"
                "depends_on = %s\n"
                "def upgrade():\n"
                "    op.execute('CREATE TABLE t_%s ()')\n"
                "    op.execute(\"INSERT INTO steplog (rev, dir) VALUES ('%s', 'up')\")\n"
                "def downgrade():\n"
                "    op.execute('DROP TABLE t_%s')\n"
                "    op.execute(\"INSERT INTO steplog (rev, dir) VALUES ('%s', 'down')\")\n"
                % (r.id, py_tuple(r.parents), py_tuple(r.labels) if r.labels else "None",
                   py_tuple(r.deps), r.id, r.id, r.id, r.id))


def random_target(rng, graph, applied):
    """A target of one of the SPEC §4 forms, sometimes wrong on purpose."""
    revs = graph.revs
    labels = list(graph.label_of)
    r = rng.choice(revs)
    n = rng.choice([1, 1, 1, 2, 2, 3])
    forms = [
        lambda: "head", lambda: "heads", lambda: "base",
        lambda: r.id,
        lambda: r.id[:rng.randint(4, max(4, len(r.id) - 1))],
        lambda: r.id[:rng.randint(2, 3)],
        lambda: "+%d" % n, lambda: "-%d" % n,
        lambda: "%s+%d" % (r.id, n), lambda: "%s-%d" % (r.id, n),
        lambda: "zzzz", lambda: "nolabel@head",
    ]
    if labels:
        lab = rng.choice(labels)
        forms += [
            lambda: lab, lambda: "%s@head" % lab, lambda: "%s@base" % lab,
            lambda: "%s@heads" % lab,
            lambda: "%s@%s" % (lab, r.id),
            lambda: "%s@%s" % (lab, rng.choice(labels)),
            lambda: "%s@%s" % (lab, r.id[:rng.randint(4, max(4, len(r.id) - 1))]),
            lambda: "%s@+%d" % (lab, n), lambda: "%s@-%d" % (lab, n),
            lambda: "%s@%s+%d" % (lab, r.id, n),
            lambda: "%s@%s-%d" % (lab, r.id, n),
        ]
    return rng.choice(forms)()


class Uncompared(Exception):
    pass


def below_base_walk(graph, start, n):
    """Does walking n steps down from start go below a base?"""
    rid = start
    for _ in range(n):
        if rid is None:
            return True
        ps = graph.by_id[rid].parents
        if len(ps) > 1:
            return False
        rid = ps[0] if ps else None
    return False


def walk(rid, step):
    """rid and every revision reached from it through step (id -> ids)."""
    seen = {rid}
    todo = [rid]
    while todo:
        for n in step(todo.pop()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def descendants(graph, rid):
    """A revision and its descendants through down_revision."""
    return walk(rid, graph.children)


def lineage(graph, rid):
    """A revision's ancestors and descendants through down_revision."""
    return walk(rid, lambda r: graph.by_id[r].parents) | descendants(graph, rid)


def resolve(graph, sym, within=None):
    """The id a symbol names (globally, or inside a set), or None."""
    if sym in graph.by_id:
        return sym if within is None or sym in within else None
    if sym in graph.label_of:
        rid = graph.label_of[sym]
        return rid if within is None or rid in within else None
    hits = [i for i in graph.by_id if i.startswith(sym) and len(sym) >= 4
            and (within is None or i in within)]
    return hits[0] if len(hits) == 1 else None


def uncompared_reason(graph, op, target, rows):
    """Why SPEC §4 does not compare this command, or None."""
    label, _, sym = target.rpartition("@")
    base = sym.rstrip("0123456789").rstrip("+-") if ("+" in sym or "-" in sym) else sym
    if (base and base not in ("head", "heads", "base") and base not in graph.by_id
            and base not in graph.label_of and len(base) < 4):
        return "prefix under 4 characters"
    if "-" in sym:
        n = int(sym.split("-")[-1])
        start = sym.split("-")[0]
        if start == "":
            if "@" not in target and len(rows) > 1:
                return "-N with several current heads"
            starts = list(rows)
            if label in graph.label_of:
                starts = label_start(graph, label, rows)
        elif start in graph.by_id:
            starts = [start]
        else:
            starts = []
        if any(below_base_walk(graph, s, n) for s in starts):
            return "walk below a base"
        if op == "stamp" and start == "" and not rows:
            return "stamp -N at base (Alembic walks from the script's heads)"
    rel = "+" in sym or "-" in sym
    if label and op == "downgrade" and not rel:
        if label not in graph.label_of and label not in graph.by_id:
            return "unknown label in a downgrade (Alembic ignores it)"
        if (label in graph.label_of and sym not in ("head", "heads", "base")
                and resolve(graph, sym, lineage(graph, graph.label_of[label])) != resolve(graph, sym)):
            return "downgrade('label@<rev>') where <rev> names another revision in the whole graph (Alembic resolves it there)"
    if (op == "stamp" and rows and label in graph.label_of and not rel
            and sym not in ("head", "heads", "base") and resolve(graph, sym) is None
            and resolve(graph, sym, lineage(graph, graph.label_of[label])) is not None):
        return "stamp('label@<prefix>') of a prefix unique only in the lineage (Alembic resolves it globally too)"
    if op == "stamp" and rows and len(stamp_dests(graph, label, sym)) > 1:
        return "stamp of several revisions onto applied rows (Alembic merges them all into each)"
    return None


def label_start(graph, label, rows):
    """Where label@-N starts: the rows in the lineage, or else the applied
    revisions in it that nothing applied stands on through down_revision."""
    lin = lineage(graph, graph.label_of[label])
    inside = [r for r in rows if r in lin]
    if inside:
        return inside
    applied = graph.closure(rows)
    tops = []
    for r in applied:
        if r in lin and not any(d in applied for d in descendants(graph, r) - {r}):
            tops.append(r)
    return tops


def stamp_dests(graph, label, sym):
    """The revisions stamp('heads') or stamp('label@heads') names."""
    if sym != "heads":
        return []
    heads = [r.id for r in graph.revs if not graph.children(r.id)]
    if not label:
        return [h for h in heads if not any(h in graph.dep_ids(o) for o in graph.revs)]
    if label not in graph.label_of:
        return []
    lin = lineage(graph, graph.label_of[label])
    return [h for h in heads if h in lin]


class Twins:
    def __init__(self, args):
        self.args = args
        self.fm = psycopg2.connect(dbname=FM_DB)
        self.engine = sqlalchemy.create_engine("postgresql+psycopg2:///" + AL_DB,
                                               poolclass=sqlalchemy.pool.NullPool)
        self.al = self.engine.connect()

    def close(self):
        self.al.close()
        self.fm.close()

    def reset(self, graph, root):
        self.graph = graph
        fmdir = os.path.join(root, "fleetmig")
        aldir = os.path.join(root, "alembic")
        write_fleetmig(graph, fmdir)
        write_alembic(graph, aldir)
        subprocess_chmod(root)
        self.cfg = Config()
        self.cfg.set_main_option("script_location", aldir)
        self.cfg.attributes["connection"] = self.al
        cur = self.fm.cursor()
        cur.execute("SET fleetmig.migrations_dir = %s", (fmdir,))
        cur.execute("SELECT count(*) FROM fleetmig.stamp('base', purge => true)")
        drop_tables(cur)
        self.fm.commit()
        with self.al.begin():
            self.al.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            drop_tables_sa(self.al)

    def fm_state(self):
        cur = self.fm.cursor()
        cur.execute("SELECT revision FROM fleetmig.version")
        rows = {r[0] for r in cur.fetchall()}
        cur.execute("SELECT count(*), count(DISTINCT revision) FROM fleetmig.version")
        total, distinct = cur.fetchone()
        return rows, total != distinct, tables(cur), steps(cur)

    def al_state(self):
        cur = self.al.connection.cursor()
        cur.execute("SELECT to_regclass('alembic_version') IS NOT NULL")
        rows = set()
        if cur.fetchone()[0]:
            cur.execute("SELECT version_num FROM alembic_version")
            rows = {r[0] for r in cur.fetchall()}
        return rows, tables(cur), steps(cur)

    def run_fm(self, op, target, keep):
        """(error or None, rows, dup, tables, steps) after the command."""
        cur = self.fm.cursor()
        err = None
        try:
            cur.execute("SELECT count(*) FROM fleetmig.%s(%%s)" % op, (target,))
        except psycopg2.Error as e:
            if self.fm.closed or e.pgcode is None:
                raise
            err = "%s %s" % (e.pgcode, e.pgerror.splitlines()[0] if e.pgerror else e)
            self.fm.rollback()
        state = self.fm_state()
        if keep and err is None:
            cur.execute("TRUNCATE steplog")
            self.fm.commit()
        else:
            self.fm.rollback()
        return (err,) + state

    def run_al(self, op, target, keep):
        """(error or None, uncompared reason or None, rows, tables, steps)."""
        err = None
        why = None
        trans = self.al.begin()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    getattr(command, op)(self.cfg, target)
            except AssertionError as e:
                why = "Alembic fails in its own code (AssertionError %s)" % e
            except (CommandError, RevisionError, sqlalchemy.exc.DBAPIError) as e:
                err = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
            except Exception as e:
                why = "Alembic fails in its own code (%s %s)" % (type(e).__name__, e)
            if caught:
                why = "Alembic warns: %s" % caught[0].message
        if err is not None or why is not None:
            trans.rollback()
            trans = self.al.begin()
        state = self.al_state()
        if keep and err is None and why is None:
            self.al.exec_driver_sql("TRUNCATE steplog")
            # Alembic may keep a row below another through depends_on; the
            # twins go on from the same rows
            heads = self.graph.heads_of(self.graph.closure(state[0]))
            if heads != state[0]:
                cur = self.al.connection.cursor()
                cur.execute("DELETE FROM alembic_version WHERE NOT version_num = ANY(%s)",
                            (sorted(heads),))
            trans.commit()
        else:
            trans.rollback()
        return (err, why) + state


def subprocess_chmod(root):
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), 0o644)


def tables(cur):
    cur.execute("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE nspname = 'public' AND relname LIKE 't\\_%' AND relkind = 'r'")
    return {r[0][2:] for r in cur.fetchall()}


def steps(cur):
    cur.execute("SELECT rev, dir FROM steplog ORDER BY id")
    return [tuple(r) for r in cur.fetchall()]


def drop_tables(cur):
    for t in sorted(tables(cur)):
        cur.execute('DROP TABLE "t_%s"' % t)
    cur.execute("TRUNCATE steplog")


def drop_tables_sa(conn):
    cur = conn.connection.cursor()
    drop_tables(cur)


def order_problem(graph, before_rows, fm_steps):
    """Why fleetmig's steps are in an order the graph does not allow, or None."""
    applied = graph.closure(before_rows)
    for rid, d in fm_steps:
        r = graph.by_id[rid]
        if d == "up":
            missing = [b for b in graph.below(r) if b not in applied]
            if missing or rid in applied:
                return "upgraded %s before %s" % (rid, missing or "(already applied)")
            applied.add(rid)
        else:
            above = [o.id for o in graph.revs if o.id in applied and rid in graph.below(o)]
            if above or rid not in applied:
                return "downgraded %s under %s" % (rid, above or "(not applied)")
            applied.discard(rid)
    return None


def fm_consistent(graph, rows, dup, before_rows, err, fm_steps):
    """Why fleetmig's state is broken, or None."""
    if err is not None and err.startswith("XX"):
        return "internal error %s" % err
    if dup:
        return "duplicate rows in fleetmig.version"
    unknown = [r for r in rows if r not in graph.by_id]
    if unknown:
        return "unknown rows %s" % unknown
    if graph.heads_of(graph.closure(rows)) != rows:
        return "rows %s are not the heads of what they apply" % sorted(rows)
    if err is not None and (rows != before_rows or fm_steps):
        return "failed but changed the state"
    return None


def fmt(err, rows):
    return ("error " + err) if err else "ok %s" % sorted(rows)


def replay_graph(args, twins, gseed, log):
    """Run one graph; returns (compared, agreed, uncompared, problems)."""
    rng = random.Random(gseed)
    graph = make_graph(rng)
    root = tempfile.mkdtemp(prefix="fleetmig_diff_", dir=args.workdir)
    compared = agreed = uncompared = problems = 0
    try:
        twins.reset(graph, root)
        log.write("graph %d: %s\n" % (gseed, describe(graph)))
        rows = set()
        for k in range(args.commands):
            op = rng.choice(["upgrade", "upgrade", "downgrade", "downgrade", "stamp"])
            target = random_target(rng, graph, rows)
            why = uncompared_reason(graph, op, target, rows)
            a_err, a_why, a_rows, a_tables, a_steps = twins.run_al(op, target, why is None)
            why = why or a_why
            f_err, f_rows, f_dup, f_tables, f_steps = twins.run_fm(op, target, why is None)
            broken = fm_consistent(graph, f_rows, f_dup, rows, f_err, f_steps)
            if broken is None and f_err is None and op != "stamp":
                broken = order_problem(graph, rows, f_steps)
            cmd = "%s('%s')" % (op, target)
            log.write("  %2d %-28s alembic %s | fleetmig %s%s\n" % (
                k, cmd, fmt(a_err, a_rows), fmt(f_err, f_rows),
                " (not compared: %s)" % why if why else ""))
            if broken:
                problems += 1
                print("BROKEN --graph-seed %d command %d %s from %s: %s"
                      % (gseed, k, cmd, sorted(rows), broken))
                break
            if why:
                uncompared += 1
                continue
            compared += 1
            diffs = []
            if (a_err is None) != (f_err is None):
                diffs.append("alembic %s, fleetmig %s" % (fmt(a_err, a_rows), fmt(f_err, f_rows)))
            elif a_err is None:
                # Alembic may keep a row below another through depends_on
                a_rows = graph.heads_of(graph.closure(a_rows))
                if a_rows != f_rows:
                    diffs.append("rows: alembic %s, fleetmig %s" % (sorted(a_rows), sorted(f_rows)))
                if a_tables != f_tables:
                    diffs.append("tables: alembic %s, fleetmig %s" % (sorted(a_tables), sorted(f_tables)))
                if sorted(a_steps) != sorted(f_steps):
                    diffs.append("steps: alembic %s, fleetmig %s" % (a_steps, f_steps))
            if diffs:
                problems += 1
                print("DISAGREE --graph-seed %d command %d %s from %s: %s"
                      % (gseed, k, cmd, sorted(rows), "; ".join(diffs)))
                print("    graph: %s" % describe(graph))
                break
            agreed += 1
            rows = f_rows
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return compared, agreed, uncompared, problems


def read_project(path):
    """The graph of a fleetmig migrations directory (headers only)."""
    revs = []
    for name in sorted(os.listdir(path)):
        if not name.endswith(".sql"):
            continue
        head = {}
        with open(os.path.join(path, name)) as f:
            for line in f:
                line = line.strip()
                if line.startswith("-- fleetmig:"):
                    key, _, value = line[len("-- fleetmig:"):].partition(" ")
                    head[key] = value.strip()
        split = (lambda v: [x.strip() for x in v.split(",")] if v and v != "none" else [])
        revs.append(Rev(head["revision"], split(head.get("down_revision")),
                        split(head.get("depends_on")), split(head.get("branch_labels")),
                        head.get("created", "")))
    return Graph(revs)


def replay_project(args, twins, log):
    """Run the commands of a corpus file on a project; every outcome goes
    to log, a disagreement also to stdout; returns (compared, problems,
    uncompared)."""
    graph = read_project(args.project)
    root = tempfile.mkdtemp(prefix="fleetmig_diff_", dir=args.workdir)
    problems = count = uncompared = 0
    try:
        twins.reset(graph, root)
        with open(os.path.join(args.project, "commands")) as f:
            lines = [ln.split() for ln in f if ln.strip() and not ln.startswith("#")]
        rows = set()
        for op, target in lines:
            why = uncompared_reason(graph, op, target, rows)
            a_err, a_why, a_rows, a_tables, a_steps = twins.run_al(op, target, why is None)
            why = why or a_why
            f_err, f_rows, f_dup, f_tables, f_steps = twins.run_fm(op, target, why is None)
            broken = fm_consistent(graph, f_rows, f_dup, rows, f_err, f_steps)
            if a_err is None and why is None:
                a_rows = graph.heads_of(graph.closure(a_rows))
            same = (why is not None
                    or ((a_err is None) == (f_err is None)
                        and (a_err is not None or (a_rows == f_rows and a_tables == f_tables))))
            line = "%s %s('%s'): alembic %s | fleetmig %s%s%s\n" % (
                "DISAGREE" if not same or broken else "run     " if why else "agree   ", op, target,
                fmt(a_err, a_rows), fmt(f_err, f_rows),
                " (not compared: %s)" % why if why else "",
                " BROKEN: %s" % broken if broken else "")
            log.write(line)
            if why:
                uncompared += 1
            else:
                count += 1
            if not same or broken:
                problems += 1
                if log is not sys.stdout:
                    sys.stdout.write("%s: %s" % (args.project, line))
            if why is None:
                rows = f_rows
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return count, problems, uncompared


def describe(graph):
    parts = []
    for r in graph.revs:
        s = "%s<-%s" % (r.id, ",".join(r.parents) or "base")
        if r.labels:
            s += "[%s]" % ",".join(r.labels)
        if r.deps:
            s += "{dep %s}" % ",".join(r.deps)
        parts.append(s)
    return " ".join(parts)


def setup_databases():
    conn = psycopg2.connect(dbname="postgres")
    conn.autocommit = True
    cur = conn.cursor()
    for db in (FM_DB, AL_DB):
        cur.execute("DROP DATABASE IF EXISTS %s" % db)
        cur.execute("CREATE DATABASE %s" % db)
    conn.close()
    for db in (FM_DB, AL_DB):
        c = psycopg2.connect(dbname=db)
        cur = c.cursor()
        if db == FM_DB:
            cur.execute("CREATE EXTENSION fleetmig")
        cur.execute("CREATE TABLE steplog (id serial PRIMARY KEY, rev text, dir text)")
        c.commit()
        c.close()


def drop_databases():
    conn = psycopg2.connect(dbname="postgres")
    conn.autocommit = True
    for db in (FM_DB, AL_DB):
        conn.cursor().execute("DROP DATABASE IF EXISTS %s" % db)
    conn.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--graphs", type=int, default=300, help="how many random graphs (default 300)")
    p.add_argument("--commands", type=int, default=30, help="commands per graph (default 30)")
    p.add_argument("--seed", type=int, default=None, help="master seed (default: random)")
    p.add_argument("--graph-seed", type=int, default=None, help="replay one graph")
    p.add_argument("--log", default=None, help="file for every command and outcome")
    p.add_argument("--project", default=None,
                   help="a migrations directory with a 'commands' file (op target per line) to replay")
    p.add_argument("--workdir", default=None, help="where the projects are written (readable by the server)")
    args = p.parse_args()
    logging.disable(logging.CRITICAL)

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2 ** 31)
    if args.graph_seed is not None:
        gseeds = [args.graph_seed]
    else:
        master = random.Random(seed)
        gseeds = [master.randrange(2 ** 31) for _ in range(args.graphs)]

    if args.project:
        logf = open(args.log, "a") if args.log else sys.stdout
        setup_databases()
        twins = Twins(args)
        try:
            count, problems, uncompared = replay_project(args, twins, logf)
        finally:
            twins.close()
            drop_databases()
        print("%d/%d commands agree on %s; %d more run but not compared"
              % (count - problems, count, args.project, uncompared))
        return 1 if problems else 0

    logf = open(args.log, "w") if args.log else (sys.stdout if args.graph_seed is not None else open(os.devnull, "w"))
    setup_databases()
    twins = Twins(args)
    totals = [0, 0, 0, 0]
    try:
        for g in gseeds:
            res = replay_graph(args, twins, g, logf)
            totals = [a + b for a, b in zip(totals, res)]
    finally:
        twins.close()
        drop_databases()
    compared, agreed, uncompared, problems = totals
    print("%d/%d commands agree over %d graphs (seed %d); %d more run but not compared"
          % (agreed, compared, len(gseeds), seed, uncompared))
    if args.log:
        print("every command and its outcome: %s" % args.log)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
