"""Forging parfold checkpoints as someone who read the format would: the file's records
("key length\\nbytes\\n", then "checksum 16\\n<FNV-1a of the body>\\n") and the partial
result's Boost binary archive, decoded and encoded by a schema here, every checksum
recomputed, so that only the checks of what the fields say can refuse them.
"""
import struct

MAGIC = b"parfold-checkpoint 1\n"
KEYS = [b"job", b"items", b"done", b"partial"]
ARCHIVE_HEADER = 40  # 22-byte signature with its length, library version, sizes, endianness
TOP64 = 2**64 - 1


def fnv1a(data):
    h = 14695981039346656037
    for b in data:
        h = ((h ^ b) * 1099511628211) & TOP64
    return h


def read_records(data):
    """The records of a checkpoint's bytes, as a dict key -> bytes (it must be well formed)."""
    assert data.startswith(MAGIC)
    at, out = len(MAGIC), {}
    for key in KEYS + [b"checksum"]:
        nl = data.index(b"\n", at)
        name, size = data[at:nl].split(b" ")
        assert name == key
        out[key] = data[nl + 1:nl + 1 + int(size)]
        at = nl + 1 + int(size) + 1
    return out


def body(records, sizes=None):
    """The checkpoint's body, each record's length as written in `sizes` (default: true)."""
    sizes = sizes or {}
    out = MAGIC
    for key in KEYS:
        out += key + b" " + sizes.get(key, str(len(records[key])).encode()) + b"\n" + records[key] + b"\n"
    return out


def checkpoint(records, sizes=None):
    """A checkpoint file's bytes: the body and its checksum as parfold computes it."""
    data = body(records, sizes)
    return data + b"checksum 16\n" + b"%016x" % fnv1a(data) + b"\n"


def with_fields(data, **changes):
    """`data` (a checkpoint's bytes) with records replaced (job=b"...", done=b"12") and
    its checksum recomputed."""
    records = read_records(data)
    for key, value in changes.items():
        records[key.encode()] = value
    return checkpoint(records)


# ---- the partial result: a Boost binary archive ---------------------------------------
# A schema is ("u64",) ("i32",) ("bool",) ("str",), ("class", NAME, [(field, schema)...]),
# ("array", N, schema) (a C array), ("vec", schema), ("map", key, value). A class (and a
# vector, map or pair of classes) has 5 bytes of class information the first time it
# comes; a vector of numbers has none and no item version.
U64, I32, BOOL, STR = ("u64",), ("i32",), ("bool",), ("str",)
NUMBERS = {"u64": "<Q", "i32": "<i", "bool": "<B"}


def _type_name(s):
    return s[1] if s[0] == "class" else s[0]


class Archive:
    """The partial result `data` decoded by `schema`: `value` (nested lists and dicts) and
    `fields`, (path, offset, size, kind) for each number and each length."""

    def __init__(self, data, schema):
        self.data, self.at, self.seen, self.fields = data, ARCHIVE_HEADER, set(), []
        self.value = self._read(schema, "")
        if self.at != len(data):
            raise ValueError(f"{len(data) - self.at} bytes left")

    def _class(self, name):
        if name not in self.seen:
            self.seen.add(name)
            self.at += 5

    def _num(self, path, kind):
        fmt = NUMBERS[kind]
        size = struct.calcsize(fmt)
        self.fields.append((path, self.at, size, kind))
        (v,) = struct.unpack_from(fmt, self.data, self.at)
        self.at += size
        return v

    def _length(self, path, size=8):
        self.fields.append((path, self.at, size, "length"))
        (v,) = struct.unpack_from("<Q" if size == 8 else "<I", self.data, self.at)
        self.at += size
        return v

    def _read(self, s, path):
        kind = s[0]
        if kind in NUMBERS:
            return self._num(path, kind)
        if kind == "str":
            n = self._length(path + "#")
            self.at += n
            return self.data[self.at - n:self.at]
        if kind == "class":
            self._class(s[1])
            return {name: self._read(f, f"{path}.{name}") for name, f in s[2]}
        if kind == "array":
            n = self._length(path + "#")
            return [self._read(s[2], f"{path}[{i}]") for i in range(n)]
        if kind == "vec":
            if s[1][0] == "u64":
                n = self._length(path + "#")
                return [self._read(U64, f"{path}[{i}]") for i in range(n)]
            self._class("vector<" + _type_name(s[1]) + ">")
            n = self._length(path + "#")
            self.at += 4  # item version
            return [self._read(s[1], f"{path}[{i}]") for i in range(n)]
        if kind == "map":
            self._class(f"map<{_type_name(s[2])}>")
            n = self._length(path + "#")
            self.at += 4
            out = {}
            for i in range(n):
                self._class(f"pair<{_type_name(s[2])}>")
                key = self._read(s[1], f"{path}.key{i}")
                out[key] = self._read(s[2], f"{path}[{key}]")
            return out
        raise ValueError(kind)


