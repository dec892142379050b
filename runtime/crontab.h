/* crontab: `ork crontab`, a workflow's entries in the user's crontab.
 *
 *   ork crontab install [--dry-run] FILE   FILE (or - for stdin) is the
 *                                          output of orkc -t cron
 *   ork crontab remove [--dry-run] NAME
 *   ork crontab show [NAME]
 *
 * Each workflow has one marked block, "# BEGIN orkc NAME" to "# END orkc
 * NAME"; install replaces it in place (or appends it), remove deletes it,
 * and every other line of the crontab is left exactly as it was.  Both
 * print what changes as a diff, and do nothing when nothing would change,
 * so running them again is harmless.  The crontab is read with
 * `crontab -l` and written with `crontab -` ($ORK_CRONTAB names another
 * program taking the same arguments, for tests). */
#ifndef ORK_CRONTAB_H
#define ORK_CRONTAB_H

struct strbuf;

int cmd_crontab(int argc, char **argv);

/* The name of the block in text: its first line must be "# BEGIN orkc
 * NAME" and its last "# END orkc NAME", with no other block inside.
 * Returns the name (owned), or NULL with what is wrong ("it holds more
 * than one block") appended to err. */
char *crontab_block_name(const char *text, struct strbuf *err);
/* tab with NAME's block replaced by block (appended when tab has none;
 * block NULL: removed).  Returns the new text (owned), or NULL with a
 * message appended to err when tab's block for NAME is damaged (no end
 * line, or two). */
char *crontab_splice(const char *tab, const char *name, const char *block,
		     struct strbuf *err);

#endif
