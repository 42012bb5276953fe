"""Config checks every connector shares: required credentials, safe base-URL overrides and option shapes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from connector_common.errors import ConfigError
from connector_common.money import to_decimal

LOOPBACK_HOSTS = frozenset(("127.0.0.1", "localhost", "::1"))


def require(config: Mapping[str, Any], section: str, keys: Iterable[str]) -> Mapping[str, Any]:
    """The `section` object of the config, with every key in `keys` present and non-empty.

    Raises:
        ConfigError: naming the first missing option, e.g. 'credentials.refresh_token is required'.
    """
    node = config.get(section) or {}
    for key in keys:
        if not node.get(key):
            raise ConfigError(f"{section}.{key} is required")
    return node


def base_url(value: str | None, option: str, default: str) -> str:
    """An API base URL from an override option, else `default`; without a trailing slash.

    Overrides must use https, except plain http on this machine's loopback interface (the local sandbox), so a
    typo can never send credentials in clear text over a network.

    Raises:
        ConfigError: naming the option when the URL is not https (or loopback http).
    """
    url = (value or default).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return url
    raise ConfigError(f"{option} must be an https:// URL (plain http is accepted only for 127.0.0.1/localhost), "
                      f"not {url!r}")


# Option shapes. Each helper reads one option, treats a missing or null option as its default, and raises a
# ConfigError naming the option (and the allowed values) when the value has the wrong shape.


def choice(config: Mapping[str, Any], key: str, default: str, allowed: Sequence[str]) -> str:
    """A text option that must be one of `allowed`.

    Raises:
        ConfigError: e.g. "refunds must be one of credit_note, ignore, not 'credit'".
    """
    value = config.get(key)
    if value is None:
        return default
    if value not in allowed:
        raise ConfigError(f"{key} must be one of {', '.join(allowed)}, not {value!r}")
    return str(value)


def choices(config: Mapping[str, Any], key: str, default: Sequence[str], allowed: Sequence[str]) -> tuple[str, ...]:
    """A list option whose items must each be one of `allowed`; `default` when missing, null or empty.

    Raises:
        ConfigError: e.g. "payment_statuses may only list pending, paid, not 'payed'".
    """
    value = config.get(key)
    if not value:
        return tuple(default)
    if not isinstance(value, list | tuple):
        raise ConfigError(f"{key} must be a list of {', '.join(allowed)}, not {value!r}")
    unknown = [item for item in value if item not in allowed]
    if unknown:
        raise ConfigError(f"{key} may only list {', '.join(allowed)}, not {', '.join(map(repr, unknown))}")
    return tuple(str(item) for item in value)


def string_map(config: Mapping[str, Any], key: str) -> dict[str, str]:
    """An object option of text values (integers are accepted as codes), values stripped; {} when missing.

    Raises:
        ConfigError: "vat_codes must be an object of strings", or naming the entry: "vat_codes.export must be a
            string, not None".
    """
    value = config.get(key) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key} must be an object of strings, not {type(value).__name__}")
    for name, item in value.items():
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise ConfigError(f"{key}.{name} must be a string, not {item!r}")
    return {str(name): str(item).strip() for name, item in value.items()}


def string_pairs(config: Mapping[str, Any], key: str, left: str, right: str) -> tuple[tuple[str, str], ...]:
    """A list option of objects that each carry the text fields `left` and `right`, as (left, right) in order.

    Raises:
        ConfigError: naming the item, e.g. "terms_of_payment_mapping[1].terms_of_payment is required".
    """
    value = config.get(key) or []
    if not isinstance(value, list | tuple):
        raise ConfigError(f"{key} must be a list of objects with {left} and {right}")
    pairs = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise ConfigError(f"{key}[{i}] must be an object with {left} and {right}, not {item!r}")
        for name in (left, right):
            if item.get(name) in (None, ""):
                raise ConfigError(f"{key}[{i}].{name} is required")
        pairs.append((str(item[left]).strip(), str(item[right]).strip()))
    return tuple(pairs)


def flag(config: Mapping[str, Any], key: str, default: bool) -> bool:
    """A true/false option. A string such as "false" is refused rather than read as true.

    Raises:
        ConfigError: "dry_run must be true or false, not 'no'".
    """
    value = config.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ConfigError(f"{key} must be true or false, not {value!r}")
    return value


def integer(config: Mapping[str, Any], key: str, default: int, *, minimum: int, maximum: int) -> int:
    """A whole-number option within [minimum, maximum] (a string of digits is accepted).

    Raises:
        ConfigError: "batch_size must be a whole number from 1 to 500, not 0".
    """
    value = config.get(key)
    if value is None:
        return default
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    if number is None or not minimum <= number <= maximum:
        raise ConfigError(f"{key} must be a whole number from {minimum} to {maximum}, not {value!r}")
    return number


def amount(config: Mapping[str, Any], key: str, default: str, *, minimum: Decimal | None = None) -> Decimal:
    """A decimal option such as a money amount ("0.05"), never read through float arithmetic.

    Raises:
        ConfigError: "max_rounding: 'abc' is not a decimal number" or "max_rounding must be at least 0, not -1".
    """
    value = config.get(key)
    try:
        number = to_decimal(default if value is None else str(value).strip(), field=key)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{key} must be at least {minimum}, not {value}")
    return number
