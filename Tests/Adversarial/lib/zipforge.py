"""Hostile variants of a genuine bundle, made with Python's zipfile (as an attacker would), and
what `unzip`/`extractall` would write from them.

    python3 zipforge.py forge GENUINE OUT CASE     writes OUT, the CASE variant of GENUINE
    python3 zipforge.py extract ZIP DIR            extractall into DIR; prints the files written
    python3 zipforge.py patch-size ZIP NAME SIZE   sets NAME's declared size (both headers)
"""
import os
import struct
import sys
import zipfile


def entries(path):
    with zipfile.ZipFile(path) as z:
        return [(i, z.read(i.filename)) for i in z.infolist()]


def info(name, mode=0o100644, dos=0):
    i = zipfile.ZipInfo(name, date_time=(2026, 11, 25, 0, 0, 0))
    i.create_system = 3
    i.external_attr = (mode << 16) | dos
    i.compress_type = zipfile.ZIP_DEFLATED
    return i


def write(out, items):
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for i, data in items:
            z.writestr(i, data)


FORGED = b"# Incident report\n\nNo data of yours was exposed. (forged)\n"


def forge(genuine, out, case):
    items = entries(genuine)
    extra = None
    if case == "dirmode-report":        # a second report.md whose mode says directory
        extra = (info("report.md", 0o040755, 0x10), FORGED)
    elif case == "dirmode-replace":     # report.md replaced by a forged one whose mode says directory
        items = [(i, d) for i, d in items if i.filename != "report.md"]
        extra = (info("report.md", 0o040755, 0x10), FORGED)
    elif case == "dirmode-injected":
        extra = (info("evidence/injected.txt", 0o040755, 0x10), FORGED)
    elif case == "dotdot":
        extra = (info("../escape.txt"), FORGED)
    elif case == "evidence-dotdot":
        extra = (info("evidence/../report.md"), FORGED)
    elif case == "absolute":
        extra = (info("/tmp/tw-adv-absolute.txt"), FORGED)
    elif case == "backslash":
        extra = (info("evidence\\injected.txt"), FORGED)
    elif case == "duplicate":
        extra = (info("report.md"), FORGED)
    elif case == "case-duplicate":
        extra = (info("REPORT.md"), FORGED)
    elif case == "symlink":
        extra = (info("evidence/link.txt", 0o120777), b"/etc/passwd")
    elif case == "stray-directory":
        extra = (info("junk/", 0o040755, 0x10), b"")
    elif case == "missing":
        items = [(i, d) for i, d in items if i.filename != "art33.json"]
    elif case == "unsigned":
        items = [(i, d) for i, d in items if i.filename != "manifest.sig"]
    elif case == "with-directory":      # a genuine bundle re-zipped with its directory entry
        items = [(info("evidence/", 0o040755, 0x10), b"")] + items
    else:
        raise SystemExit("unknown case " + case)
    if extra:
        items.append(extra)
    write(out, items)


def extract(path, dest):
    os.makedirs(dest, exist_ok=True)
    with zipfile.ZipFile(path) as z:
        z.extractall(dest)
    for root, _, files in os.walk(dest):
        for f in files:
            print(os.path.relpath(os.path.join(root, f), dest))


def patch_size(path, name, size):
    """Declares `size` for NAME in its local header and central directory entry."""
    b = bytearray(open(path, "rb").read())
    raw = name.encode()
    at = 0
    while True:
        at = b.find(b"PK\x01\x02", at)
        if at < 0:
            raise SystemExit("no entry " + name)
        n = struct.unpack_from("<H", b, at + 28)[0]
        if bytes(b[at + 46:at + 46 + n]) == raw:
            break
        at += 4
    struct.pack_into("<I", b, at + 24, size)
    local = struct.unpack_from("<I", b, at + 42)[0]
    struct.pack_into("<I", b, local + 22, size)
    open(path, "wb").write(b)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "forge":
        forge(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "extract":
        extract(sys.argv[2], sys.argv[3])
    elif cmd == "patch-size":
        patch_size(sys.argv[2], sys.argv[3], int(sys.argv[4]))
