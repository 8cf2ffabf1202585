/*-------------------------------------------------------------------------
 *
 * script.c
 *	  Parse the text of one migration file into a Revision (SPEC §2).
 *
 * A directive is a line matching ^[ \t]*--[ \t]*fleetmig: followed at once
 * by a lower-case key, then white space and the value.  Header directives
 * come first; section directives (upgrade, downgrade, verify) start the SQL
 * sections.  Everything here works on a buffer in memory: reading the
 * directory and checking the encoding live in scriptdir.c, and splitting a
 * section into statements is done when the step runs.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "script.h"

typedef enum ScriptKey
{
	KEY_REVISION,
	KEY_DOWN_REVISION,
	KEY_MESSAGE,
	KEY_CREATED,
	KEY_BRANCH_LABELS,
	KEY_DEPENDS_ON,
	KEY_TRANSACTION,
	KEY_UPGRADE,
	KEY_DOWNGRADE,
	KEY_VERIFY,
	NUM_KEYS
} ScriptKey;

static const struct
{
	const char *name;
	bool		is_section;
}			script_keys[NUM_KEYS] =
{
	[KEY_REVISION] = {"revision", false},
	[KEY_DOWN_REVISION] = {"down_revision", false},
	[KEY_MESSAGE] = {"message", false},
	[KEY_CREATED] = {"created", false},
	[KEY_BRANCH_LABELS] = {"branch_labels", false},
	[KEY_DEPENDS_ON] = {"depends_on", false},
	[KEY_TRANSACTION] = {"transaction", false},
	[KEY_UPGRADE] = {"upgrade", true},
	[KEY_DOWNGRADE] = {"downgrade", true},
	[KEY_VERIFY] = {"verify", true},
};

/* Where the parser is: file name and the current line, for errors */
typedef struct ScriptParser
{
	const char *filename;
	int			line;
	int			comment_depth;	/* open block comments in the header */
} ScriptParser;

static const char *const reserved_names[] = {"head", "heads", "base", "none"};

static int	errdetail_at(const ScriptParser *p);
static bool is_blank(char c);
static const char *skip_blanks(const char *s, const char *end);
static bool header_comment_line(ScriptParser *p, const char *s, const char *eol);
static void parse_directive(ScriptParser *p, Revision *rev, const char *key,
							int keylen, char *value, bool allocated,
							int seen[], bool in_section,
							ScriptSection **section);
static List *parse_name_list(ScriptParser *p, const char *key,
							 const char *value, bool labels, bool none_ok);
static char *parse_created(ScriptParser *p, const char *value);
static void finish_section(ScriptSection *section, const char *start,
						   const char *end);
static int	compare_names(const void *a, const void *b);

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * errdetail naming the file and line the parser is on.
 */
