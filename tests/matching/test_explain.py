"""marked_keys: the differing parts of two name keys, as a manager sees them."""

from __future__ import annotations

import pytest

from bot.matching.explain import marked_keys


@pytest.mark.parametrize(
    ("a", "b", "marked_a", "marked_b"),
    [
        pytest.param("字节跳动科技", "字节跳动科技", "字节跳动科技", "字节跳动科技", id="equal"),
        pytest.param(
            "字节跳动科技", "字节跳动网络科技", "字节跳动科技", "字节跳动[网络]科技", id="insert"
        ),
        pytest.param("伊利实业", "伊力实业", "伊[利]实业", "伊[力]实业", id="replace"),
        pytest.param("飞海达科技", "飞海科技", "飞海[达]科技", "飞海科技", id="delete"),
        pytest.param("apple", "applied materials", "apple", "appl[i]e[d materials]", id="tail"),
        pytest.param("", "bytedance", "", "[bytedance]", id="empty"),
    ],
)
def test_marked_keys(a: str, b: str, marked_a: str, marked_b: str) -> None:
    assert marked_keys(a, b) == (marked_a, marked_b)
