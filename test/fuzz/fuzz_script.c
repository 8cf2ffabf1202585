/*
 * fuzz_script.c
 *	  libFuzzer target for the migration-file parser, src/script.c, and the
 *	  pre-scan of SQL text, src/prescan.c.
 *
 * Each input is run through script_normalize() and script_parse() as a
 * migration file named "fuzz.sql", and its lines through script_valid_name()
 * and script_reserved_name().  The pre-scan runs over the whole input (as a
 * model file) and over each section of a parsed revision.  An
 * ereport(ERROR) is a normal outcome: the shim longjmps back here.  Besides
 * what the sanitizers catch, a few properties from SPEC §2 and §9 are
 * checked, and a violation aborts like a crash:
 *   - a parsed Revision has a valid, unreserved id, an upgrade section, the
 *     SQL of every section present, valid distinct names in its lists and a
 *     well-formed "created" stamp;
 *   - an error has a message and an errdetail naming fuzz.sql and a line
 *     that exists in the file;
 *   - script_valid_name()/script_reserved_name() agree with a reference;
 *   - the pre-scan refuses only with 54001, and never text that is within
 *     its limits even when quotes and comments are not told apart (no run
 *     of operator characters, no count of "(" or of comment starts over the
 *     limits);
 *   - it checks for interrupts at least once per 2 *
 *     PRESCAN_INTERRUPT_INTERVAL characters (the target builds with a
 *     small interval).
 * Everything palloc'd for one input is freed before the next.
 *
 * FUZZ_SCRIPT_VERBOSE=1 in the environment prints the outcome of each input
 * (useful when running the binary on one crash file).
 */
#include "postgres.h"

#include <stdint.h>

#include "miscadmin.h"
#include "prescan.h"
#include "script.h"
#include "shim.h"

#define FUZZ_FILENAME "fuzz.sql"
#define MAX_NAME_PIECES 256
#define MAX_CHECKED_LIST 256

static bool verbose = false;

static void
fail(const char *what, const char *value)
{
	fprintf(stderr, "fuzz_script: property violated: %s%s%s%s\n", what,
			value ? " [" : "", value ? value : "", value ? "]" : "");
	abort();
}