static int
errdetail_at(const ScriptParser *p)
{
	return errdetail("File \"%s\", line %d.", p->filename, p->line);
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static const char *
skip_blanks(const char *s, const char *end)
{
	while (s < end && is_blank(*s))
		s++;
	return s;
}

/*
 * Is a header line (not a directive) blank or a comment?  Tracks block
 * comments, which may span lines and nest as in PostgreSQL.
 */
static bool
header_comment_line(ScriptParser *p, const char *s, const char *eol)
{
	while (s < eol)
	{
		bool		two = (s + 1 < eol);

		if (two && s[0] == '/' && s[1] == '*')
		{
			p->comment_depth++;
			s += 2;
		}
		else if (p->comment_depth > 0)
		{
			if (two && s[0] == '*' && s[1] == '/')
			{
				p->comment_depth--;
				s += 2;
			}
			else
				s++;
		}
		else if (is_blank(*s))
			s++;
		else
			return two && s[0] == '-' && s[1] == '-';
	}
	return true;
}

/*
 * Is this a valid revision id or branch label: 1 to 64 characters of
 * [A-Za-z0-9_]?  Reserved words are checked separately.
 */
bool
script_valid_name(const char *name)
{
	size_t		len = strlen(name);

	if (len == 0 || len > SCRIPT_MAX_NAME_LEN)
		return false;
	for (const char *c = name; *c; c++)
	{
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			  (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	}
	return true;
}

/*
 * head, heads, base and none mean something in a target or a header, so
 * they can be neither revision ids nor branch labels.
 */
bool
script_reserved_name(const char *name)
{
	for (int i = 0; i < (int) lengthof(reserved_names); i++)
	{
		if (strcmp(name, reserved_names[i]) == 0)
			return true;
	}
	return false;
}

/*
 * Remove a UTF-8 byte order mark and turn CRLF into LF, in place, so that a
 * checkout on another operating system parses and checksums the same.
 */
void
script_normalize(char *buf, Size *len)
{
	Size		in = 0;
	Size		out = 0;

	if (*len >= 3 && (unsigned char) buf[0] == 0xEF &&
		(unsigned char) buf[1] == 0xBB && (unsigned char) buf[2] == 0xBF)
		in = 3;
	for (; in < *len; in++)
	{
		if (buf[in] == '\r' && in + 1 < *len && buf[in + 1] == '\n')
			continue;
		buf[out++] = buf[in];
	}
	buf[out] = '\0';
	*len = out;
}

/*
 * Bytes that pack_names() takes for a list of names: the list, then the
 * strings, each part MAXALIGNed.
 */
static Size
packed_names_size(List *names)
{
	Size		strings = 0;
	ListCell   *lc;

	if (names == NIL)
		return 0;
	foreach(lc, names)
		strings += strlen(lfirst(lc)) + 1;
	return MAXALIGN(offsetof(List, initial_elements) +
					list_length(names) * sizeof(ListCell)) + MAXALIGN(strings);
}

/*
 * Copy a list of names to "*at" (MAXALIGNed): the list at its length, then
 * the strings; "*at" moves on to the next MAXALIGNed byte.
 */
static List *
pack_names(List *names, char **at)
{
	List	   *list;
	char	   *strings;
	ListCell   *lc;

	if (names == NIL)
		return NIL;
	list = (List *) *at;
	list->type = T_List;
	list->length = list->max_length = list_length(names);
	list->elements = list->initial_elements;
	strings = *at + MAXALIGN(offsetof(List, initial_elements) +
							 list_length(names) * sizeof(ListCell));
	foreach(lc, names)
	{
		Size		len = strlen(lfirst(lc)) + 1;

		memcpy(strings, lfirst(lc), len);
		list->elements[foreach_current_index(lc)].ptr_value = strings;
		strings += len;
	}
	*at = (char *) MAXALIGN(strings);
	return list;
}

static char *
pack_string(const char *s, char **at)
{
	char	   *copy = *at;
	Size		len;

	if (s == NULL)
		return NULL;
	len = strlen(s) + 1;
	memcpy(copy, s, len);
	*at += len;
	return copy;
}

/*
 * A copy of a parsed revision in one allocation of the current memory
 * context: the Revision, its strings and its lists of names (SPEC §11: for
 * a small file, a chunk header for each would cost more than its text).
 * The lists are read, never changed: they are not chunks of their own, and
 * a list operation that grows them would fail.  The text, the file name
 * and the sections stay where they are; the graph is not built yet.
 */
Revision *
script_pack(const Revision *rev)
{
	Size		size = MAXALIGN(sizeof(Revision)) +
		packed_names_size(rev->down_revisions) +
		packed_names_size(rev->branch_labels) +
		packed_names_size(rev->depends_on) +
		strlen(rev->id) + 1 +
		(rev->message ? strlen(rev->message) + 1 : 0) +
		(rev->created ? strlen(rev->created) + 1 : 0);
	Revision   *copy = palloc(size);
	char	   *at = (char *) copy + MAXALIGN(sizeof(Revision));

	Assert(rev->parents == NIL && rev->children == NIL);
	*copy = *rev;
	/* the lists first, where they are aligned, then the strings */
	copy->down_revisions = pack_names(rev->down_revisions, &at);
	copy->branch_labels = pack_names(rev->branch_labels, &at);
	copy->depends_on = pack_names(rev->depends_on, &at);
	copy->id = pack_string(rev->id, &at);
	copy->message = pack_string(rev->message, &at);
	copy->created = pack_string(rev->created, &at);
	Assert(at <= (char *) copy + size);
	return copy;
}

/*
 * Parse a migration file.  "text" must be normalised and NUL-terminated at
 * text[len]; the Revision keeps pointers to it and to "filename", which
 * must live as long as the Revision.  Any violation of SPEC §2
 * is an ERROR naming the file and line.
 */
Revision *
script_parse(const char *filename, char *text, Size len)
{
	ScriptParser p = {filename, 0, 0};
	Revision   *rev = palloc0(sizeof(Revision));
	int			seen[NUM_KEYS] = {0};
	ScriptSection *section = NULL;
	const char *section_start = NULL;
	const char *end = text + len;
	const char *line = text;
	int			header_end_line = 0;
	char		scratch[128];

	rev->filename = filename;
	rev->text = text;
	rev->text_len = len;
	rev->transactional = true;

	while (line < end)
	{
		const char *eol = memchr(line, '\n', end - line);
		const char *next;
		const char *s;

		if (eol == NULL)
			eol = end;
		next = (eol < end) ? eol + 1 : end;
		p.line++;

		s = skip_blanks(line, eol);
		if (eol - s >= 2 && s[0] == '-' && s[1] == '-')
		{
			const char *k = skip_blanks(s + 2, eol);

			if (eol - k >= 9 && memcmp(k, "fleetmig:", 9) == 0)
			{
				const char *key = k + 9;
				const char *v = key;
				char	   *value;
				const char *vstart;
				const char *vend;
				bool		allocated;
				ScriptSection *before = section;

				while (v < eol && ((*v >= 'a' && *v <= 'z') || *v == '_'))
					v++;
				if (v == key || (v < eol && !is_blank(*v)))
					ereport(ERROR,
							(errcode(ERRCODE_SYNTAX_ERROR),
							 errmsg("malformed fleetmig directive"),
							 errdetail_at(&p),
							 errhint("A directive is written \"-- fleetmig:<key> <value>\" with a lower-case key.")));
				vend = eol;
				while (vend > v && is_blank(vend[-1]))
					vend--;
				vstart = skip_blanks(v, vend);
				/* a short value is read in place: most are not kept */
				allocated = (vend - vstart >= (int) sizeof(scratch));
				if (allocated)
					value = pnstrdup(vstart, vend - vstart);
				else
				{
					memcpy(scratch, vstart, vend - vstart);
					scratch[vend - vstart] = '\0';
					value = scratch;
				}

				if (section == NULL && p.comment_depth > 0)
					ereport(ERROR,
							(errcode(ERRCODE_SYNTAX_ERROR),
							 errmsg("unterminated /* comment in the header"),
							 errdetail_at(&p),
							 errhint("Close the comment before the directive.")));
				parse_directive(&p, rev, key, v - key, value, allocated, seen,
								section != NULL, &section);
				if (section != before)
				{
					/* a new section starts on the next line */
					if (before != NULL)
						finish_section(before, section_start, line);
					else
						header_end_line = p.line;
					section_start = next;
				}
				line = next;
				continue;
			}
		}

		if (section == NULL && !header_comment_line(&p, s, eol))
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("text before the first section"),
					 errdetail_at(&p),
					 errhint("Above \"-- fleetmig:upgrade\" only directives, comments and blank lines may appear.")));
		line = next;
	}

	if (section != NULL)
		finish_section(section, section_start, end);
	else
		header_end_line = Max(p.line, 1);

	if (rev->id == NULL)
	{
		p.line = header_end_line;
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("missing fleetmig directive \"revision\""),
				 errdetail_at(&p),
				 errhint("Every migration file starts with a \"-- fleetmig:revision <id>\" line.")));
	}
	if (!rev->upgrade.present)
	{
		p.line = Max(p.line, 1);
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("missing section \"upgrade\" in revision \"%s\"", rev->id),
				 errdetail_at(&p),
				 errhint("Add a \"-- fleetmig:upgrade\" line; the section may be empty.")));
	}
	return rev;
}

