// libFuzzer's driver, reached without depending on it. The fuzz targets are ordinary
// executables: a plain build replays inputs from files; scripts/fuzz.sh instruments the code
// (-sanitize=fuzzer, in the frontend only) and links libFuzzer's library without its own
// `main` (libclang_rt.fuzzer_no_main), because SwiftPM always gives an executable a Swift
// `main` and libFuzzer's `main` would clash with it. The Swift `main` then hands over to
// LLVMFuzzerRunDriver, declared weak here so that plain builds link (it is then NULL).
#ifndef ACCORD_CFUZZER_SHIM_H
#define ACCORD_CFUZZER_SHIM_H
#include <stddef.h>
#include <stdint.h>

/// What libFuzzer calls with each input; returns 0 (the input is kept when it adds coverage).
typedef int (*accord_fuzz_callback)(const uint8_t *data, size_t size);

extern int LLVMFuzzerRunDriver(int *argc, char ***argv, accord_fuzz_callback callback) __attribute__((weak));

/// Whether libFuzzer was linked in (a build by scripts/fuzz.sh).
static inline int accord_fuzzer_linked(void) {
    return LLVMFuzzerRunDriver != NULL;
}

/// Runs libFuzzer with the process's arguments (-max_total_time=…, corpus directories);
/// returns its exit status. Only call when accord_fuzzer_linked().
static inline int accord_fuzzer_run(int *argc, char ***argv, accord_fuzz_callback callback) {
    return LLVMFuzzerRunDriver(argc, argv, callback);
}
#endif
