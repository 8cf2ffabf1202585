/*
 * shim.c
 *	  The backend-only symbols that src/script.c links against, for the fuzz
 *	  target built against the server headers but without the server:
 *	  palloc and friends (an arena freed whole per input), ereport()'s
 *	  errstart/errfinish/errcode/errmsg/... (an ERROR longjmps back to the
 *	  harness), lappend(), ExceptionalCondition(), and the InterruptPending
 *	  flag and ProcessInterrupts() of CHECK_FOR_INTERRUPTS().
 *
 * psprintf/pvsnprintf come from the real libpgcommon.a and pg_vsnprintf from
 * libpgport.a.  libpgcommon.a also has a frontend palloc/pstrdup (malloc
 * that is never freed), in the same object file (fe_memutils.o), so the
 * whole palloc family is defined here instead; the linker then never pulls
 * that object in.
 *
 * Every chunk is its own malloc() so that AddressSanitizer sees the exact
 * bounds of each allocation; the chunks are kept on a list so that
 * shim_arena_reset() frees all of them after each input.
 */
#include "postgres.h"

#include <stddef.h>

#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/memutils.h"

#include "shim.h"

#define CHUNK_MAGIC 0x666d6967u	/* "fmig" */

typedef union ChunkHeader
{
	struct
	{
		union ChunkHeader *prev;
		union ChunkHeader *next;
		Size		size;
		uint32		magic;
	}			h;
	max_align_t align;			/* keep the user data maximally aligned */
} ChunkHeader;

static ChunkHeader *arena = NULL;	/* newest chunk first */
static long arena_count = 0;

jmp_buf    *shim_error_jump = NULL;
static ShimError edata;
static bool have_error = false;

/* ---------------------------------------------------------------- memory */

static ChunkHeader *
chunk_of(void *pointer)
{
	ChunkHeader *c;

	if (pointer == NULL)
	{
		fprintf(stderr, "shim: pfree/repalloc of a NULL pointer\n");
		abort();
	}
	c = (ChunkHeader *) ((char *) pointer - sizeof(ChunkHeader));
	if (c->h.magic != CHUNK_MAGIC)
	{
		fprintf(stderr, "shim: pfree/repalloc of a pointer palloc did not return\n");
		abort();
	}
	return c;
}

static void
chunk_link(ChunkHeader *c)
{
	c->h.prev = NULL;
	c->h.next = arena;
	if (arena != NULL)
		arena->h.prev = c;
	arena = c;
}

static void
chunk_unlink(ChunkHeader *c)
{
	if (c->h.prev != NULL)
		c->h.prev->h.next = c->h.next;
	else
		arena = c->h.next;
	if (c->h.next != NULL)
		c->h.next->h.prev = c->h.prev;
}

