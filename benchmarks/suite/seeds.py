"""The ``--seeds`` syntax shared by every benchmark script."""


def parse_seeds(text):
    """'0-4' -> [0, 1, 2, 3, 4]; '1,5' -> [1, 5]."""
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]
