/* fuzz: what the libFuzzer harnesses share.  Each harness defines
 * LLVMFuzzerTestOneInput; built only with ./configure --enable-fuzz
 * CC=clang (tests/fuzz/run.sh runs them). */
#ifndef ORK_FUZZ_H
#define ORK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cjson/cJSON.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The programs' own set-up: cJSON allocates through the aborting
 * allocator, as in orkc and ork. */
static inline void fuzz_setup(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	progname = "fuzz";
	cJSON_Hooks hooks = { xmalloc, free };
	cJSON_InitHooks(&hooks);
}

#endif