/* SPEC §2: 1-64 chars of [A-Za-z0-9_] */
static bool
reference_valid_name(const char *s)
{
	size_t		n = strlen(s);

	if (n < 1 || n > SCRIPT_MAX_NAME_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
	{
		char		c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

static bool
reference_reserved_name(const char *s)
{
	return strcmp(s, "head") == 0 || strcmp(s, "heads") == 0 ||
		strcmp(s, "base") == 0 || strcmp(s, "none") == 0;
}

static void
check_name(const char *s)
{
	if (script_valid_name(s) != reference_valid_name(s))
		fail("script_valid_name() disagrees with SPEC §2", s);
	if (script_reserved_name(s) != reference_reserved_name(s))
		fail("script_reserved_name() disagrees with SPEC §2", s);
}

/* The whole input, then each piece between newlines and commas, as names */
static void
fuzz_names(const uint8_t *data, size_t size)
{
	char	   *buf = palloc(size + 1);
	char	   *s;
	int			pieces = 0;

	memcpy(buf, data, size);
	buf[size] = '\0';
	check_name(buf);

	s = buf;
	for (size_t i = 0; i <= size && pieces < MAX_NAME_PIECES; i++)
	{
		if (i == size || buf[i] == '\n' || buf[i] == ',' || buf[i] == '\0')
		{
			buf[i] = '\0';
			check_name(s);
			s = buf + i + 1;
			pieces++;
		}
	}
}

/* Lines as script_parse() counts them: a last line need not end in LF */
static int
count_lines(const char *text, Size len)
{
	int			lines = 0;

	for (Size i = 0; i < len; i++)
		if (text[i] == '\n')
			lines++;
	if (len > 0 && text[len - 1] != '\n')
		lines++;
	return lines;
}

static void
check_names(List *names, const char *what)
{
	ListCell   *lc;

	foreach(lc, names)
	{
		const char *name = lfirst(lc);

		if (!reference_valid_name(name) || reference_reserved_name(name))
			fail(what, name);
	}
	/* pairwise, so only for short lists: the harness must stay fast */
	if (list_length(names) > MAX_CHECKED_LIST)
		return;
	foreach(lc, names)
	{
		ListCell   *lc2;

		for_each_from(lc2, names, foreach_current_index(lc) + 1)
		{
			if (strcmp(lfirst(lc2), lfirst(lc)) == 0)
				fail("a name is listed twice", lfirst(lc));
		}
	}
}

static void
check_section(const ScriptSection *section, const char *text, Size len,
			  int lines, const char *what)
{
	if (!section->present)
	{
		if (section->sql != NULL || section->line != 0)
			fail("an absent section has SQL or a line", what);
		return;
	}
	if (section->sql == NULL)
		fail("a present section has no SQL", what);
	if (section->len < 0 || section->sql < text ||
		section->sql + section->len > text + len)
		fail("a section's SQL is not inside the file", what);
	if (section->line < 1 || section->line > lines)
		fail("a section's line is not in the file", what);
}

static void
check_same_names(List *a, List *b, const char *what)
{
	ListCell   *la;
	ListCell   *lb;

	if (list_length(a) != list_length(b))
		fail("script_pack() changed the length of a list", what);
	forboth(la, a, lb, b)
	{
		if (strcmp(lfirst(la), lfirst(lb)) != 0)
			fail("script_pack() changed a name", what);
	}
}

static bool
same_string(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The packed copy says what the parsed revision says */
static void
check_packed(const Revision *rev, const Revision *packed)
{
	if (!same_string(rev->id, packed->id) || !same_string(rev->message, packed->message) ||
		!same_string(rev->created, packed->created))
		fail("script_pack() changed the id, message or created", NULL);
	if (packed->filename != rev->filename || packed->text != rev->text ||
		packed->text_len != rev->text_len ||
		memcmp(&packed->upgrade, &rev->upgrade, sizeof(ScriptSection)) != 0 ||
		memcmp(&packed->downgrade, &rev->downgrade, sizeof(ScriptSection)) != 0 ||
		memcmp(&packed->verify, &rev->verify, sizeof(ScriptSection)) != 0 ||
		packed->transactional != rev->transactional)
		fail("script_pack() changed the file, text or sections", NULL);
	check_same_names(rev->down_revisions, packed->down_revisions, "down_revision");
	check_same_names(rev->branch_labels, packed->branch_labels, "branch_labels");
	check_same_names(rev->depends_on, packed->depends_on, "depends_on");
}

static void
check_revision(const Revision *rev, const char *text, Size len)
{
	int			lines = count_lines(text, len);

	if (rev == NULL)
		fail("script_parse() returned NULL", NULL);
	if (rev->text != text || rev->text_len != len)
		fail("the revision does not keep the text it was given", NULL);
	if (rev->filename == NULL || strcmp(rev->filename, FUZZ_FILENAME) != 0)
		fail("the revision has the wrong file name", rev->filename);
	if (rev->id == NULL)
		fail("a revision without an id parsed", NULL);
	if (!reference_valid_name(rev->id) || reference_reserved_name(rev->id))
		fail("an invalid revision id parsed", rev->id);
	if (!rev->upgrade.present)
		fail("a revision without an upgrade section parsed", NULL);
	check_section(&rev->upgrade, text, len, lines, "upgrade");
	check_section(&rev->downgrade, text, len, lines, "downgrade");
	check_section(&rev->verify, text, len, lines, "verify");
	check_names(rev->down_revisions, "an invalid down_revision parsed");
	check_names(rev->depends_on, "an invalid depends_on item parsed");
	check_names(rev->branch_labels, "an invalid branch label parsed");
	if (rev->message != NULL && strlen(rev->message) > len)
		fail("the message is longer than the file", NULL);
	if (rev->created != NULL)
	{
		/* "YYYY-MM-DD HH:MM:SS.ffffff" */
		static const char shape[] = "dddd-dd-dd dd:dd:dd.dddddd";
		const char *c = rev->created;

		if (strlen(c) != strlen(shape))
			fail("a malformed created stamp", c);
		for (int i = 0; shape[i]; i++)
		{
			if (shape[i] == 'd' ? !(c[i] >= '0' && c[i] <= '9') : c[i] != shape[i])
				fail("a malformed created stamp", c);
		}
	}
}

static void
check_error(const char *text, Size len)
{
	const ShimError *e = shim_last_error();
	static const char prefix[] = "File \"" FUZZ_FILENAME "\", line ";
	int			lines = count_lines(text, len);
	const char *p;
	long		line = 0;

	if (e == NULL || e->elevel != ERROR)
		fail("longjmp without an ERROR", NULL);
	if (e->message == NULL || e->sqlerrcode == 0)
		fail("an ERROR without a message or an error code", e->message);
	if (verbose)
		fprintf(stderr, "ERROR: %s\nDETAIL: %s\nHINT: %s\n", e->message,
				e->detail ? e->detail : "", e->hint ? e->hint : "");
	if (e->detail == NULL || strncmp(e->detail, prefix, strlen(prefix)) != 0)
		fail("an ERROR that does not name the file and line", e->message);
	p = e->detail + strlen(prefix);
	if (!(*p >= '1' && *p <= '9'))
		fail("an ERROR whose line is not a positive number", e->detail);
	while (*p >= '0' && *p <= '9' && line <= PG_INT32_MAX)
		line = line * 10 + (*p++ - '0');
	if (*p != '.')
		fail("an ERROR whose line is not a positive number", e->detail);
	if (line > Max(lines, 1))
		fail("an ERROR names a line past the end of the file", e->detail);
}

/*
 * Whether the text is within the pre-scan's limits however its quotes and
 * comments are read: every count here is at least what the pre-scan counts.
 */
static bool
naively_within_limits(const char *sql, int len)
{
	int			run = 0;
	int			parens = 0;
	int			comments = 0;

	for (const char *p = sql; p < sql + len; p++)
	{
		if (*p != '\0' && strchr("~!@#^&|`?+-*/%<>=", *p) != NULL)
		{
			if (++run > PRESCAN_MAX_OPERATOR_RUN)
				return false;
		}
		else
			run = 0;
		if (*p == '(' && ++parens > PRESCAN_MAX_PAREN_DEPTH)
			return false;
		if (p[0] == '/' && p + 1 < sql + len && p[1] == '*' && ++comments > PRESCAN_MAX_COMMENT_DEPTH)
			return false;
	}
	return true;
}

/*
 * Pre-scan "sql", which starts on line "first_line" of the file "text".
 */
static void
fuzz_prescan(const char *sql, int sql_len, int first_line, const char *text,
			 Size len)
{
	PrescanSource source = {"revision", "fuzz", FUZZ_FILENAME, first_line};
	jmp_buf		jump;
	long		checks = shim_interrupt_checks();

	InterruptPending = true;
	if (setjmp(jump) == 0)
	{
		shim_error_jump = &jump;
		prescan_sql(sql, sql_len, &source);
		shim_error_jump = NULL;
		/* every character is counted once at least, but a literal's tail */
		if (shim_interrupt_checks() - checks < (long) (sql_len / (2 * PRESCAN_INTERRUPT_INTERVAL)))
			fail("the pre-scan did not check for interrupts often enough", NULL);
	}
	else
	{
		const ShimError *e = shim_last_error();

		shim_error_jump = NULL;
		check_error(text, len);
		if (e->sqlerrcode != ERRCODE_STATEMENT_TOO_COMPLEX)
			fail("the pre-scan refused with another SQLSTATE than 54001", e->message);
		if (naively_within_limits(sql, sql_len))
			fail("the pre-scan refused text within its limits", e->message);
	}
	InterruptPending = false;
}

static void
fuzz_parse(const uint8_t *data, size_t size)
{
	char	   *buf = palloc(size + 1);
	Size		len = size;
	jmp_buf		jump;
	Revision   *rev;

	memcpy(buf, data, size);
	buf[size] = 'x';			/* script_normalize() must terminate it */
	script_normalize(buf, &len);
	if (len > size || buf[len] != '\0')
		fail("script_normalize() did not NUL-terminate its output", NULL);

	if (setjmp(jump) == 0)
	{
		shim_error_jump = &jump;
		rev = script_parse(FUZZ_FILENAME, buf, len);
		shim_error_jump = NULL;
		if (verbose)
			fprintf(stderr, "parsed revision %s\n", rev ? rev->id : "(null)");
		check_revision(rev, buf, len);
		check_packed(rev, script_pack(rev));
		if (rev->upgrade.present)
			fuzz_prescan(rev->upgrade.sql, rev->upgrade.len, rev->upgrade.line + 1, buf, len);
		if (rev->downgrade.present)
			fuzz_prescan(rev->downgrade.sql, rev->downgrade.len, rev->downgrade.line + 1, buf, len);
		if (rev->verify.present)
			fuzz_prescan(rev->verify.sql, rev->verify.len, rev->verify.line + 1, buf, len);
	}
	else
	{
		shim_error_jump = NULL;
		check_error(buf, len);
	}
	/* the whole file, as a model file is pre-scanned */
	fuzz_prescan(buf, (int) len, 1, buf, len);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	verbose = getenv("FUZZ_SCRIPT_VERBOSE") != NULL;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > SCRIPT_MAX_FILE_SIZE)
		return 0;
	fuzz_parse(data, size);
	fuzz_names(data, size);
	shim_arena_reset();
	return 0;
}
