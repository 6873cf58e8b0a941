import string

from django.core.exceptions import ValidationError

CLASSES = (
    ("大写字母", lambda c: c.isascii() and c.isupper()),
    ("小写字母", lambda c: c.isascii() and c.islower()),
    ("数字", lambda c: c.isdigit()),
    ("符号", lambda c: c in string.punctuation or c == " " or not c.isascii()),
)


class ComplexityValidator:
    """等保2.0 level 3 complexity: at least `min_length` characters and `min_classes` of upper case, lower
    case, digits and symbols. Any non-ASCII character (Chinese, a full-width sign) counts as a symbol.

    Our own length check rather than Django's MinimumLengthValidator, whose Django 5.2 message has no
    Chinese translation yet.
    """

    def __init__(self, min_length: int = 10, min_classes: int = 3):
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码太短:至少 {self.min_length} 个字符(当前 {len(password)} 个)。",
                code="password_too_short",
            )
        present = [name for name, test in CLASSES if any(test(c) for c in password)]
        if len(present) < self.min_classes:
            missing = "、".join(name for name, _test in CLASSES if name not in present)
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号四类中的至少 {self.min_classes} 类"
                f"(当前只有 {len(present)} 类,可加入:{missing})。",
                code="password_too_simple",
            )

    def get_help_text(self):
        return f"密码至少 {self.min_length} 个字符,并包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"
