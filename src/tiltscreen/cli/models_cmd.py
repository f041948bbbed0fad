"""``tiltscreen models fetch|verify|list``."""

from __future__ import annotations

import argparse
from pathlib import Path

from tiltscreen.errors import ModelError
from tiltscreen.pose import model_store as store


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Sub-commands of ``models``."""
    sub = p.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    fetch = sub.add_parser(
        "fetch", help="get the model (official URL if reachable, else built offline from PyPI)"
    )
    fetch.add_argument("--variant", choices=store.VARIANTS, default=store.DEFAULT_VARIANT)
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
    verify = sub.add_parser("verify", help="check the model's structure and SHA-256 against the manifest")
    verify.add_argument("--variant", choices=store.VARIANTS, default=store.DEFAULT_VARIANT)
    verify.add_argument("--model", type=Path, help="a bundle to check instead of the one found")
    sub.add_parser("list", help="variants, where each is looked for, and what was found")


def run(args: argparse.Namespace) -> int:
    """Dispatch to fetch, verify or list."""
    if args.models_command == "fetch":
        path, how = store.fetch_model(
            variant=args.variant, source=args.source, wheel=args.wheel, dest=args.dest
        )
        print(f"model ready: {path} ({how}); SHA-256 {store.sha256_of(path)}")
        return 0
    if args.models_command == "verify":
        path = store.locate_model(args.model, variant=args.variant)
        digest = store.verify_model(path, variant=args.variant)
        known = store.spec_for(args.variant).sha256
        print(f"{path}: OK, SHA-256 {digest}" + ("" if known else " (structure checked; no hash recorded)"))
        return 0
    for variant in store.VARIANTS:
        try:
            where = str(store.locate_model(variant=variant))
        except ModelError:
            where = "not found"
        print(f"{variant:>6}: {where}")
    print("looked in: " + ", ".join(str(p.parent) for p in store.candidate_paths()))
    return 0