def encode(value, schema, header):
    """The archive of `value` by `schema`, after `header` (the first 40 bytes of one)."""
    seen, out = set(), bytearray(header)

    def cls(name):
        if name not in seen:
            seen.add(name)
            out.extend(b"\0" * 5)

    def put(v, s):
        kind = s[0]
        if kind in NUMBERS:
            out.extend(struct.pack(NUMBERS[kind], v))
        elif kind == "str":
            out.extend(struct.pack("<Q", len(v)) + v)
        elif kind == "class":
            cls(s[1])
            for name, f in s[2]:
                put(v[name], f)
        elif kind == "array":
            out.extend(struct.pack("<Q", len(v)))
            for x in v:
                put(x, s[2])
        elif kind == "vec":
            if s[1][0] != "u64":
                cls("vector<" + _type_name(s[1]) + ">")
            out.extend(struct.pack("<Q", len(v)))
            if s[1][0] != "u64":
                out.extend(b"\0" * 4)
            for x in v:
                put(x, s[1])
        elif kind == "map":
            cls(f"map<{_type_name(s[2])}>")
            out.extend(struct.pack("<Q", len(v)) + b"\0" * 4)
            for key in sorted(v):
                cls(f"pair<{_type_name(s[2])}>")
                put(key, s[1])
                put(v[key], s[2])

    put(value, schema)
    return bytes(out)


def patched(data, offset, size, value):
    """`data` with the little-endian number at [offset, offset + size) set to `value`
    (taken modulo its width: -1 is all ones)."""
    return data[:offset] + (value % 2 ** (8 * size)).to_bytes(size, "little") + data[offset + size:]


SCHEMAS = {
    "pi": U64,
    "exec": U64,
    "sum": ("class", "Int256", [("limbs", ("class", "std::array", [("elems", ("array", 4, U64))]))]),
    "tasks": ("class", "TasksPartial", [("tasks", U64), ("index_sum", ("array", 2, U64)),
                                        ("cost_ns", ("array", 2, U64)), ("counted", U64)]),
    "count": ("vec", ("class", "LineCounts", [("lines", U64), ("words", U64), ("bytes", U64),
                                              ("max_line", U64)])),
    "grep_count": ("vec", U64),
    "top": ("class", "WordTable", [("words", STR), ("lengths", ("vec", U64)), ("counts", ("vec", U64))]),
    "grep_output": ("class", "pair", [
        ("bytes", U64),
        ("printed", ("class", "Printed", [
            ("selected", U64), ("line_no", ("vec", U64)), ("shown", ("vec", U64)), ("printed_any", BOOL),
            ("last_file", U64), ("last_line", U64), ("after_left", U64),
            ("held", ("vec", ("class", "HeldLine", [("file", U64), ("number", U64), ("offset", U64),
                                                    ("bytes", STR)])))]))]),
    "run": ("class", "RunJournal", [
        ("tasks", ("map", U64, ("class", "TaskDone", [("line", U64), ("command_hash", U64), ("exit_code", I32),
                                                      ("attempts", I32), ("ok", BOOL)]))),
        ("output_bytes", U64),
        ("progress", ("class", "RunProgress", [("out_bytes", U64), ("checksum", U64), ("succeeded", U64),
                                               ("failed", U64), ("first_failures", ("vec", STR))])),
        ("held", ("map", U64, STR))]),
}


def attempt_record(index, out=b"", host=b"h", err=b"", attempt=1, exit_code=0, passed=1, runtime_s=0.5,
                   sizes=None):
    """A task's last attempt as `parfold run` keeps one in its checkpoint (Attempt::encode):
    out, host, err, then the fixed part; `sizes` forges the three lengths."""
    out_size, host_size, err_size = sizes or (len(out), len(host), len(err))
    tail = struct.pack("<Q8iddQQQ", index, attempt, exit_code, 0, 0, 0, passed, 0, 0, 1.7e9, runtime_s,
                       host_size, out_size, err_size)
    return out + host + err + tail
