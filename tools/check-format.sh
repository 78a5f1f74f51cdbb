#!/usr/bin/env bash
# clang-format --dry-run --Werror over every C file of sandbox/ and tests/,
# with the repository's .clang-format. Exit 0 when all hold, 1 with the
# places that do not, 77 (skip) when clang-format is not installed.
set -uo pipefail
cd "$(dirname "$0")/.."
fmt=$(command -v clang-format || command -v clang-format-14 || true)
if [ -z "$fmt" ]; then
        echo "check-format: clang-format not found (apt-get install clang-format)"
        exit 77
fi
mapfile -t files < <(git ls-files 'sandbox/*.[ch]' 'tests/*.[ch]' 2>/dev/null ||
        find sandbox tests -name '*.[ch]')
[ "${#files[@]}" -gt 0 ] || { echo "check-format: no C files found"; exit 1; }
if ! "$fmt" --dry-run --Werror "${files[@]}"; then
        echo "check-format: run: clang-format -i \$(git ls-files 'sandbox/*.[ch]' 'tests/*.[ch]')"
        exit 1
fi
echo "check-format: ${#files[@]} files hold the format"