/*
 * Apply one directive to the revision.  "section" is the section being read
 * (NULL in the header) and is moved to the new one for a section directive.
 */
static void
parse_directive(ScriptParser *p, Revision *rev, const char *key, int keylen,
				char *value, bool allocated, int seen[], bool in_section,
				ScriptSection **section)
{
	int			k;

	for (k = 0; k < NUM_KEYS; k++)
	{
		if ((int) strlen(script_keys[k].name) == keylen &&
			strncmp(script_keys[k].name, key, keylen) == 0)
			break;
	}
	if (k == NUM_KEYS)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("unknown fleetmig directive \"%.*s\"", keylen, key),
				 errdetail_at(p),
				 errhint("Header directives are revision, down_revision, message, created, branch_labels, depends_on and transaction; sections are upgrade, downgrade and verify.")));
	if (seen[k])
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("fleetmig directive \"%s\" appears more than once",
						script_keys[k].name),
				 errdetail("File \"%s\", line %d. It first appears at line %d.",
						   p->filename, p->line, seen[k])));
	seen[k] = p->line;

	if (script_keys[k].is_section)
	{
		if (value[0] != '\0')
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("section directive \"%s\" takes no value",
							script_keys[k].name),
					 errdetail_at(p)));
		switch (k)
		{
			case KEY_UPGRADE:
				*section = &rev->upgrade;
				break;
			case KEY_DOWNGRADE:
				*section = &rev->downgrade;
				break;
			default:
				*section = &rev->verify;
				break;
		}
		(*section)->present = true;
		(*section)->line = p->line;
		if (allocated)
			pfree(value);
		return;
	}

	if (in_section)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("header directive \"%s\" after the first section",
						script_keys[k].name),
				 errdetail_at(p),
				 errhint("Move the header directives above \"-- fleetmig:upgrade\".")));
	if (value[0] == '\0' && k != KEY_MESSAGE)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("fleetmig directive \"%s\" has no value",
						script_keys[k].name),
				 errdetail_at(p)));

	switch (k)
	{
		case KEY_REVISION:
			if (!script_valid_name(value) || script_reserved_name(value))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_NAME),
						 errmsg("invalid revision id \"%s\"", value),
						 errdetail_at(p),
						 errhint("A revision id is 1 to 64 letters, digits or underscores, and not head, heads, base or none.")));
			rev->id = allocated ? value : pstrdup(value);
			rev->revision_line = p->line;
			return;
		case KEY_DOWN_REVISION:
			rev->down_revisions = parse_name_list(p, "down_revision", value,
												  false, true);
			rev->down_revision_line = p->line;
			break;
		case KEY_MESSAGE:
			rev->message = allocated ? value : pstrdup(value);
			return;
		case KEY_CREATED:
			rev->created = parse_created(p, value);
			break;
		case KEY_BRANCH_LABELS:
			rev->branch_labels = parse_name_list(p, "branch_labels", value,
												 true, false);
			rev->branch_labels_line = p->line;
			break;
		case KEY_DEPENDS_ON:
			rev->depends_on = parse_name_list(p, "depends_on", value,
											  false, true);
			rev->depends_on_line = p->line;
			break;
		case KEY_TRANSACTION:
			if (strcmp(value, "on") == 0)
				rev->transactional = true;
			else if (strcmp(value, "off") == 0)
				rev->transactional = false;
			else
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("invalid value \"%s\" for fleetmig directive \"transaction\"",
								value),
						 errdetail_at(p),
						 errhint("Use on or off.")));
			break;
	}
	/* the id and the message keep the value; the others are copies */
	if (allocated)
		pfree(value);
}

