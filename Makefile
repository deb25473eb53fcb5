# Convenience targets; the build itself is CMake (see README.md).
.PHONY: bench bench-smoke

# Benchmarks side by side with the TypeScript SDK servers and nginx (issue 9):
# builds build-bench, installs the pinned peers (npm ci), writes bench/RESULTS.md.
bench:
	bench/run

# The same harness with tiny durations (what CI runs via ctest).
bench-smoke:
	bench/run --smoke

# libFuzzer harnesses (issue 8): build-fuzz with clang, corpus replay, then
# 600 s per harness (FUZZ_SECONDS=... overrides). CI runs a short version
# through scripts/test-sanitizers.
.PHONY: fuzz
fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-600} scripts/fuzz
