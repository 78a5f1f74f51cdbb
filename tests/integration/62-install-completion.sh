#!/usr/bin/env bash
# Shell completion as installed (share/bash-completion/completions/leastpriv
# and share/zsh/site-functions/_leastpriv): bash's is sourced and driven
# the way bash drives it (COMP_LINE, COMP_POINT, COMP_WORDS, COMP_CWORD in,
# COMPREPLY out) for the commands, each command's options (exactly those
# of its --help), profile names from every place leastpriv looks them up,
# profile paths, the @groups of `leastpriv syscalls` and the command after
# `--`. zsh's file must parse, register for leastpriv, and list the same
# profile names and groups.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

unset LEASTPRIV_PATH LEASTPRIV_PROFILE
prefix=$tmp/prefix
capture cmake --install "$LP_BUILD" --prefix "$prefix"
assert_status 0 "cmake --install into a temporary prefix"
bash_completion=$prefix/share/bash-completion/completions/leastpriv
zsh_completion=$prefix/share/zsh/site-functions/_leastpriv
[ -f "$bash_completion" ] || fatal "no bash completion installed at $bash_completion"
[ -f "$zsh_completion" ] || fatal "no zsh completion installed at $zsh_completion"

# Profiles in each place a name is looked up (but /etc, the host's).
printf '[Profile]\nInclude=default\n' >"$prefix/share/leastpriv/profiles/installed-only.profile"
mkdir -p "$tmp/work/profiles" "$tmp/lp-path"
printf '[Profile]\nInclude=default\n' >"$tmp/work/profiles/local.profile"
printf '[Profile]\nInclude=default\n' >"$tmp/lp-path/from-path.profile"
etc_names=$(ls /etc/leastpriv/profiles/*.profile 2>/dev/null | sed 's|.*/||; s|\.profile$||' || true)
export PATH=$prefix/bin:$PATH LEASTPRIV_PATH=$tmp/lp-path
cd "$tmp/work"

# shellcheck source=/dev/null
source "$bash_completion"
assert_eq "_leastpriv" "$(complete -p leastpriv | sed 's/.*-F \([^ ]*\) .*/\1/')" \
        "bash: complete -F _leastpriv leastpriv"

# complete LINE: what bash offers for LINE with the cursor at its end,
# sorted, one line. COMP_WORDS is split as bash splits it: at blanks, and
# a COMP_WORDBREAKS character such as '@' is a word of its own.
complete_line() {
        local line=$1 word
        local -a words=()
        for word in $line; do
                if [[ $word == @* ]]; then
                        words+=("@" "${word#@}")
                else
                        words+=("$word")
                fi
        done
        [[ $line == *" " ]] && words+=("")
        COMP_LINE=$line
        COMP_POINT=${#line}
        COMP_WORDS=("${words[@]}")
        COMP_CWORD=$((${#words[@]} - 1))
        COMPREPLY=()
        _leastpriv leastpriv "${words[-1]}" "${words[-2]-}"
        printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

# The options a command's --help lists, sorted, one line.
help_options() {
        leastpriv "$1" --help | grep -E '^\s+-' | sed -E 's/^\s+//; s/  .*//' |
                grep -oE '(^|[ ,])--?[a-z][a-z-]*' | tr -d ' ,' | sort | tr '\n' ' ' | sed 's/ $//'
}

sorted() { printf '%s\n' "$@" | sort -u | tr '\n' ' ' | sed 's/ $//'; }

assert_eq "check diff export import learn run show syscalls" "$(complete_line "leastpriv ")" \
        "bash: the commands"
assert_eq "show syscalls" "$(complete_line "leastpriv s")" "bash: commands starting with s"
assert_eq "--help --version" "$(complete_line "leastpriv --")" "bash: the global options"

for command in run learn; do
        expected=$(sorted $(help_options "$command") --help --)
        assert_eq "$expected" "$(complete_line "leastpriv $command -")" \
                "bash: $command's options are exactly those of its --help"
done
expected=$(sorted $(help_options check) --help)
assert_eq "$expected" "$(complete_line "leastpriv check -")" \
        "bash: check's options are exactly those of its --help"
assert_eq 16 "$(help_options run | wc -w)" "run --help lists 16 option names"
assert_eq 11 "$(help_options learn | wc -w)" "learn --help lists 11 option names"
assert_eq 2 "$(help_options check | wc -w)" "check --help lists 2 option names"
for command in export import; do
        expected=$(sorted $(help_options "$command") --help)
        assert_eq "$expected" "$(complete_line "leastpriv $command -")" \
                "bash: $command's options are exactly those of its --help"
        assert_eq 3 "$(help_options "$command" | wc -w)" "$command --help lists 3 option names"
done
assert_eq "oci systemd" "$(complete_line "leastpriv export --format ")" "bash: export's formats"
assert_eq "oci" "$(complete_line "leastpriv import --format ")" "bash: import's format"
assert_eq "default" "$(complete_line "leastpriv export --format oci def")" \
        "bash: export takes a profile"
assert_eq "" "$(complete_line "leastpriv check --max-score ")" "bash: nothing for an exposure"
assert_eq "default" "$(complete_line "leastpriv check --score def")" "bash: a profile after --score"

# shellcheck disable=SC2086
names=$(sorted base default strict installed-only local from-path $etc_names)
assert_eq "$names" "$(complete_line "leastpriv run -p ")" \
        "bash: -p offers the embedded, installed, ./profiles and LEASTPRIV_PATH names"
assert_eq "installed-only" "$(complete_line "leastpriv learn --profile inst")" \
        "bash: a name from the install's share dir"
assert_eq "$names" "$(complete_line "leastpriv diff default ")" "bash: diff's second profile"
assert_eq "" "$(complete_line "leastpriv diff default strict ")" "bash: diff takes two"
assert_eq "./profiles/local.profile" "$(complete_line "leastpriv show ./profiles/lo")" \
        "bash: a profile by path"

groups=$(leastpriv syscalls | awk '$1 ~ /^@/ { print $1 }' | sort | tr '\n' ' ' | sed 's/ $//')
assert_eq 26 "$(wc -w <<<"$groups")" "leastpriv syscalls lists 26 groups"
assert_eq "$groups" "$(complete_line "leastpriv syscalls ")" "bash: syscalls offers every @group"
# Bash replaces only what follows the '@' word break: the rest of the name.
assert_eq "debug default" "$(complete_line "leastpriv syscalls @de")" "bash: @de completes to @debug, @default"

assert_contains " $(complete_line "leastpriv run -q -- ech") " " echo " "bash: the command after --"
assert_eq "" "$(complete_line "leastpriv run --timeout ")" "bash: nothing for a number"

# ---- zsh ---------------------------------------------------------------------
if ! command -v zsh >/dev/null; then
        fail "zsh is not installed (tools/setup.sh installs it): its completion is untested"
else
        capture zsh -n "$zsh_completion"
        assert_status 0 "zsh: _leastpriv parses"
        # compinit reads the #compdef line; the helpers are then run bare
        # (_arguments stubbed, so the file's own call does nothing).
        capture zsh -f -c '
                fpath=("$1" $fpath)
                autoload -Uz compinit && compinit -u -d "$2"
                print -r -- "compdef: ${_comps[leastpriv]}"
                _arguments() { return 1 }
                source "$1/_leastpriv"
                names=(${(ou)${(f)"$(_leastpriv_profile_names)"}})
                groups=(${(o)${(f)"$(_leastpriv_groups)"}})
                print -r -- "names: $names"
                print -r -- "groups: $groups"
        ' zsh "${zsh_completion%/*}" "$tmp/zcompdump"
        assert_status 0 "zsh: load and list"
        assert_contains "$LP_OUT" "compdef: _leastpriv" "zsh: compinit registers _leastpriv for leastpriv"
        assert_contains "$LP_OUT" "names: $names" "zsh: the same profile names"
        assert_contains "$LP_OUT" "groups: $groups" "zsh: the same @groups"
fi
