/* fuzz_routes.c: libFuzzer target for the route matcher of
 * server/http/routes.c. The file is included here, so its static table
 * and match() are reached without the listener: the input is a method,
 * a NUL and a path; every route's pattern is matched against the path
 * with the {} segments captured, as routes_begin does. The rest of
 * routes.c (routes_begin itself needs a libmicrohttpd connection; and
 * the handlers the table names) links from server/libcqrsd.a and is not
 * called. */
#include "server/http/routes.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 2);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = text[size + 1] = '\0';
	const char *method = text;
	const char *nul = memchr(text, '\0', size);
	const char *path = nul ? nul + 1 : "/";
	(void)method;
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		struct req r;
		memset(&r, 0, sizeof r);
		if (match(routes[i].pattern, path, &r, true)) {
			/* Every {} of the pattern was captured, non-empty, without '/'. */
			size_t want = 0;
			for (const char *p = routes[i].pattern; (p = strstr(p, "{}")); p += 2)
				want++;
			for (size_t k = 0; k < want; k++)
				if (!r.params[k] || !*r.params[k] || strchr(r.params[k], '/'))
					abort();
		}
		free(r.param_store);
	}
	free(text);
	return 0;
}
