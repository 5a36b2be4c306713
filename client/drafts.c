/* drafts.c: local drafts of group forms (see drafts.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/drafts.h"
#include "client/settings.h"
#include "util.h"

char *drafts_dir(void)
{
	return xdg_path("XDG_STATE_HOME", ".local/state", "drafts");
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h;
}

char *draft_path(const char *server, const char *user, int64_t achievement, int64_t group)
{
	char *dir = drafts_dir();
	if (!dir)
		return NULL;
	uint64_t h = 14695981039346656037ULL;
	h = fnv1a(h, server ? server : "");
	h = fnv1a(h, "\n");
	h = fnv1a(h, user ? user : "");
	char *p = xasprintf("%s/%016llx-%lld-%lld.json", dir, (unsigned long long)h,
			    (long long)achievement, (long long)group);
	free(dir);
	return p;
}

static bool write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		s += w;
		n -= (size_t)w;
	}
	return true;
}

bool draft_save(const char *path, const json_t *obj, char *err, size_t errlen)
{
	bool ok = false;
	char *dir = xstrdup(path), *tmp = NULL, *text = NULL;
	int fd = -1;
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if (slash && !mkdir_p(dir, 0700)) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text) {
		snprintf(err, errlen, "the draft could not be encoded");
		goto out;
	}
	tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (!write_all(fd, text, strlen(text)) || !write_all(fd, "\n", 1)) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
		goto out;
	}
	ok = true;
out:
	if (fd >= 0)
		close(fd);
	if (!ok && tmp)
		unlink(tmp);
	free(tmp);
	free(text);
	free(dir);
	return ok;
}

json_t *draft_load(const char *path, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno != ENOENT && err)
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	json_error_t je;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		if (err)
			snprintf(err, errlen, "%s: %s", path, je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		if (err)
			snprintf(err, errlen, "%s: not a JSON object", path);
		json_decref(j);
		return NULL;
	}
	return j;
}

bool draft_remove(const char *path)
{
	return unlink(path) == 0 || errno == ENOENT;
}
