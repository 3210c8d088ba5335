#!/usr/bin/env python3
"""Validates meta-bes2600's kas files offline.

Each kas/*.yml must (1) be YAML that validates against the JSON schema shipped with kas
(kas/schema-kas.json, from the pinned kas package) with a header.version kas accepts, (2)
pin every repository that has a url by a full 40-hex commit (a branch alone would float),
and (3) load with kas's own include handler (offline: it resolves the repo-relative
includes inside this repository and merges them) without warnings. The merged
configuration must name a machine that conf/machine defines and targets that are recipes
of this layer. Prints one line per file and a tally; exits 1 on any failure.
"""
import argparse
import importlib.util
import json
import logging
import pathlib
import re
import sys
import types

import jsonschema
import yaml

HEX40 = re.compile(r"^[0-9a-f]{40}$")


def kas_schema() -> dict:
    spec = importlib.util.find_spec("kas")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("kas is not installed (ci/setup.d/60-yocto.sh installs it)")
    path = pathlib.Path(list(spec.submodule_search_locations)[0]) / "schema-kas.json"
    return json.loads(path.read_text())


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def kas_load(path: pathlib.Path) -> tuple[dict, list[str]]:
    """Merges the file and its includes with kas's IncludeHandler; returns config + warnings."""
    from kas import context, includehandler

    if context.get_context() is None:
        context.create_global_context(types.SimpleNamespace(no_color=True, update=False,
                                                            force_checkout=False))
    collect = _Collect()
    logging.getLogger().addHandler(collect)
    try:
        cfg, missing = includehandler.IncludeHandler([str(path)], use_lock=False).get_config()
    finally:
        logging.getLogger().removeHandler(collect)
    if missing:
        collect.messages.append(f"includes from other repositories not resolvable offline: {missing}")
    return cfg, collect.messages


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--layer", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent)
    args = ap.parse_args()
    layer = args.layer.resolve()
    schema = kas_schema()
    validator = jsonschema.Draft7Validator(schema)
    machines = {p.stem for p in (layer / "conf/machine").glob("*.conf")}
    recipes = {re.sub(r"_[^_]*$", "", p.stem) for p in layer.rglob("*.bb")}
    files = sorted((layer / "kas").glob("*.yml"))
    failed = 0
    if not files:
        print("FAIL  no kas files")
        return 1
    for f in files:
        problems = []
        try:
            data = yaml.safe_load(f.read_text())
        except yaml.YAMLError as e:
            print(f"FAIL  {f.name}: not YAML: {e}")
            failed += 1
            continue
        problems += [f"schema: {'/'.join(map(str, e.path))}: {e.message}"
                     for e in validator.iter_errors(data)]
        for name, repo in (data.get("repos") or {}).items():
            if isinstance(repo, dict) and repo.get("url") and not HEX40.match(str(repo.get("commit", ""))):
                problems.append(f"repo {name} has a url but no 40-hex commit")
        if not problems:
            try:
                full, warnings = kas_load(f)
            except Exception as e:  # kas raises its own error types for bad includes etc.
                full, warnings = {}, [f"kas cannot load it: {e}"]
            problems += [f"kas: {w}" for w in warnings]
            if full.get("machine") and full["machine"] not in machines:
                problems.append(f"machine {full['machine']} is not in conf/machine")
            targets = full.get("target", [])
            for t in [targets] if isinstance(targets, str) else targets:
                if t not in recipes:
                    problems.append(f"target {t} is not a recipe of this layer")
        if problems:
            failed += 1
            print(f"FAIL  {f.name}: " + "; ".join(problems))
        else:
            print(f"ok    {f.name} (schema-valid, pinned, loads with kas)")
    print(f"kas checks: {len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