/*
 * A comma-separated list of names; white space around the commas is
 * ignored.  "none" alone means the empty list where none_ok.
 */
static List *
parse_name_list(ScriptParser *p, const char *key, const char *value,
				bool labels, bool none_ok)
{
	List	   *result = NIL;
	const char *s = value;

	if (none_ok && strcmp(value, "none") == 0)
		return NIL;

	for (;;)
	{
		const char *comma = strchr(s, ',');
		const char *e = comma ? comma : s + strlen(s);
		const char *b = s;
		char	   *name;

		while (b < e && is_blank(*b))
			b++;
		while (e > b && is_blank(e[-1]))
			e--;
		name = pnstrdup(b, e - b);
		if (name[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("empty item in fleetmig directive \"%s\"", key),
					 errdetail_at(p)));
		if (!script_valid_name(name) || script_reserved_name(name))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_NAME),
					 labels ? errmsg("invalid branch label \"%s\"", name) :
					 errmsg("invalid revision id \"%s\"", name),
					 errdetail_at(p),
					 labels ? errhint("A branch label is 1 to 64 letters, digits or underscores, and not head, heads, base or none.") :
					 errhint("A revision id is 1 to 64 letters, digits or underscores, and not head, heads, base or none.")));
		result = lappend(result, name);
		if (comma == NULL)
			break;
		s = comma + 1;
	}

	/* a name listed twice, found by sorting: lists may be long */
	if (list_length(result) > 1)
	{
		int			n = list_length(result);
		char	  **sorted = palloc(n * sizeof(char *));
		int			i = 0;
		ListCell   *lc;

		foreach(lc, result)
			sorted[i++] = lfirst(lc);
		qsort(sorted, n, sizeof(char *), compare_names);
		for (i = 1; i < n; i++)
		{
			if (strcmp(sorted[i - 1], sorted[i]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("\"%s\" is listed twice in fleetmig directive \"%s\"",
								sorted[i], key),
						 errdetail_at(p)));
		}
		pfree(sorted);
	}
	return result;
}

