#ifndef HEALTHGROUND_CLAPACKE_SHIM_H
#define HEALTHGROUND_CLAPACKE_SHIM_H

#include <lapacke.h>

// `lapack_int` is a macro in lapacke.h, which Swift cannot see; this typedef names it.
typedef lapack_int hg_lapack_int;

// `LAPACK_ROW_MAJOR` is a macro as well.
static const int hg_lapack_row_major = LAPACK_ROW_MAJOR;

#endif
