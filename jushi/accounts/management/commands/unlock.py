from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from jushi.accounts.services import unlock


class Command(BaseCommand):
    help = "解除用户的登录失败锁定(django-axes);按 IP 解锁用 jushi axes_reset_ip <IP>"

    def add_arguments(self, parser):
        parser.add_argument("username", help="要解锁的用户名")

    def handle(self, *args, **opts):
        username = opts["username"]
        if not get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"没有名为“{username}”的用户")
        count = unlock(username)
        self.stdout.write(f"已解除 {username} 的登录锁定(清除 {count} 条失败记录)")
