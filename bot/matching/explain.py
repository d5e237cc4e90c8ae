"""What a person deciding on a name match needs to see: the two keys, their differences marked."""

from __future__ import annotations

from rapidfuzz.distance import Indel

__all__ = ["marked_keys"]


def marked_keys(a_key: str, b_key: str) -> tuple[str, str]:
    """Both keys with the runs that differ in [brackets].

    字节跳动科技 / 字节跳动网络科技 -> (字节跳动科技, 字节跳动[网络]科技); equal keys come back as they are.
    The runs are those of the Indel alignment the scorer's ratio is computed from.
    """
    a_parts: list[str] = []
    b_parts: list[str] = []
    a_pending, b_pending = "", ""
    for opcode in Indel.opcodes(a_key, b_key):
        a_run = a_key[opcode.src_start : opcode.src_end]
        b_run = b_key[opcode.dest_start : opcode.dest_end]
        if opcode.tag == "equal":
            a_parts.append(_marked(a_pending) + a_run)
            b_parts.append(_marked(b_pending) + b_run)
            a_pending, b_pending = "", ""
        else:
            a_pending += a_run
            b_pending += b_run
    a_parts.append(_marked(a_pending))
    b_parts.append(_marked(b_pending))
    return "".join(a_parts), "".join(b_parts)


def _marked(run: str) -> str:
    return f"[{run}]" if run else ""
