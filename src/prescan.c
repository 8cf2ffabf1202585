/*-------------------------------------------------------------------------
 *
 * prescan.c
 *	  A linear pre-scan of the SQL of a section or a model file, run before
 *	  PostgreSQL's lexer sees the text (SPEC §9).
 *
 * PostgreSQL's lexer matches the longest run of operator characters at a
 * token start, in code ("+" "-" "*" "/" ...) and at a "/" "*" inside a
 * comment, then puts back all but the first characters.  A run that breaks
 * into many tokens ("/" "*" "/" "*" ..., "+" "+" "+" ..., "/" "*" "*" "/"
 * repeated) therefore costs time that grows with the square of its length,
 * and the lexer does not check for interrupts: neither statement_timeout
 * nor pg_cancel_backend() ends it.  Deep nesting of parentheses makes the
 * grammar and the planner work hard in the same way.  This scan follows the
 * lexer's states (code, block comments, line comments, string literals,
 * quoted identifiers, dollar quotes) in one pass and refuses, with
 * SQLSTATE 54001, text whose block comments or parentheses nest deeper, or
 * whose runs of operator characters are longer, than the limits in
 * prescan.h.  The bodies of dollar quotes (DO blocks, function bodies) are
 * lexed again when they run, so they are checked as SQL of their own, down
 * to PRESCAN_MAX_BODY_DEPTH levels.
 *
 * A section may change standard_conforming_strings, and the statements
 * after it are lexed under the new value, so the text is checked under
 * both values (the second pass only when a backslash occurs in a plain
 * string literal, as otherwise both passes are the same).
 *
 * No SPI, no catalog access, no memory allocation: the libFuzzer harness
 * in test/fuzz/ runs it without a server.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "prescan.h"

typedef enum PrescanLimit
{
	LIMIT_COMMENT_DEPTH,
	LIMIT_PAREN_DEPTH,
	LIMIT_OPERATOR_RUN
} PrescanLimit;

typedef struct Scanner
{
	const char *sql;
	const PrescanSource *source;
	bool		standard_strings;	/* standard_conforming_strings */
	bool		backslash_in_plain; /* a backslash in a plain string literal */
	int			countdown;		/* characters until the next interrupt check */
} Scanner;

static void scan_range(Scanner *s, int pos, int end, int body_depth);
static int	skip_string(Scanner *s, int pos, int end, bool escapes, bool plain);
static int	skip_quoted_identifier(Scanner *s, int pos, int end);
static int	dollar_tag_length(Scanner *s, int pos, int end);
static int	find_dollar_end(Scanner *s, int pos, int end, const char *tag,
							int taglen);
static void refuse(Scanner *s, PrescanLimit limit, int pos);

/* The lexer's op_chars */
static inline bool
is_operator_char(char c)
{
	return c != '\0' && strchr("~!@#^&|`?+-*/%<>=", c) != NULL;
}

/* The lexer's ident_start and ident_cont */
static inline bool
is_ident_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
		IS_HIGHBIT_SET(c);
}

