/*
 * The C reference for the benchmark: walks every field of every record of
 * every event of a log with libauparse, reading each field's name and value
 * ("walk") or also its interpretation ("interpret").
 */
#include <auparse.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: walk walk|interpret LOG\n");
		return 2;
	}
	int interpret = strcmp(argv[1], "interpret") == 0;
	auparse_state_t *au = auparse_init(AUSOURCE_FILE, argv[2]);
	if (au == NULL) {
		perror("auparse_init");
		return 1;
	}
	unsigned long events = 0, records = 0, fields = 0, bytes = 0;
	while (auparse_next_event(au) > 0) {
		events++;
		do {
			records++;
			do {
				const char *name = auparse_get_field_name(au);
				const char *value = auparse_get_field_str(au);
				fields++;
				if (name)
					bytes += strlen(name);
				if (value)
					bytes += strlen(value);
				if (interpret) {
					const char *text = auparse_interpret_field(au);
					if (text)
						bytes += strlen(text);
				}
			} while (auparse_next_field(au) > 0);
		} while (auparse_next_record(au) > 0);
	}
	auparse_destroy(au);
	printf("%lu events %lu records %lu fields %lu bytes\n", events, records, fields, bytes);
	return 0;
}
