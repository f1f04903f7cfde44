"""Loading text: malformed YAML, limits, line numbers, duplicate keys, JSON."""

from __future__ import annotations

import pytest

from mistral.exceptions import DSLError, SizeLimitExceededError
from mistral.lang import parse_actions, parse_workbook, parse_workflows
from mistral.lang.loader import LineDict, format_path, line_of, load

from tests.unit.lang.helpers import problems_of


def test_line_numbers_of_keys_and_list_items() -> None:
    doc = load("a: 1\nb:\n  c:\n    - x\n    - y: 2\n")
    assert isinstance(doc, LineDict)
    assert line_of(doc, ("a",)) == 1
    assert line_of(doc, ("b", "c")) == 3
    assert line_of(doc, ("b", "c", 1)) == 5
    assert line_of(doc, ("b", "c", 1, "y")) == 5
    assert line_of(doc, ("b", "missing", "deeper")) == 2


def test_format_path() -> None:
    assert format_path(("wf", "tasks", "t2", "on-success", 0)) == "wf.tasks.t2.on-success[0]"
    assert format_path(()) == ""


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("version: '2.0'\nwf: [1, 2\n", "invalid YAML"),
        ("version: '2.0'\n  bad indent: 1\n", "invalid YAML"),
        ("version: '2.0'\nwf: !!python/object:os.system {}\n",
         "'!!python/object:os.system' is not supported"),
        ("version: '2.0'\nwf: !!python/name:os.system ''\n", "is not supported"),
        ("version: '2.0'\nwf: !custom x\n", "'!custom' is not supported"),
        ("a: 1\n---\nb: 2\n", "expected a single document"),
        ("a: *nope\n", "unknown or recursive alias"),
        ("a: &x [1, *x]\n", "unknown or recursive alias"),
        ("key: @reserved\n", "invalid YAML"),
    ],
)
def test_malformed_yaml_is_one_clear_problem(text: str, fragment: str) -> None:
    problems = problems_of(text)
    assert len(problems) == 1
    assert fragment in problems[0].message
    assert problems[0].line is not None


@pytest.mark.parametrize("text, what", [("", "empty"), ("- a\n- b\n", "a list"),
                                        ("just a string", "a string"), ("42", "an integer")])
def test_non_mapping_document(text: str, what: str) -> None:
    for parse in (parse_workflows, parse_workbook, parse_actions):
        problems = problems_of(text, parse)
        assert "must be a mapping" in problems[0].message
        assert what in problems[0].message


@pytest.mark.parametrize(
    "text, path, fragment",
    [
        ("wf:\n  tasks:\n    t: {}\n", "", "missing required key 'version'"),
        ("version: '1.0'\nwf:\n  tasks:\n    t: {}\n", "version", "unsupported version"),
        ("version: 3\nwf:\n  tasks:\n    t: {}\n", "version", "unsupported version"),
    ],
)
def test_missing_or_wrong_version(text: str, path: str, fragment: str) -> None:
    problems = problems_of(text)
    assert problems[0].path == path
    assert fragment in problems[0].message


@pytest.mark.parametrize("version", ["2.0", "'2.0'", "2", "'2'"])
def test_version_spellings_mistral_accepts(version: str) -> None:
    text = f"version: {version}\nwf:\n  version: {version}\n  tasks:\n    t: {{}}\n"
    assert parse_workflows(text).workflows[0].name == "wf"


@pytest.mark.parametrize("version", ["true", "'2.1'", "'v2'", "[2]"])
def test_other_versions_are_refused(version: str) -> None:
    problems = problems_of(f"version: {version}\nwf:\n  tasks:\n    t: {{}}\n")
    assert problems[0].path == "version"


def test_too_deep_nesting_is_refused_without_recursion_error() -> None:
    # Our own limit (64) is reached long before any YAML library's own one.
    text = "version: '2.0'\nwf:\n  vars:\n    x: " + "[" * 100 + "]" * 100 + "\n"
    problems = problems_of(text)
    assert "nested deeper than 64 levels" in problems[0].message
    # Far deeper: the YAML library may refuse first (libyaml has a limit of its own,
    # with its own words); either way it is one clean problem, never a RecursionError.
    text = "version: '2.0'\nwf:\n  vars:\n    x: " + "[" * 100000 + "]" * 100000 + "\n"
    problems = problems_of(text)
    assert len(problems) == 1
    assert problems[0].message.startswith(("the document is nested deeper", "invalid YAML"))


def test_depth_limit_is_configurable() -> None:
    text = "version: '2.0'\nwf:\n  tasks:\n    t:\n      input:\n        a: {b: {c: 1}}\n"
    parse_workflows(text)
    with pytest.raises(DSLError) as err:
        parse_workflows(text, max_depth=5)
    assert "deeper than 5" in str(err.value)


def test_too_large_document_is_refused() -> None:
    text = "version: '2.0'\nwf:\n  description: '" + "x" * 2_000_000 + "'\n  tasks:\n    t: {}\n"
    with pytest.raises(SizeLimitExceededError):
        parse_workflows(text)
    with pytest.raises(SizeLimitExceededError):
        parse_workflows(text.encode())
    with pytest.raises(SizeLimitExceededError):
        parse_workflows("version: '2.0'\n" + "#" * 200 + "\n", max_bytes=100)


