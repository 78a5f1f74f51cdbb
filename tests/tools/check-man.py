#!/usr/bin/env python3
"""The man pages cannot drift from the code.

Checks that leastpriv(1) documents every subcommand of `leastpriv --help`
and, in that subcommand's entry, every option its `COMMAND --help` lists;
that leastpriv.profile(5) documents every key of the key table
(sandbox/profile/keys.c) in its section's part; and that README.md names
every option and key too. Then it removes one option and one key from the
pages it read and checks that exactly those are reported, so the checker
itself is seen to fail.

    check-man.py LEASTPRIV KEYS_C LEASTPRIV_1 LEASTPRIV_PROFILE_5 README_MD
"""
import re
import subprocess
import sys


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def plain(roff):
    """The words as a reader sees them: font escapes and zero-width
    characters removed, escaped hyphens plain."""
    text = re.sub(r"\\f[BIRP]", "", roff)
    return text.replace("\\&", "").replace("\\-", "-")


def help_text(leastpriv, *args):
    return subprocess.run([leastpriv, *args], check=True, capture_output=True,
                          text=True).stdout


def commands_and_options(leastpriv):
    """{command: [options]} from `leastpriv --help` and `COMMAND --help`."""
    commands = re.findall(r"^leastpriv (\w+) ", help_text(leastpriv, "--help"), re.M)
    if len(commands) < 6:
        sys.exit("check-man: `leastpriv --help` lists %d commands: %r" % (len(commands), commands))
    result = {}
    for command in commands:
        usage = help_text(leastpriv, command, "--help")
        options = []
        for line in usage.splitlines():
            if re.match(r"^\s+-", line):  # "  -p, --profile NAME|PATH  what it does"
                spec = re.split(r"\s{2,}", line.strip())[0]
                options += re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", spec)
        result[command] = options
    return result


def key_table(keys_c):
    """[(section, key)] from lp_keys[]; any line not understood is an error,
    so that a new way of writing an entry cannot hide a key."""
    with open(keys_c, encoding="utf-8") as f:
        source = f.read()
    start = source.index("const struct lp_key lp_keys[] = {")
    body = source[start:source.index("\n};", start)].splitlines()[1:]
    keys = []
    for line in body:
        line = line.strip()
        entry = re.match(r'^(?:GRANTING_)?KEY\("(\w+)", "(\w+)"|^\{"(\w+)", "(\w+)"', line)
        if entry:
            keys.append(tuple(g for g in entry.groups() if g))
        elif not line or line.startswith(("/*", "*", "{NULL")):
            continue
        else:
            sys.exit("check-man: %s: a line of lp_keys[] not understood: %r" % (keys_c, line))
    if len(keys) < 30:
        sys.exit("check-man: only %d keys read from %s" % (len(keys), keys_c))
    return keys


def command_entry(page1, commands, command):
    """The text of COMMAND's entry in leastpriv(1)'s COMMANDS section: from
    the line that starts with the command's name in bold to the next."""
    section = page1.split("\n.SH COMMANDS\n", 1)[-1].split("\n.SH ", 1)[0]
    heads = "|".join(re.escape(c) for c in commands)
    parts = re.split(r"^\\fB(%s)\\fR" % heads, section, flags=re.M)
    for name, text in zip(parts[1::2], parts[2::2]):
        if name == command:
            return plain(text)
    return ""


def section_part(page5, section):
    return page5.split("\n.SH [%s]\n" % section, 1)[-1].split("\n.SH ", 1)[0] \
        if "\n.SH [%s]\n" % section in page5 else ""


def has_token(text, token):
    return re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(token), text) is not None


def missing(commands, keys, page1, page5, readme):
    found = []
    for command, options in commands.items():
        entry = command_entry(page1, commands, command)
        if not entry:
            found.append("leastpriv(1): no entry for the command '%s'" % command)
        for option in options:
            if not has_token(entry, option):
                found.append("leastpriv(1): '%s %s' is not in its entry" % (command, option))
            if option.startswith("--") and not has_token(readme, option):
                found.append("README.md: '%s %s' is not named" % (command, option))
    for section, key in keys:
        if key + "=" not in plain(section_part(page5, section)):
            found.append("leastpriv.profile(5): [%s] %s= is not in its section" % (section, key))
        if "`%s=" % key not in readme and " %s=" % key not in readme:
            found.append("README.md: %s= is not named" % key)
    return found


def main():
    leastpriv, keys_c, man1, man5, readme_md = sys.argv[1:6]
    commands = commands_and_options(leastpriv)
    keys = key_table(keys_c)
    page1, page5, readme = read(man1), read(man5), read(readme_md)

    problems = missing(commands, keys, page1, page5, readme)
    for p in problems:
        print("FAIL: " + p)
    n_options = sum(len(o) for o in commands.values())
    print("checked %d commands, %d options and %d keys" % (len(commands), n_options, len(keys)))

    # The checker must see what is missing: take one option and one key
    # out of the pages it read, and expect exactly those two reported.
    cut1 = page1.replace("--pass-fd", "")
    cut5 = page5.replace("TmpSize=", "")
    seen = missing(commands, keys, cut1, cut5, readme)
    expected = ["leastpriv(1): 'run --pass-fd' is not in its entry",
                "leastpriv.profile(5): [Limits] TmpSize= is not in its section"]
    if sorted(set(seen) - set(problems)) != sorted(expected):
        print("FAIL: the checker did not see exactly what was cut out: %r" % seen)
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