static inline bool
is_ident_cont(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

/* Count a character scanned; check for interrupts now and then */
static inline void
tick(Scanner *s)
{
	if (--s->countdown <= 0)
	{
		s->countdown = PRESCAN_INTERRUPT_INTERVAL;
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Refuse the text: name the limit, the file and the line of byte "pos".
 */
static void
refuse(Scanner *s, PrescanLimit limit, int pos)
{
	const PrescanSource *src = s->source;
	int			line = src->first_line;

	for (int i = 0; i < pos; i++)
	{
		if (s->sql[i] == '\n')
			line++;
	}
	switch (limit)
	{
		case LIMIT_COMMENT_DEPTH:
			ereport(ERROR,
					(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
					 errmsg("block comments nested too deeply in %s \"%s\"",
							src->noun, src->name),
					 errdetail("File \"%s\", line %d. Block comments may be nested at most %d deep.",
							   src->filename, line, PRESCAN_MAX_COMMENT_DEPTH),
					 errhint("Close the comments that are open, or take out the extra \"/*\"; PostgreSQL's lexer cannot be interrupted while it reads deeply nested comments.")));
			break;
		case LIMIT_PAREN_DEPTH:
			ereport(ERROR,
					(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
					 errmsg("parentheses nested too deeply in %s \"%s\"",
							src->noun, src->name),
					 errdetail("File \"%s\", line %d. Parentheses may be nested at most %d deep.",
							   src->filename, line, PRESCAN_MAX_PAREN_DEPTH),
					 errhint("Split the expression or the query, for example into views or functions.")));
			break;
		case LIMIT_OPERATOR_RUN:
			ereport(ERROR,
					(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
					 errmsg("too many operator characters in a row in %s \"%s\"",
							src->noun, src->name),
					 errdetail("File \"%s\", line %d. At most %d operator characters (such as \"+\", \"*\" and \"/\") may follow each other, in code or in a block comment.",
							   src->filename, line, PRESCAN_MAX_OPERATOR_RUN),
					 errhint("Put white space between the operators and comment markers; PostgreSQL's lexer takes time that grows with the square of such a run and cannot be interrupted while it reads it.")));
			break;
	}
}

/*
 * Skip a string literal whose opening quote is before "pos"; returns the
 * position after the closing quote, or "end".  "escapes": backslash
 * escapes as in E'...'; "plain": a literal whose kind depends on
 * standard_conforming_strings.
 */
static int
skip_string(Scanner *s, int pos, int end, bool escapes, bool plain)
{
	while (pos < end)
	{
		char		c = s->sql[pos];

		tick(s);
		if (c == '\\')
		{
			if (plain)
				s->backslash_in_plain = true;
			pos += (escapes && pos + 1 < end) ? 2 : 1;
		}
		else if (c == '\'')
		{
			if (pos + 1 < end && s->sql[pos + 1] == '\'')
				pos += 2;
			else
				return pos + 1;
		}
		else
			pos++;
	}
	return end;
}

/*
 * Skip a quoted identifier whose opening quote is before "pos"; returns the
 * position after the closing quote, or "end".
 */
static int
skip_quoted_identifier(Scanner *s, int pos, int end)
{
	while (pos < end)
	{
		tick(s);
		if (s->sql[pos] == '"')
		{
			if (pos + 1 < end && s->sql[pos + 1] == '"')
				pos += 2;
			else
				return pos + 1;
		}
		else
			pos++;
	}
	return end;
}

/*
 * The length of the dollar-quote delimiter ($tag$ or $$) at "pos", or 0
 * when there is none.
 */
static int
dollar_tag_length(Scanner *s, int pos, int end)
{
	int			p = pos + 1;

	if (p < end && is_ident_start(s->sql[p]))
	{
		while (p < end && is_ident_cont(s->sql[p]) && s->sql[p] != '$')
		{
			tick(s);
			p++;
		}
	}
	if (p < end && s->sql[p] == '$')
		return p - pos + 1;
	return 0;
}

/*
 * Where the first occurrence of the delimiter "tag" at or after "pos"
 * starts, as the lexer finds it, or -1.  The tag holds no "$" but its ends,
 * so comparing from each "$" stops by the next one: linear.
 */
static int
find_dollar_end(Scanner *s, int pos, int end, const char *tag, int taglen)
{
	for (; pos + taglen <= end; pos++)
	{
		int			i = 0;

		tick(s);
		if (s->sql[pos] != '$')
			continue;
		while (i < taglen && s->sql[pos + i] == tag[i])
		{
			tick(s);
			i++;
		}
		if (i == taglen)
			return pos;
	}
	return -1;
}

/*
 * Check the text from "pos" to "end" as SQL on its own.
 */
static void
scan_range(Scanner *s, int pos, int end, int body_depth)
{
	const char *sql = s->sql;
	int			comment_depth = 0;
	int			paren_depth = 0;
	int			run = 0;		/* operator characters in a row */

	while (pos < end)
	{
		char		c = sql[pos];
		char		next = pos + 1 < end ? sql[pos + 1] : '\0';

		tick(s);
		if (comment_depth > 0)
		{
			/* in a block comment only "/" "*" and "*" "/" count */
			if (c == '/' && next == '*')
			{
				if (++comment_depth > PRESCAN_MAX_COMMENT_DEPTH)
					refuse(s, LIMIT_COMMENT_DEPTH, pos);
				tick(s);
				run += 2;
				pos += 2;
			}
			else if (c == '*' && next == '/')
			{
				comment_depth--;
				tick(s);
				run += 2;
				pos += 2;
			}
			else
			{
				run = is_operator_char(c) ? run + 1 : 0;
				pos++;
			}
			if (run > PRESCAN_MAX_OPERATOR_RUN)
				refuse(s, LIMIT_OPERATOR_RUN, pos - 1);
			continue;
		}

		if (c == '-' && next == '-')
		{
			/* a line comment ends the run: the lexer reads it once */
			run = 0;
			while (pos < end && sql[pos] != '\n' && sql[pos] != '\r')
			{
				tick(s);
				pos++;
			}
			continue;
		}
		if (c == '/' && next == '*')
		{
			comment_depth = 1;
			tick(s);
			run += 2;
			pos += 2;
			if (run > PRESCAN_MAX_OPERATOR_RUN)
				refuse(s, LIMIT_OPERATOR_RUN, pos - 1);
			continue;
		}
		if (is_operator_char(c))
		{
			if (++run > PRESCAN_MAX_OPERATOR_RUN)
				refuse(s, LIMIT_OPERATOR_RUN, pos);
			pos++;
			continue;
		}
		run = 0;

		if (c == '(')
		{
			if (++paren_depth > PRESCAN_MAX_PAREN_DEPTH)
				refuse(s, LIMIT_PAREN_DEPTH, pos);
			pos++;
		}
		else if (c == ')')
		{
			if (paren_depth > 0)
				paren_depth--;
			pos++;
		}
		else if (c == '\'')
			pos = skip_string(s, pos + 1, end, !s->standard_strings, true);
		else if (c == '"')
			pos = skip_quoted_identifier(s, pos + 1, end);
		else if (c == '$')
		{
			int			taglen = dollar_tag_length(s, pos, end);
			int			body = pos + taglen;
			int			close;

			if (taglen == 0)
			{
				/* a parameter ($1) or a stray "$" */
				pos++;
				continue;
			}
			close = find_dollar_end(s, body, end, sql + pos, taglen);
			if (close < 0)
				return;			/* unterminated: the rest is the literal */
			if (body_depth < PRESCAN_MAX_BODY_DEPTH)
				scan_range(s, body, close, body_depth + 1);
			pos = close + taglen;
		}
		else if (is_ident_start(c))
		{
			int			start = pos;

			while (pos < end && is_ident_cont(sql[pos]))
			{
				tick(s);
				pos++;
			}
			if (pos - start != 1 || pos >= end)
				continue;
			/* E'...', B'...', X'...', U&'...' and U&"..." */
			if ((c == 'e' || c == 'E') && sql[pos] == '\'')
				pos = skip_string(s, pos + 1, end, true, false);
			else if ((c == 'b' || c == 'B' || c == 'x' || c == 'X') &&
					 sql[pos] == '\'')
				pos = skip_string(s, pos + 1, end, false, false);
			else if ((c == 'u' || c == 'U') && sql[pos] == '&' &&
					 pos + 1 < end && sql[pos + 1] == '\'')
				pos = skip_string(s, pos + 2, end, false, false);
			else if ((c == 'u' || c == 'U') && sql[pos] == '&' &&
					 pos + 1 < end && sql[pos + 1] == '"')
				pos = skip_quoted_identifier(s, pos + 2, end);
		}
		else
			pos++;
	}
}

/*
 * Refuse SQL text that would keep PostgreSQL's lexer or parser busy for
 * long (see the head comment): an ERROR with SQLSTATE 54001 that names
 * the file and line.  Returns when the text is within the limits.
 */
void
prescan_sql(const char *sql, int len, const PrescanSource *source)
{
	Scanner		s;

	s.sql = sql;
	s.source = source;
	s.standard_strings = true;
	s.backslash_in_plain = false;
	s.countdown = PRESCAN_INTERRUPT_INTERVAL;
	scan_range(&s, 0, len, 0);
	if (s.backslash_in_plain)
	{
		s.standard_strings = false;
		scan_range(&s, 0, len, 0);
	}
}
