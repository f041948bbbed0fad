"""``tiltscreen models fetch|verify|list``: the pose model (lite/full/heavy) and the hand model."""

from __future__ import annotations

import argparse
from pathlib import Path

from tiltscreen.errors import ModelError
from tiltscreen.pose import model_store as store

_SET = " and ".join(store.DEFAULT_SET)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Sub-commands of ``models``."""
    sub = p.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    fetch = sub.add_parser(
        "fetch",
        help=f"get the models ({_SET}: official URL if reachable, else built offline from PyPI)",
    )
    fetch.add_argument("--variant", choices=store.VARIANTS, help=f"only this bundle (default: {_SET})")
    fetch.add_argument(
        "--source",
        choices=("auto", "official", "wheel"),
        default="auto",
        help="auto: official URL, then build from the mediapipe==0.10.21 wheel",
    )
    fetch.add_argument(
        "--wheel", type=Path, help="build from this local mediapipe==0.10.21 wheel (no download)"
    )
    fetch.add_argument(
        "--dest", type=Path, help="folder to write to (default: the checkout's models/ or user cache)"
    )
    verify = sub.add_parser("verify", help="check the models' structure and SHA-256 against the manifest")
    verify.add_argument(
        "--variant",
        choices=store.VARIANTS,
        help=f"only this bundle (default: {_SET}; with --model, the one whose file name matches, else full)",
    )
    verify.add_argument("--model", type=Path, help="a bundle to check instead of the one found")
    sub.add_parser("list", help="variants, where each is looked for, and what was found")


def _verify_variants(args: argparse.Namespace) -> tuple[str, ...]:
    """Return what ``verify`` checks: the variant named, the one ``--model`` is named after, or both."""
    if args.variant is not None:
        return (args.variant,)
    if args.model is not None:
        by_file = {store.spec_for(v).file: v for v in store.VARIANTS}
        return (by_file.get(Path(args.model).name, store.DEFAULT_VARIANT),)
    return store.DEFAULT_SET


def run(args: argparse.Namespace) -> int:
    """Dispatch to fetch, verify or list."""
    if args.models_command == "fetch":
        variants = (args.variant,) if args.variant else store.DEFAULT_SET
        for path, how in store.fetch_models(variants, source=args.source, wheel=args.wheel, dest=args.dest):
            print(f"model ready: {path} ({how}); SHA-256 {store.sha256_of(path)}")
        return 0
    if args.models_command == "verify":
        for variant in _verify_variants(args):
            path = store.locate_model(args.model, variant=variant)
            digest = store.verify_model(path, variant=variant)
            known = store.spec_for(variant).sha256
            note = "" if known else " (structure checked; no hash recorded)"
            print(f"{path}: OK, SHA-256 {digest}{note}")
        return 0
    print("pose model: lite, full, heavy; hand model: hand")
    for variant in store.VARIANTS:
        try:
            where = str(store.locate_model(variant=variant))
        except ModelError:
            where = "not found"
        print(f"{variant:>6}: {where}")
    for variant in (store.DEFAULT_VARIANT, store.HAND_VARIANT):
        places = ", ".join(str(p.parent) for p in store.candidate_paths(variant))
        print(f"{store.spec_for(variant).kind} model looked for in: {places}")
    return 0
