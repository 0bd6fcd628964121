"""``observer-app server init URL``: set up a lab server (PostgreSQL) for one study."""

from __future__ import annotations

import argparse

from observer_app.cli._study import read_password_line


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    server = sub.add_parser("server", help="set up a PostgreSQL lab server").add_subparsers(
        dest="server_command", metavar="ACTION", required=True
    )
    p = server.add_parser(
        "init",
        help="provision an empty PostgreSQL database: schema, login roles, row-level security",
        description="Run as the database's owner (a role with CREATEROLE). Creates the study, "
        "its first manager and their login role; every profile added later gets its own role.",
    )
    p.add_argument("url", help="postgresql+psycopg://ADMIN@HOST/DATABASE (an empty database)")
    p.add_argument("--name", required=True, help="the study's name")
    p.add_argument("--manager", required=True, metavar="NAME", help="the study's first manager")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the first manager's database password from standard input",
    )
    p.set_defaults(handler=_init)


def _init(args: argparse.Namespace) -> int:
    from observer_app.services.lab_server import init_server

    password = read_password_line() if args.password_stdin else None
    setup = init_server(args.url, args.name, args.manager, password)
    print(f"created study {args.name!r} on the lab server")
    print(f"roles: {setup.prefix}_coder, {setup.prefix}_manager")
    print(f"{args.manager} signs in as database role {setup.manager_login}")
    return 0
