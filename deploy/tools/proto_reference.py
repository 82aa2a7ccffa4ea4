#!/usr/bin/python3
"""The API reference of docs/api.md, generated from the protos, and the
"every element carries a comment" rule.

protoc compiles proto/innoscope/**.proto into a descriptor set with source
info (comments); this script walks it:

  deploy/tools/proto_reference.py check        # every service, rpc, message, field,
                                        # enum and enum value has a comment
  deploy/tools/proto_reference.py write        # regenerate the reference in docs/api.md
  deploy/tools/proto_reference.py drift        # fail when docs/api.md is not what
                                        # `write` would make

Needs protoc and Debian's python3-protobuf (run with /usr/bin/python3).
"""

import os
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROTO_DIR = os.path.join(ROOT, "proto")
API_MD = os.path.join(ROOT, "docs", "api.md")
BEGIN = "<!-- BEGIN GENERATED API REFERENCE: deploy/tools/proto_reference.py write -->"
END = "<!-- END GENERATED API REFERENCE -->"

# FileDescriptorProto / DescriptorProto / ... field numbers of SourceCodeInfo paths.
FILE_MESSAGE, FILE_ENUM, FILE_SERVICE, FILE_EXTENSION = 4, 5, 6, 7
MSG_FIELD, MSG_NESTED, MSG_ENUM = 2, 3, 4
ENUM_VALUE = 2
SERVICE_METHOD = 2

TYPE_NAMES = {
    descriptor_pb2.FieldDescriptorProto.TYPE_DOUBLE: "double",
    descriptor_pb2.FieldDescriptorProto.TYPE_FLOAT: "float",
    descriptor_pb2.FieldDescriptorProto.TYPE_INT64: "int64",
    descriptor_pb2.FieldDescriptorProto.TYPE_UINT64: "uint64",
    descriptor_pb2.FieldDescriptorProto.TYPE_INT32: "int32",
    descriptor_pb2.FieldDescriptorProto.TYPE_FIXED64: "fixed64",
    descriptor_pb2.FieldDescriptorProto.TYPE_FIXED32: "fixed32",
    descriptor_pb2.FieldDescriptorProto.TYPE_BOOL: "bool",
    descriptor_pb2.FieldDescriptorProto.TYPE_STRING: "string",
    descriptor_pb2.FieldDescriptorProto.TYPE_BYTES: "bytes",
    descriptor_pb2.FieldDescriptorProto.TYPE_UINT32: "uint32",
    descriptor_pb2.FieldDescriptorProto.TYPE_SFIXED32: "sfixed32",
    descriptor_pb2.FieldDescriptorProto.TYPE_SFIXED64: "sfixed64",
    descriptor_pb2.FieldDescriptorProto.TYPE_SINT32: "sint32",
    descriptor_pb2.FieldDescriptorProto.TYPE_SINT64: "sint64",
}


def proto_files():
    out = []
    for base, _, names in os.walk(os.path.join(PROTO_DIR, "innoscope")):
        out += [os.path.relpath(os.path.join(base, n), PROTO_DIR) for n in names
                if n.endswith(".proto")]
    return sorted(out)


def descriptor_set(protoc="protoc"):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "api.pb")
        subprocess.run([protoc, "-I", PROTO_DIR, "--include_source_info",
                        "--descriptor_set_out=" + out] + proto_files(), check=True)
        fds = descriptor_pb2.FileDescriptorSet()
        with open(out, "rb") as f:
            fds.ParseFromString(f.read())
        return fds


def comments_of(file_proto):
    """path tuple -> comment text (leading, else trailing), stripped."""
    out = {}
    for loc in file_proto.source_code_info.location:
        text = (loc.leading_comments or loc.trailing_comments).strip()
        out[tuple(loc.path)] = text
    return out


class Element:
    def __init__(self, kind, name, comment, path_name):
        self.kind, self.name, self.comment, self.path_name = kind, name, comment, path_name


