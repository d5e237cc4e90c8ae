"""The rules file: defaults that make sense, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.rules import Rules, load_rules
from bot.settings import ConfigError

EXAMPLE = Path(__file__).parent.parent / "claimbot.example.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "claimbot.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_the_default_rules() -> None:
    rules = load_rules(None)
    assert rules == Rules()
    assert rules.protection.days == 90
    assert rules.form.required == ["customer_name", "contact_name", "phone", "need_summary"]
    assert [s.key for s in rules.stages if s.outcome] == ["won", "lost"]


def test_the_shipped_example_copied_as_is_seeds_nothing_fake(tmp_path: Path) -> None:
    assert load_rules(EXAMPLE) == Rules(), "copied as is, the example changes nothing"
    # Its commented-out teams are valid once uncommented.
    text = EXAMPLE.read_text(encoding="utf-8")
    teams = text[text.index("teams: []") :].split("\n\n", 1)[0]
    uncommented = "teams:\n" + "\n".join(
        line.replace("#", "", 1) for line in teams.splitlines()[1:]
    )
    rules = load_rules(write(tmp_path, uncommented))
    assert [t.name for t in rules.teams] == ["East", "South"]


def _uncommented_block(text: str, start: str, indent: str) -> str:
    """The commented-out lines under ``start`` (a line of the example), uncommented."""
    lines = text[text.index(start) :].splitlines()[1:]
    block = []
    for line in lines:
        if not line.startswith(f"{indent}#   "):
            break
        block.append(line.replace("#", "", 1))
    return "\n".join(block)


def test_the_examples_profile_fields_and_conditions_are_valid_once_uncommented(
    tmp_path: Path,
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    fields = _uncommented_block(text, "  profile: []\n  #   - key: industry", "  ")
    conditions = _uncommented_block(text, "  profile: []\n  #   - {field", "  ")
    rules = load_rules(
        write(tmp_path, f"form:\n  profile:\n{fields}\napproval:\n  profile:\n{conditions}\n")
    )
    assert [f.key for f in rules.form.profile] == ["industry", "company_size", "tags"]
    assert [c.field for c in rules.approval.profile] == ["industry", "company_size"]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("form:\n  profile: [{key: size, type: number, en: S, zh: S, options: [a]}]",
         "only a select has options"),
        ("form:\n  profile: [{key: industry, type: select, en: I, zh: I}]", "needs options"),
        ("form:\n  profile: [{key: Industry, type: text, en: I, zh: I}]", "form.profile.0.key"),
        ("approval:\n  profile: [{field: industry, is: [finance]}]",
         "industry is not a field of form.profile"),
        ("form:\n  profile: [{key: industry, type: select, en: I, zh: I, options: [retail]}]\n"
         "approval:\n  profile: [{field: industry, is: [finance]}]",
         "finance is not an option of industry"),
        ("form:\n  profile: [{key: size, type: number, en: S, zh: S}]\n"
         "approval:\n  profile: [{field: size, is: [big]}]", "is needs a select"),
    ],
)  # fmt: skip
def test_profile_mistakes_name_the_key(tmp_path: Path, text: str, complaint: str) -> None:
    with pytest.raises(ConfigError, match=complaint):
        load_rules(write(tmp_path, text))


def test_an_empty_file_is_the_defaults(tmp_path: Path) -> None:
    assert load_rules(write(tmp_path, "# nothing yet\n")) == Rules()


def test_a_partial_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, "protection:\n  days: 30\nclaim_cap: 10\n"))
    assert rules.protection.days == 30
    assert rules.claim_cap == 10
    assert rules.protection.reclaim_idle_days == Rules().protection.reclaim_idle_days


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("protection:\n  days: -5\n", "protection.days"),
        ("protecton:\n  days: 5\n", "protecton: is not a known rule"),
        ("protection:\n  days: ninety\n", "protection.days"),
        (
            "protection:\n  followup_overdue_days: 20\n  reclaim_idle_days: 10\n",
            "reclaim_idle_days",
        ),
        ("matching:\n  clear_match: 70\n  possible_match: 80\n", "possible_match must be lower"),
        ("timezone: Mars/Olympus\n", "timezone: unknown time zone"),
        ("teams:\n  - name: East\n    managers: [alice]\n", "teams.0.managers.0"),
        ("channels:\n  pool: general\n", "channels.pool"),
        ("form:\n  required: [phone]\n", "customer_name is always required"),
        ("form:\n  required: [fax]\n", "form.required.0"),
        ("stages:\n  - key: a\n  - key: b\n", "outcome: won"),
        ("language: fr\n", "language"),
        ("- just\n- a list\n", "top level must be a mapping"),
        ("protection: [unclosed\n", "not valid YAML at line"),
        (
            "segments:\n  - when: {region: east}\n    protection: {reclaim_idle_days: 5}\n",
            "segments: segment 1: reclaim_idle_days must be greater than followup_overdue_days",
        ),
        ("segments:\n  - when: {}\n    protection: {days: 5}\n", "at least one condition"),
        ("segments:\n  - when: {Region: x}\n    protection: {days: 5}\n", "segments.0.when"),
        ("segments:\n  - when: {region: x}\n    protection: {dayz: 5}\n", "dayz"),
        ("followups:\n  stage_timers: {won: 3}\n", "'won' is not a configured stage"),
        ("followups:\n  stage_timers: {quote: 3}\n", "'quote' is not a configured stage"),
        (
            "followups:\n  first_contact_hours: 24\n  first_contact_reminder_hours: 24\n",
            "first_contact_reminder_hours must be smaller",
        ),
        ("protection:\n  progress: sometimes\n", "protection.progress"),
    ],
)
def test_a_bad_file_stops_start_up_naming_the_key(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_rules(write(tmp_path, text))
    assert named in str(caught.value)
    assert str(caught.value).startswith(str(tmp_path / "claimbot.yaml"))


SEGMENTED = """
protection: {days: 90, reclaim_idle_days: 14}
segments:
  - when: {source_channel: partner}
    protection: {days: 30}
  - when: {source_channel: partner, region: east}
    protection: {days: 20, reclaim_idle_days: 40, followup_overdue_days: 25}
  - when: {region: [north, northeast]}
    protection: {days: 180}