void *
palloc(Size size)
{
	ChunkHeader *c;

	if (!AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	c = malloc(sizeof(ChunkHeader) + size);
	if (c == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	c->h.size = size;
	c->h.magic = CHUNK_MAGIC;
	chunk_link(c);
	arena_count++;
	return (char *) c + sizeof(ChunkHeader);
}

void *
palloc0(Size size)
{
	void	   *p = palloc(size);

	memset(p, 0, size);
	return p;
}

void
pfree(void *pointer)
{
	ChunkHeader *c = chunk_of(pointer);

	chunk_unlink(c);
	c->h.magic = 0;
	arena_count--;
	free(c);
}

void *
repalloc(void *pointer, Size size)
{
	ChunkHeader *c = chunk_of(pointer);
	ChunkHeader *n;

	if (!AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	chunk_unlink(c);
	n = realloc(c, sizeof(ChunkHeader) + size);
	if (n == NULL)
	{
		chunk_link(c);			/* still valid, still ours */
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	}
	n->h.size = size;
	chunk_link(n);
	return (char *) n + sizeof(ChunkHeader);
}

char *
pstrdup(const char *in)
{
	Size		len = strlen(in);
	char	   *out = palloc(len + 1);

	memcpy(out, in, len + 1);
	return out;
}

char *
pnstrdup(const char *in, Size len)
{
	char	   *out;

	len = strnlen(in, len);
	out = palloc(len + 1);
	memcpy(out, in, len);
	out[len] = '\0';
	return out;
}

void
shim_arena_reset(void)
{
	while (arena != NULL)
	{
		ChunkHeader *next = arena->h.next;

		arena->h.magic = 0;
		free(arena);
		arena = next;
	}
	arena_count = 0;
	have_error = false;
	memset(&edata, 0, sizeof(edata));
}

long
shim_arena_chunks(void)
{
	return arena_count;
}

/* ---------------------------------------------------------------- errors */

/* Format into a palloc'd string, as psprintf() does, but from a va_list */
static char *
format_va(const char *fmt, va_list args)
{
	Size		len = 128;

	for (;;)
	{
		char	   *buf = palloc(len);
		va_list		copy;
		size_t		needed;

		va_copy(copy, args);
		needed = pvsnprintf(buf, len, fmt, copy);
		va_end(copy);
		if (needed < len)
			return buf;
		pfree(buf);
		len = needed;
	}
}

#define FORMAT_INTO(field) \
	do { \
		va_list		args; \
		va_start(args, fmt); \
		edata.field = format_va(fmt, args); \
		va_end(args); \
	} while (0)

bool
errstart(int elevel, const char *domain)
{
	memset(&edata, 0, sizeof(edata));
	edata.elevel = elevel;
	have_error = true;
	return true;				/* always build the message: checks the args */
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	edata.filename = filename;
	edata.lineno = lineno;
	if (edata.elevel < ERROR)
		return;					/* a notice or warning: nothing to do */
	if (edata.elevel > ERROR || shim_error_jump == NULL)
	{
		fprintf(stderr, "shim: uncaught ereport(%d) at %s:%d: %s\n",
				edata.elevel, filename, lineno,
				edata.message ? edata.message : "(no message)");
		abort();
	}
	longjmp(*shim_error_jump, 1);
}

int
errcode(int sqlerrcode)
{
	edata.sqlerrcode = sqlerrcode;
	return 0;
}

int
errmsg(const char *fmt,...)
{
	FORMAT_INTO(message);
	return 0;
}

int
errmsg_internal(const char *fmt,...)
{
	FORMAT_INTO(message);
	return 0;
}

int
errdetail(const char *fmt,...)
{
	FORMAT_INTO(detail);
	return 0;
}

int
errhint(const char *fmt,...)
{
	FORMAT_INTO(hint);
	return 0;
}

const ShimError *
shim_last_error(void)
{
	return have_error ? &edata : NULL;
}

void
ExceptionalCondition(const char *conditionName, const char *errorType,
					 const char *fileName, int lineNumber)
{
	fprintf(stderr, "TRAP: %s(\"%s\", File: \"%s\", Line: %d)\n",
			errorType, conditionName, fileName, lineNumber);
	abort();
}

/* ---------------------------------------------------------------- lists */

/* As PostgreSQL 15's lappend() of a pointer: append, growing as needed */
List *
lappend(List *list, void *datum)
{
	if (list == NIL)
	{
		list = palloc(offsetof(List, initial_elements) + sizeof(ListCell));
		list->type = T_List;
		list->length = 0;
		list->max_length = 1;
		list->elements = list->initial_elements;
	}
	else if (list->length >= list->max_length)
	{
		int			max_length = list->max_length * 2;
		ListCell   *elements = palloc(max_length * sizeof(ListCell));

		Assert(list->type == T_List);
		memcpy(elements, list->elements, list->length * sizeof(ListCell));
		if (list->elements != list->initial_elements)
			pfree(list->elements);
		list->elements = elements;
		list->max_length = max_length;
	}
	Assert(list->type == T_List);
	list->elements[list->length++].ptr_value = datum;
	return list;
}

/* ---------------------------------------------------------- interrupts */

/*
 * The harness sets InterruptPending, so that every CHECK_FOR_INTERRUPTS()
 * comes here and is counted; nothing is ever cancelled.
 */
volatile sig_atomic_t InterruptPending = false;
static long interrupt_checks = 0;

void
ProcessInterrupts(void)
{
	interrupt_checks++;
}

long
shim_interrupt_checks(void)
{
	return interrupt_checks;
}