def walk(file_proto):
    """Every element that must carry a comment, in file order."""
    comments = comments_of(file_proto)
    pkg = file_proto.package
    out = []

    def enum(e, path, prefix):
        full = prefix + "." + e.name
        out.append(Element("enum", full, comments.get(path, ""), file_proto.name))
        for i, v in enumerate(e.value):
            out.append(Element("enum value", full + "." + v.name,
                               comments.get(path + (ENUM_VALUE, i), ""), file_proto.name))

    def message(m, path, prefix):
        if m.options.map_entry:
            return  # generated for a map field, documented by the field
        full = prefix + "." + m.name
        out.append(Element("message", full, comments.get(path, ""), file_proto.name))
        for i, f in enumerate(m.field):
            out.append(Element("field", full + "." + f.name,
                               comments.get(path + (MSG_FIELD, i), ""), file_proto.name))
        for i, n in enumerate(m.nested_type):
            message(n, path + (MSG_NESTED, i), full)
        for i, e in enumerate(m.enum_type):
            enum(e, path + (MSG_ENUM, i), full)

    for i, s in enumerate(file_proto.service):
        out.append(Element("service", pkg + "." + s.name, comments.get((FILE_SERVICE, i), ""),
                           file_proto.name))
        for j, m in enumerate(s.method):
            out.append(Element("rpc", pkg + "." + s.name + "." + m.name,
                               comments.get((FILE_SERVICE, i, SERVICE_METHOD, j), ""),
                               file_proto.name))
    for i, m in enumerate(file_proto.message_type):
        message(m, (FILE_MESSAGE, i), pkg)
    for i, e in enumerate(file_proto.enum_type):
        enum(e, (FILE_ENUM, i), pkg)
    for i, x in enumerate(file_proto.extension):
        out.append(Element("extension", pkg + "." + x.name, comments.get((FILE_EXTENSION, i), ""),
                           file_proto.name))
    return out


def uncommented(fds):
    missing = []
    for f in fds.file:
        for e in walk(f):
            if not e.comment:
                missing.append("%s: %s %s has no comment" % (e.path_name, e.kind, e.name))
    return missing


# ------------------------------------------------------------------ markdown

