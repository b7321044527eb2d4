#ifndef HEALTHGROUND_CBLAS_SHIM_H
#define HEALTHGROUND_CBLAS_SHIM_H

// dladdr and Dl_info are GNU extensions: they are declared only with _GNU_SOURCE.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <dlfcn.h>
#include <stddef.h>

// Debian puts cblas.h under the multiarch include folder; both spellings are tried.
#if __has_include(<cblas.h>)
#include <cblas.h>
#else
#include <x86_64-linux-gnu/cblas.h>
#endif

// The path of the shared object that provides `cblas_sgemm` at run time (the generic `blas` ABI
// resolves to whichever alternative the system selected), or NULL when it cannot be found.
static inline const char *hg_blas_library_path(void) {
    Dl_info info;
    if (dladdr((void *)&cblas_sgemm, &info) != 0 && info.dli_fname != NULL) {
        return info.dli_fname;
    }
    return NULL;
}

// Whether a symbol is present in the process (used to detect OpenBLAS' own API without linking it).
static inline int hg_symbol_present(const char *name) {
    return dlsym(RTLD_DEFAULT, name) != NULL;
}

// OpenBLAS' configuration string (`openblas_get_config`), looked up at run time so that the
// reference BLAS, which lacks it, still links. NULL when the loaded BLAS is not OpenBLAS.
static inline const char *hg_openblas_config(void) {
    typedef char *(*config_fn)(void);
    config_fn fn = (config_fn)dlsym(RTLD_DEFAULT, "openblas_get_config");
    return fn != NULL ? fn() : NULL;
}

// Sets OpenBLAS' thread count when OpenBLAS is loaded; a no-op for other BLAS libraries.
static inline void hg_blas_set_threads(int threads) {
    typedef void (*set_fn)(int);
    set_fn fn = (set_fn)dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
    if (fn != NULL) {
        fn(threads);
    }
}

#endif
