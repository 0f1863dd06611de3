/* A debt save's journal record, kept beside the debt file from before the
 * file is replaced until the journal holds it: a save killed between the
 * two is journaled by the next save, marked recovered. */
#ifndef MAINTOP_DEBT_PENDING_H
#define MAINTOP_DEBT_PENDING_H

/* The largest record file read back, in bytes. */
#define DEBT_PENDING_MAX	(256 * 1024)

/*
 * Before path is replaced by text: writes "PATH.unjournaled" (atomically)
 * with text's SHA-256 and the journal record line.  Returns 0, or -1 with
 * *cause set (then the save must not go on).
 */
int debt_pending_write(const char *path, const char *text, const char *line,
    char **cause);

/* Once the journal holds the record: removes the file. */
void debt_pending_done(const char *path);

/*
 * Under the save lock, before a save: a record a killed save left is
 * appended to journal (with "recovered": true) when path is the file that
 * save wrote and the journal's tail does not already hold it; a save killed
 * before its rename is forgotten.  The file is removed once dealt with.
 * Returns 1 when a record was recovered, 0 when there was nothing to do,
 * -1 when the journal could not take it (the file is kept, *cause set).
 */
int debt_pending_recover(const char *path, const char *journal,
    char **cause);

#endif