def cell(text):
    """A comment as one table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def short_type(name, package):
    name = name.lstrip(".")
    return name[len(package) + 1:] if name.startswith(package + ".") else name


def anchor(full_name):
    return full_name.replace(".", "").lower()


def link(type_name, package):
    full = type_name.lstrip(".")
    if not full.startswith("innoscope."):
        return "`%s`" % full
    return "[`%s`](#%s)" % (short_type(type_name, package), anchor(full))


def field_type(f, message_by_name, package):
    if f.type in (f.TYPE_MESSAGE, f.TYPE_ENUM):
        entry = message_by_name.get(f.type_name.lstrip("."))
        if entry is not None and entry.options.map_entry:
            k, v = entry.field[0], entry.field[1]
            return "map<%s, %s>" % (field_type(k, message_by_name, package),
                                    field_type(v, message_by_name, package))
        base = link(f.type_name, package)
    else:
        base = TYPE_NAMES[f.type]
    if f.label == f.LABEL_REPEATED:
        return "repeated " + base
    if f.proto3_optional:
        return "optional " + base
    return base


REQUIRED_ROLE_FIELD = 51001  # innoscope.auth.v1.required_role (a MethodOptions extension)


def varint(data, pos):
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def required_role(method, role_names):
    """The method's required_role option, read from its options' wire bytes
    (the extension is not registered with this script's descriptor pool)."""
    data, pos = method.options.SerializeToString(), 0
    while pos < len(data):
        tag, pos = varint(data, pos)
        number, wire_type = tag >> 3, tag & 7
        if wire_type == 0:
            value, pos = varint(data, pos)
            if number == REQUIRED_ROLE_FIELD:
                return role_names.get(value, str(value))
        elif wire_type == 2:
            size, pos = varint(data, pos)
            pos += size
        elif wire_type == 1:
            pos += 8
        elif wire_type == 5:
            pos += 4
        else:
            break
    return ""


def markdown(fds):
    message_by_name = {}
    role_names = {}
    for f in fds.file:
        for e in f.enum_type:
            if f.package + "." + e.name == "innoscope.auth.v1.Role":
                role_names = {v.number: v.name for v in e.value}

    def index(prefix, messages):
        for m in messages:
            message_by_name[prefix + "." + m.name] = m
            index(prefix + "." + m.name, m.nested_type)

    for f in fds.file:
        index(f.package, f.message_type)

    lines = [BEGIN, "",
             "Generated from `proto/innoscope/**` by `deploy/tools/proto_reference.py write`; the ctest",
             "`api_reference_drift` fails when this section and the protos disagree.", ""]
    for f in sorted(fds.file, key=lambda x: x.name):
        comments = comments_of(f)
        pkg = f.package
        lines += ["### `%s` (`%s`)" % (pkg, f.name), ""]
        for i, s in enumerate(f.service):
            lines += ["#### %s" % s.name, "", cell(comments.get((FILE_SERVICE, i), "")), "",
                      "| RPC | Request | Response | Role | Description |", "|---|---|---|---|---|"]
            for j, m in enumerate(s.method):
                req = ("stream " if m.client_streaming else "") + link(m.input_type, pkg)
                resp = ("stream " if m.server_streaming else "") + link(m.output_type, pkg)
                role = required_role(m, role_names)
                lines.append("| `%s` | %s | %s | %s | %s |" % (
                    m.name, req, resp, "`%s`" % role if role else "",
                    cell(comments.get((FILE_SERVICE, i, SERVICE_METHOD, j), ""))))
            lines.append("")

        def emit_message(m, path, prefix):
            if m.options.map_entry:
                return
            full = prefix + "." + m.name
            lines.extend(['<a id="%s"></a>' % anchor(full), "",
                          "#### %s" % full[len(pkg) + 1:], "", cell(comments.get(path, "")), ""])
            if m.field:
                lines.extend(["| Field | Number | Type | Description |", "|---|---|---|---|"])
                for k, fd in enumerate(m.field):
                    oneof = ""
                    if fd.HasField("oneof_index") and not fd.proto3_optional:
                        oneof = " (oneof `%s`)" % m.oneof_decl[fd.oneof_index].name
                    lines.append("| `%s`%s | %d | %s | %s |" % (
                        fd.name, oneof, fd.number, field_type(fd, message_by_name, pkg),
                        cell(comments.get(path + (MSG_FIELD, k), ""))))
                lines.append("")
            for k, n in enumerate(m.nested_type):
                emit_message(n, path + (MSG_NESTED, k), full)
            for k, e in enumerate(m.enum_type):
                emit_enum(e, path + (MSG_ENUM, k), full)

        def emit_enum(e, path, prefix):
            full = prefix + "." + e.name
            lines.extend(['<a id="%s"></a>' % anchor(full), "",
                          "#### enum %s" % full[len(pkg) + 1:], "", cell(comments.get(path, "")),
                          "", "| Value | Number | Description |", "|---|---|---|"])
            for k, v in enumerate(e.value):
                lines.append("| `%s` | %d | %s |" % (v.name, v.number,
                                                    cell(comments.get(path + (ENUM_VALUE, k), ""))))
            lines.append("")

        for i, m in enumerate(f.message_type):
            emit_message(m, (FILE_MESSAGE, i), pkg)
        for i, e in enumerate(f.enum_type):
            emit_enum(e, (FILE_ENUM, i), pkg)
        for i, x in enumerate(f.extension):
            lines.extend(["#### extension %s" % x.name, "",
                          "Extends `%s`, number %d, type %s: %s" % (
                              x.extendee.lstrip("."), x.number,
                              field_type(x, message_by_name, pkg),
                              cell(comments.get((FILE_EXTENSION, i), ""))), ""])
    lines.append(END)
    return "\n".join(lines) + "\n"


def with_reference(text, reference):
    if BEGIN in text and END in text:
        head = text[:text.index(BEGIN)]
        tail = text[text.index(END) + len(END):].lstrip("\n")
        return head + reference + ("\n" + tail if tail else "")
    return text.rstrip("\n") + "\n\n## Reference\n\n" + reference


def main(argv):
    if len(argv) < 2 or argv[1] not in ("check", "write", "drift"):
        print(__doc__)
        return 2
    protoc = os.environ.get("PROTOC", "protoc")
    fds = descriptor_set(protoc)
    if argv[1] == "check":
        missing = uncommented(fds)
        total = sum(len(walk(f)) for f in fds.file)
        for m in missing:
            print(m)
        print("%d elements, %d without a comment" % (total, len(missing)))
        return 1 if missing else 0
    with open(API_MD, encoding="utf-8") as f:
        text = f.read()
    wanted = with_reference(text, markdown(fds))
    if argv[1] == "write":
        with open(API_MD, "w", encoding="utf-8") as f:
            f.write(wanted)
        return 0
    if wanted != text:
        import difflib
        sys.stdout.writelines(list(difflib.unified_diff(
            text.splitlines(True), wanted.splitlines(True), "docs/api.md", "generated"))[:80])
        print("docs/api.md: the API reference differs from the protos; "
              "run deploy/tools/proto_reference.py write and commit it")
        return 1
    print("docs/api.md: the API reference matches the protos")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