"""


@pytest.mark.parametrize(
    ("claim", "days", "idle"),
    [
        ({"source_channel": "partner", "region": "east"}, 20, 40),  # the most conditions
        ({"source_channel": "partner", "region": "south"}, 30, 14),  # no stacking of values
        ({"source_channel": "partner", "region": "north"}, 30, 14),  # a tie: the first listed
        ({"source_channel": "website", "region": "northeast"}, 180, 14),  # one of a list
        ({"source_channel": None, "region": None}, 90, 14),  # nothing matches: the defaults
        ({"tags": ["vip", "north"], "region": "north"}, 180, 14),  # attributes by any name
    ],
)
def test_the_most_specific_segment_wins_as_the_readme_says(
    tmp_path: Path, claim: dict[str, object], days: int, idle: int
) -> None:
    rules = load_rules(write(tmp_path, SEGMENTED))
    protection = rules.protection_for(claim)
    assert (protection.days, protection.reclaim_idle_days) == (days, idle)
    assert len(rules.protection_variants()) == 4


def test_a_segment_matches_a_multi_valued_attribute_by_any_value(tmp_path: Path) -> None:
    rules = load_rules(
        write(
            tmp_path,
            "segments:\n  - when: {tags: vip}\n    protection: {days: 200, max_protection_days: 365}\n",
        )
    )
    assert rules.protection_for({"tags": ["new", "vip"]}).days == 200
    assert rules.protection_for({"tags": ["new"]}).days == 90


def test_the_first_contact_reminder_defaults_to_half_time() -> None:
    assert Rules().followups.first_contact_reminder is None
    rules = Rules.model_validate({"followups": {"first_contact_hours": 24}})
    assert rules.followups.first_contact_reminder == 12
    silent = {"first_contact_hours": 24, "first_contact_reminder_hours": 0}
    assert Rules.model_validate({"followups": silent}).followups.first_contact_reminder is None