def test_multibyte_text_counts_bytes() -> None:
    text = "version: '2.0'\nwf:\n  description: '" + "é" * 600 + "'\n  tasks:\n    t: {}\n"
    parse_workflows(text, max_bytes=2000)
    with pytest.raises(SizeLimitExceededError):
        parse_workflows(text, max_bytes=1000)


def test_alias_bomb_is_refused() -> None:
    lines = ["version: '2.0'", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    prev = "a"
    for name in "bcdefgh":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
        prev = name
    with pytest.raises(SizeLimitExceededError) as err:
        parse_workflows("\n".join(lines) + "\n")
    assert "aliases" in str(err.value)


def test_small_aliases_are_fine() -> None:
    text = (
        "version: '2.0'\nwf:\n  tasks:\n"
        "    t1:\n      retry: &r {count: 3, delay: 1}\n"
        "    t2:\n      retry: *r\n"
    )
    spec = parse_workflows(text).workflows[0]
    assert spec.tasks["t2"].retry == spec.tasks["t1"].retry


def test_invalid_utf8_bytes() -> None:
    with pytest.raises(DSLError) as err:
        parse_workflows(b"version: '2.0'\nwf: \xff\xfe\n")
    assert "UTF-8" in err.value.errors[0].message


def test_duplicate_keys_are_reported_with_path_and_line() -> None:
    text = (
        "version: '2.0'\n"
        "wf:\n"
        "  tasks:\n"
        "    t1:\n"
        "      action: std.noop\n"
        "    t1:\n"
        "      action: std.echo output=1\n"
    )
    problems = problems_of(text)
    assert [(p.path, p.line) for p in problems] == [("wf.tasks.t1", 6)]
    assert "duplicate key 't1'" in problems[0].message


def test_duplicate_workflow_names() -> None:
    text = "version: '2.0'\nwf:\n  tasks: {t: {}}\nwf:\n  tasks: {t: {}}\n"
    problems = problems_of(text)
    assert problems[0].path == "wf"
    assert "duplicate" in problems[0].message


def test_json_definition() -> None:
    text = '{"version": "2.0", "wf": {"tasks": {"t": {"action": "std.noop"}}}}'
    assert parse_workflows(text).workflows[0].tasks["t"].action == "std.noop"


def test_json_with_tab_indentation() -> None:
    text = '{\n\t"version": "2.0",\n\t"wf": {\n\t\t"tasks": {"t": {}}\n\t}\n}\n'
    assert list(parse_workflows(text).workflows[0].tasks) == ["t"]


def test_bad_json_is_one_clear_problem() -> None:
    problems = problems_of('{"version": "2.0", "wf": ')
    assert len(problems) == 1
    assert "invalid YAML" in problems[0].message


def test_timestamps_stay_strings() -> None:
    spec = parse_workflows("version: '2.0'\nwf:\n  vars:\n    when: 2026-01-01\n"
                           "  tasks:\n    t: {}\n").workflows[0]
    assert spec.vars["when"] == "2026-01-01"


def test_non_scalar_keys_are_refused() -> None:
    problems = problems_of("version: '2.0'\n? [a, b]\n: 1\n")
    assert "keys must be scalars" in problems[0].message


@pytest.mark.parametrize("value", ["!!set {a, b}", "!!binary aGVsbG8=", "!!omap [a: 1]",
                                   "!!pairs [a: 1]"])
def test_non_json_yaml_types_are_refused(value: str) -> None:
    problems = problems_of(f"version: '2.0'\nwf:\n  vars:\n    v: {value}\n  tasks:\n    t: {{}}\n")
    assert "is not supported" in problems[0].message
    assert problems[0].line == 4


EQUIVALENT_DOCUMENTS = [
    "a: 1\nb: 1.5\nc: true\nd: null\ne: ~\nf: 'str'\ng: \"q\"\nh: yes\ni: 0x1F\nj: 1_000\n",
    "k: .inf\nl: -.inf\nm: 0o17\nn: +12\no: 1e3\np: ''\nq: [1, [2, [3]], {x: y}]\n",
    "text: |\n  line 1\n  line 2\nfolded: >\n  a\n  b\n",
    "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\nboth:\n  <<: [*b, {z: 4}]\n",
    "list: &l [1, 2]\nagain: *l\nscalar: &s hello\nref: *s\n",
    "- a\n- b: [1, 2]\n  c: {d: e}\n- !!str 5\n- !!int '7'\n- !!float '1'\n",
    "{\"json\": [1, 2.5, true, null, \"s\"], \"nested\": {\"k\": {}}}",
    "empty_map: {}\nempty_list: []\n'quoted key': 1\n3: int key\n",
    "",
    "just a scalar",
]


@pytest.mark.parametrize("text", EQUIVALENT_DOCUMENTS)
def test_builder_agrees_with_yaml_safe_load(text: str) -> None:
    import yaml

    assert load(text) == yaml.safe_load(text)


def test_merge_keys_do_not_override_explicit_keys() -> None:
    doc = load("b: &b {x: 1, y: 2}\nd:\n  y: 3\n  <<: *b\n")
    assert doc["d"] == {"y": 3, "x": 1}


def test_plain_merge_marker_outside_key_position_is_text() -> None:
    assert load("a: <<\nb: [<<]\n") == {"a": "<<", "b": ["<<"]}
    with pytest.raises(DSLError) as err:
        load("a:\n  <<: 5\n")
    assert "merges mappings only" in str(err.value)
