/* Shared by the fuzz targets. */
#pragma once
#include <stdio.h>
#include <stdlib.h>

/* assert() vanishes under NDEBUG (RelWithDebInfo); a fuzzer's oracle must not. */
#define FUZZ_CHECK(cond)                                                                         \
        do {                                                                                     \
                if (!(cond)) {                                                                   \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                                                 \
                }                                                                                \
        } while (0)
