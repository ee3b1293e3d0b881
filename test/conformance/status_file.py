"""The checked-in per-model status lists of the conformance sweeps: compare a
run with the list, or rewrite the list (--update)."""


def compare_or_update(path, lines, update):
    """`lines` are "model<TAB>status". Returns 1 when they differ from the
    file (and prints the differences), 0 otherwise or after an update."""
    if update:
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return 0
    expected = dict(l.split("\t", 1) for l in open(path).read().splitlines() if l)
    changed = [f"{t}: expected '{expected.get(t)}', got '{s}'"
               for t, s in (l.split("\t", 1) for l in lines) if expected.get(t) != s]
    for c in changed:
        print("CHANGED", c)
    if changed:
        print(f"{len(changed)} models changed status; if intended, rerun with --update")
        return 1
    return 0
