"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative division (6 digits),
organisation code (9), check character (1). The alphabet has 31 characters (no I, O, S, V, Z); the
check character is chosen so that the weighted sum of all 18 is divisible by 31, weights 3^i mod 31.
"""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18


class InvalidCode(ValueError):
    """The code is not a valid unified social credit code; the message says why, in Chinese."""


def normalize(code: str) -> str:
    """Upper-case and strip spaces (full-width ones too) the way people type codes."""
    return "".join(code.split()).replace("\u3000", "").upper()


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str) -> str:
    """Return the normalized code, or raise InvalidCode naming what is wrong."""
    code = normalize(code)
    if len(code) != LENGTH:
        raise InvalidCode(f"应为 18 位,实际 {len(code)} 位")
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        raise InvalidCode(f"含有不允许的字符 {''.join(bad)}(不使用 I、O、S、V、Z)")
    if not code[2:8].isdigit():
        raise InvalidCode("第 3–8 位应为行政区划代码(数字)")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidCode(f"校验位错误:第 18 位应为 {expected},实际为 {code[17]}")
    return code


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except InvalidCode:
        return False
    return True


def complete(first17: str) -> str:
    """Append the check character to a 17-character prefix (used to make synthetic demo codes)."""
    first17 = normalize(first17)
    if len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise InvalidCode("前 17 位不合规")
    return first17 + check_character(first17)
