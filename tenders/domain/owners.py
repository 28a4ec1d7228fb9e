"""An account's owners as a feed lists them, against the owners on file: who is kept (perhaps
spelled anew or moved in the order), who is added and who is removed. Pure: no Django."""

from collections.abc import Sequence
from dataclasses import dataclass


def owner_key(name: str) -> str:
    """A name as the office compares names (domain.md's convention for signers): ignoring
    case, spaces and punctuation. "Eleanor J. Whitfield" and "ELEANOR J WHITFIELD" match."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


@dataclass(frozen=True, slots=True)
class OwnerOnFile:
    pk: int
    sequence: int
    name: str
    signed: bool  # a signature on an instruction points to this owner


@dataclass(frozen=True, slots=True)
class OwnersPlan:
    """What the feed changes in the owners: `kept` are (owner, new sequence, new name) for
    owners whose sequence or spelling changes; `added` are (sequence, name); `removed` are the
    owners on file the row no longer lists; `refusal` is why the row cannot be applied."""

    kept: tuple[tuple[OwnerOnFile, int, str], ...] = ()
    added: tuple[tuple[int, str], ...] = ()
    removed: tuple[OwnerOnFile, ...] = ()
    refusal: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.kept or self.added or self.removed)


def plan_owners(on_file: Sequence[OwnerOnFile], names: Sequence[str]) -> OwnersPlan:
    """The row's names, in order, become the owners (sequence 1, 2, ...). An owner on file is
    the same person as a listed name when the names match ignoring case, spaces and
    punctuation: it is kept (its signatures stay attached), respelled and moved as listed. An
    owner on file the row does not list is removed, unless they signed an instruction: an
    owner who signed is never removed, and the row is refused."""
    by_key: dict[str, list[OwnerOnFile]] = {}
    for owner in sorted(on_file, key=lambda o: o.sequence):
        by_key.setdefault(owner_key(owner.name), []).append(owner)
    kept: list[tuple[OwnerOnFile, int, str]] = []
    added: list[tuple[int, str]] = []
    for sequence, name in enumerate(names, start=1):
        matches = by_key.get(owner_key(name))
        if matches:
            owner = matches.pop(0)
            if owner.sequence != sequence or owner.name != name:
                kept.append((owner, sequence, name))
        else:
            added.append((sequence, name))
    removed = sorted((o for left in by_key.values() for o in left), key=lambda o: o.sequence)
    signed = [o for o in removed if o.signed]
    if signed:
        who = " and ".join(f"{o.name} (owner {o.sequence})" for o in signed)
        verb = "is" if len(signed) == 1 else "are"
        return OwnersPlan(
            refusal=f"{who} signed an instruction and {verb} not in the file: an owner who "
            "signed is never removed."
        )
    return OwnersPlan(kept=tuple(kept), added=tuple(added), removed=tuple(removed))
