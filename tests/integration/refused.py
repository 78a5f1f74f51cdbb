"""The probe scripts' one helper: a call that the sandbox may refuse."""


def refused(f):
    """Calls f(); the errno of the OSError it raised, 0 when it returned."""
    try:
        f()
    except OSError as e:
        return e.errno
    return 0
