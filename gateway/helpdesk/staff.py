"""Staff accounts from the command line (on the gateway's database, DATABASE_URL):

    .venv/bin/python -m gateway.helpdesk.staff create --username li --display-name 李老师 [--admin]
    .venv/bin/python -m gateway.helpdesk.staff set-role --username li --role admin   (or staff)
    .venv/bin/python -m gateway.helpdesk.staff set-password --username li
    .venv/bin/python -m gateway.helpdesk.staff disable --username li     (enable: the same)
    .venv/bin/python -m gateway.helpdesk.staff unlock --username li      (after a lockout)
    .venv/bin/python -m gateway.helpdesk.staff list

The password is asked twice without echo, or read from standard input with ``--password-stdin``
(for scripts: ``printf '%s\\n' "$PW" | … create --username li --password-stdin``).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from persistence.database import create_db_engine, make_session_factory, upgrade_database
from persistence.staff_accounts import AccountError, StaffAccounts
from gateway.settings import get_settings


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码 / password: ")
    if getpass.getpass("再输入一次 / again: ") != first:
        raise AccountError("两次输入的密码不一致")
    return first


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gateway.helpdesk.staff", description="人工客服工作人员账号 / staff accounts")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="新建账号 / create an account")
    create.add_argument("--username", required=True)
    create.add_argument("--display-name", help="对申请人显示的称呼，如“李老师”（默认同用户名）")
    create.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
    create.add_argument("--admin", action="store_true", help="管理员：可在控制台修改申报轮次信息（日期、联系人、地址、网址）")
    role = commands.add_parser("set-role", help="设置角色：admin（可修改申报轮次信息）或 staff")
    role.add_argument("--username", required=True)
    role.add_argument("--role", required=True, choices=("admin", "staff"))
    password = commands.add_parser("set-password", help="重设密码（并使已有登录失效）")
    password.add_argument("--username", required=True)
    password.add_argument("--password-stdin", action="store_true")
    for name, help_text in (("disable", "停用账号"), ("enable", "启用账号"), ("unlock", "解除登录锁定")):
        commands.add_parser(name, help=help_text).add_argument("--username", required=True)
    commands.add_parser("list", help="列出账号")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    engine = create_db_engine(get_settings().database_url)
    try:
        upgrade_database(engine)
        accounts = StaffAccounts(make_session_factory(engine))
        if args.command == "create":
            staff = accounts.create(args.username, args.display_name or args.username, _password(args), admin=args.admin)
            print(f"已创建{'管理员' if args.admin else '工作人员'}账号：{staff.username}（{staff.display_name}）")
        elif args.command == "set-role":
            accounts.set_admin(args.username, args.role == "admin")
            print(f"已将 {args.username} 设为{'管理员' if args.role == 'admin' else '工作人员'}")
        elif args.command == "set-password":
            accounts.set_password(args.username, _password(args))
            print(f"已重设 {args.username} 的密码")
        elif args.command in ("disable", "enable"):
            accounts.set_active(args.username, args.command == "enable")
            print(f"已{'启用' if args.command == 'enable' else '停用'} {args.username}")
        elif args.command == "unlock":
            accounts.unlock(args.username)
            print(f"已解除 {args.username} 的登录锁定")
        else:
            for staff in accounts.all():
                role = "管理员" if staff.is_admin else "工作人员"
                print(f"{staff.username}\t{staff.display_name}\t{role}\t{'启用' if staff.active else '停用'}")
    except AccountError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
