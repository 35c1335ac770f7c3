#!/usr/bin/env python
"""Fail when a lock file no longer matches the requirements it was written from.

requirements.in and requirements-dev.in are edited by hand and pin exactly what we chose;
`make lock` writes requirements.txt and requirements-dev.txt from them: the whole tree, with
hashes, which is what `make` installs. This check needs no network, so CI runs it
(`make lint`). It reads the dependencies of what is installed in the virtualenv, which `make`
installed from the locks, and fails when:

- an input is not pinned with `==`;
- a lock lacks an input's pin, has it at another version, or lists a package without hashes;
- the dev lock gives a runtime package another version or other hashes than requirements.txt;
- a lock lists a package that nothing in its input needs any more, or misses one that is needed.
"""

import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
# Each input and the lock `make lock` writes from it.
LOCKS = {"requirements.in": "requirements.txt", "requirements-dev.in": "requirements-dev.txt"}
RUNTIME_LOCK = "requirements.txt"


@dataclass(frozen=True)
class Locked:
    requirement: Requirement
    hashes: frozenset[str]

    @property
    def version(self) -> str:
        return pinned_version(self.requirement) or ""

    def applies_here(self) -> bool:
        """Universal locks list packages for other systems too (colorama on Windows)."""
        marker = self.requirement.marker
        return marker is None or marker.evaluate()


def pinned_version(requirement: Requirement) -> str | None:
    specifiers = list(requirement.specifier)
    if len(specifiers) == 1 and specifiers[0].operator == "==":
        return specifiers[0].version
    return None


def logical_lines(path: Path) -> list[str]:
    """Lines without comments, with backslash continuations joined, as pip reads them."""
    joined = path.read_text().replace("\\\n", " ")
    lines = (line.split(" #", 1)[0].strip() for line in joined.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def read_input(name: str) -> list[Requirement]:
    """The requirements of an input file, following its `-r` includes."""
    requirements = []
    for line in logical_lines(ROOT / name):
        if line.startswith("-r "):
            requirements += read_input(line.removeprefix("-r ").strip())
        else:
            requirements.append(Requirement(line))
    return requirements


def read_lock(name: str) -> dict[NormalizedName, Locked]:
    locked = {}
    for line in logical_lines(ROOT / name):
        spec, *options = line.split(" --hash=")
        requirement = Requirement(spec)
        hashes = frozenset(option.strip() for option in options)
        locked[canonicalize_name(requirement.name)] = Locked(requirement, hashes)
    return locked


def applies(requirement: Requirement, extras: frozenset[str]) -> bool:
    """Whether a package's dependency counts here, for the extras it was asked with."""
    marker = requirement.marker
    return marker is None or any(marker.evaluate({"extra": extra}) for extra in {"", *extras})


def needed(roots: list[Requirement]) -> set[NormalizedName]:
    """Every package the roots need on this interpreter, from the installed metadata."""
    extras_seen: dict[NormalizedName, frozenset[str]] = {}
    pending = [(root, frozenset(root.extras)) for root in roots if applies(root, frozenset())]
    while pending:
        requirement, extras = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in extras_seen and extras <= extras_seen[name]:
            continue
        extras = extras_seen[name] = extras_seen.get(name, frozenset()) | extras
        for text in metadata.distribution(name).requires or []:
            dependency = Requirement(text)
            if applies(dependency, extras):
                pending.append((dependency, frozenset(dependency.extras)))
    return set(extras_seen)


def pin_problems(input_name: str, lock_name: str) -> list[str]:
    lock = read_lock(lock_name)
    problems = []
    for requirement in read_input(input_name):
        version = pinned_version(requirement)
        entry = lock.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{input_name}: {requirement} is not pinned with ==")
        elif entry is None or entry.version != version:
            found = f"{entry.version}" if entry else "nothing"
            problems.append(f"{lock_name}: {requirement.name}=={version} wanted, {found} locked")
    problems += [f"{lock_name}: {name} has no hashes" for name, e in lock.items() if not e.hashes]
    return problems


def tree_problems(input_name: str, lock_name: str) -> list[str]:
    """The lock must be exactly what the input needs, no more (stale) and no less."""
    lock = read_lock(lock_name)
    try:
        wanted = needed(read_input(input_name))
    except metadata.PackageNotFoundError as missing:
        return [f"{missing.name} is not installed: run `make install-dev` first"]
    problems = []
    for name, entry in lock.items():
        if entry.applies_here() and name not in wanted:
            problems.append(f"{lock_name}: {name} is locked but nothing in {input_name} needs it")
        elif name in wanted and metadata.version(name) != entry.version:
            problems.append(
                f"{name} {metadata.version(name)} is installed but {lock_name} has "
                f"{entry.version}: run `make install-dev`"
            )
    problems += [f"{lock_name}: {name} is needed but not locked" for name in wanted - set(lock)]
    return problems


def layering_problems() -> list[str]:
    """Installing the dev lock over the runtime one must not change a runtime package."""
    runtime, dev = read_lock(RUNTIME_LOCK), read_lock(LOCKS["requirements-dev.in"])
    problems = []
    for name, entry in runtime.items():
        other = dev.get(name)
        if other is None or (other.version, other.hashes) != (entry.version, entry.hashes):
            problems.append(f"{LOCKS['requirements-dev.in']}: {name} differs from {RUNTIME_LOCK}")
    return problems


def main() -> int:
    problems = layering_problems()
    for input_name, lock_name in LOCKS.items():
        problems += pin_problems(input_name, lock_name) + tree_problems(input_name, lock_name)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("The lock files do not match their inputs: run `make lock`.", file=sys.stderr)
        return 1
    print("Lock files match requirements.in and requirements-dev.in.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