static bool
parse_digits(const char **s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++)
	{
		if ((*s)[i] < '0' || (*s)[i] > '9')
			return false;
		*out = *out * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return true;
}

/*
 * The "created" stamp: YYYY-MM-DD, optionally followed by a space or T and
 * HH:MM[:SS[.ffffff]].  Returned as "YYYY-MM-DD HH:MM:SS.ffffff", which sorts
 * as text in time order.
 */
static char *
parse_created(ScriptParser *p, const char *value)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	char		buf[32];
	const char *s = value;
	int			y,
				mo,
				d,
				h = 0,
				mi = 0,
				sec = 0,
				usec = 0;
	bool		ok;

	ok = parse_digits(&s, 4, &y) && *s++ == '-' &&
		parse_digits(&s, 2, &mo) && *s++ == '-' &&
		parse_digits(&s, 2, &d);
	if (ok && (*s == ' ' || *s == 'T'))
	{
		s++;
		ok = parse_digits(&s, 2, &h) && *s++ == ':' && parse_digits(&s, 2, &mi);
		if (ok && *s == ':')
		{
			s++;
			ok = parse_digits(&s, 2, &sec);
			if (ok && *s == '.')
			{
				int			digits = 0;

				s++;
				while (*s >= '0' && *s <= '9' && digits < 6)
				{
					usec = usec * 10 + (*s++ - '0');
					digits++;
				}
				ok = digits > 0;
				for (; digits < 6; digits++)
					usec *= 10;
			}
		}
	}
	ok = ok && *s == '\0' && y >= 1 && mo >= 1 && mo <= 12 && d >= 1 &&
		d <= mdays[mo - 1] && h <= 23 && mi <= 59 && sec <= 59;
	if (ok && mo == 2 && d == 29)
		ok = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_DATETIME_FORMAT),
				 errmsg("invalid value \"%s\" for fleetmig directive \"created\"",
						value),
				 errdetail_at(p),
				 errhint("Write the time in UTC as YYYY-MM-DD HH:MM:SS.")));
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d.%06d",
			 y, mo, d, h, mi, sec, usec);
	return pstrdup(buf);
}

/*
 * The SQL of a section: from its first line up to the next section
 * directive, without trailing white space; a place in the file's text, not
 * a copy (SPEC §11 bounds memory by the input).
 */
static void
finish_section(ScriptSection *section, const char *start, const char *end)
{
	while (end > start && (is_blank(end[-1]) || end[-1] == '\n'))
		end--;
	section->sql = start;
	section->len = (int) (end - start);
}
